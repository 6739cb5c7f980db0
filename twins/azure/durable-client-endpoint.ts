/**
 * The Durable Functions extension's client API, which a `durableClient` input
 * binding points the app's durable-functions client at: the binding's data
 * (task hub, creation and management URLs, `rpcBaseUrl`) and the local RPC
 * endpoint behind `rpcBaseUrl` that the client calls (durable-functions 3.5.0,
 * DurableClient: GET instances/{id} for getStatus, POST orchestrators/{name}/{id}
 * for startNew). Starting an instance hands it to the twin's Durable Task side;
 * an instance id that exists is refused (409), as the extension does.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OrchestrationResult } from './durable-replay';

interface Instance {
  name: string;
  instanceId: string;
  input: unknown;
  createdTime: string;
  lastUpdatedTime: string;
  runtimeStatus: 'Running' | 'Completed' | 'Failed';
  output: unknown;
}

export type StartOrchestration = (name: string, instanceId: string, input: unknown) => Promise<OrchestrationResult>;

export class DurableClientEndpoint {
  readonly instances = new Map<string, { instance: Instance; done: Promise<OrchestrationResult> }>();
  private constructor(
    private readonly server: http.Server,
    readonly rpcBaseUrl: string,
  ) {}

  static async start(startOrchestration: StartOrchestration): Promise<DurableClientEndpoint> {
    let self: DurableClientEndpoint | null = null;
    const server = http.createServer((req, res) => void self!.answer(req, res, startOrchestration));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    self = new DurableClientEndpoint(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/durabletask/`);
    return self;
  }

  /** The `durableClient` binding's data for an app (https://<host>/runtime/webhooks/durabletask/... with the app's key). */
  bindingData(host: string, taskHub: string, key: string): Record<string, unknown> {
    const base = `https://${host}/runtime/webhooks/durabletask`;
    const query = `taskHub=${encodeURIComponent(taskHub)}&connection=Storage&code=${encodeURIComponent(key)}`;
    const instance = `${base}/instances/INSTANCEID`;
    return {
      taskHubName: taskHub,
      creationUrls: {
        createNewInstancePostUri: `${base}/orchestrators/{functionName}[/{instanceId}]?${query}`,
        createAndWaitOnNewInstancePostUri: `${base}/orchestrators/{functionName}[/{instanceId}]?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}&${query}`,
      },
      managementUrls: {
        id: 'INSTANCEID',
        statusQueryGetUri: `${instance}?${query}`,
        sendEventPostUri: `${instance}/raiseEvent/{eventName}?${query}`,
        terminatePostUri: `${instance}/terminate?reason={text}&${query}`,
        rewindPostUri: `${instance}/rewind?reason={text}&${query}`,
        purgeHistoryDeleteUri: `${instance}?${query}`,
        restartPostUri: `${instance}/restart?${query}`,
        suspendPostUri: `${instance}/suspend?reason={text}&${query}`,
        resumePostUri: `${instance}/resume?reason={text}&${query}`,
      },
      baseUrl: base,
      requiredQueryStringParameters: query,
      rpcBaseUrl: this.rpcBaseUrl,
    };
  }

  private async answer(req: http.IncomingMessage, res: http.ServerResponse, startOrchestration: StartOrchestration): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(body === undefined ? '' : JSON.stringify(body));
    };
    const url = new URL(req.url ?? '/', this.rpcBaseUrl);
    const status = /^\/durabletask\/instances\/([^/]+)$/.exec(url.pathname);
    const start = /^\/durabletask\/orchestrators\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && status) {
      const found = this.instances.get(decodeURIComponent(status[1]!));
      return found ? reply(200, found.instance) : reply(404, undefined);
    }
    if (req.method === 'POST' && start) {
      const [name, instanceId] = [decodeURIComponent(start[1]!), decodeURIComponent(start[2]!)];
      if (this.instances.has(instanceId)) return reply(409, { error: `an instance with ID '${instanceId}' already exists` });
      const text = Buffer.concat(chunks).toString('utf8');
      const input = text === '' ? null : (JSON.parse(text) as unknown);
      const now = new Date().toISOString();
      const instance: Instance = { name, instanceId, input, createdTime: now, lastUpdatedTime: now, runtimeStatus: 'Running', output: null };
      const done = startOrchestration(name, instanceId, input).then((result) => {
        instance.runtimeStatus = result.status === 'completed' ? 'Completed' : 'Failed';
        instance.output = result.output;
        instance.lastUpdatedTime = new Date().toISOString();
        return result;
      });
      this.instances.set(instanceId, { instance, done });
      return reply(202, { id: instanceId });
    }
    reply(404, { error: `${req.method} ${url.pathname} is not a Durable client operation the twin serves` });
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
