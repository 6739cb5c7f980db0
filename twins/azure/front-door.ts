/**
 * The twin's one TLS front door on loopback for the cloud host names the apps
 * call (their processes route those names here, functions-host/twin-network.cjs):
 *
 *   <app>.azurewebsites.net         the Function Apps' HTTP triggers: route, method and function key
 *                                   checked as the Functions host does (function-keys.ts), then the app runs it
 *   <account>.blob.core.windows.net the stack's storage accounts (blob-front.ts → azurite)
 *   management.azure.com            ARM (arm-api.ts)
 *
 * Every function-key call is recorded with the key's holder and whether the key was accepted.
 */
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerArm, type ServiceReply } from './arm-api';
import type { AzureCallLog } from './azure-calls';
import { answerBlob, type TwinStorageAccount } from './blob-front';
import { checkFunctionKey, routeRequest } from './function-keys';
import type { LiveApp, LiveApps } from './live-apps';
import type { ManagedIdentityEndpoint } from './managed-identity';
import type { TwinCertificate } from './tls-cert';

export interface HttpRequestIn {
  method: string;
  url: URL;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export interface FrontDoorDeps {
  certificate: TwinCertificate;
  apps: LiveApps;
  accounts: readonly TwinStorageAccount[];
  identities: ManagedIdentityEndpoint;
  calls: AzureCallLog;
  /** azurite's blob endpoint origin, http://127.0.0.1:<port>. */
  azurite: string;
  /** Who holds an app's keys in this run (the probes': the driver, through its settings; the driver's: the researcher, through ARM). */
  keyHolder(app: LiveApp): string;
  /** Runs an HTTP-triggered function of an app with the request. */
  invokeHttp(app: LiveApp, fn: string, request: HttpRequestIn): Promise<ServiceReply>;
}

export class FrontDoor {
  private constructor(
    private readonly server: https.Server,
    readonly port: number,
  ) {}

  static async start(deps: FrontDoorDeps): Promise<FrontDoor> {
    const server = https.createServer({ key: deps.certificate.key, cert: deps.certificate.cert }, (req, res) => {
      void serve(req, res, deps);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new FrontDoor(server, (server.address() as AddressInfo).port);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

async function serve(req: IncomingMessage, res: ServerResponse, deps: FrontDoorDeps): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  const host = String(req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
  const url = new URL(req.url ?? '/', `https://${host}`);
  const method = req.method ?? 'GET';
  let reply: ServiceReply;
  try {
    if (host === 'management.azure.com') {
      reply = await answerArm({ method, url, authorization: req.headers.authorization, body }, deps);
    } else if (host.endsWith('.blob.core.windows.net')) {
      const account = deps.accounts.find((a) => `${a.name}.blob.core.windows.net` === host);
      reply = account ? await answerBlob({ method, url, headers: req.headers, body }, account, deps) : { status: 404, body: `no storage account ${host} in the stack` };
    } else {
      const app = deps.apps.byHost(host);
      reply = app ? await answerFunction(app, method, url, req.headers, body, deps) : { status: 404, body: `no Function App ${host} in the stack` };
    }
  } catch (error) {
    reply = { status: 500, body: `twin: ${error instanceof Error ? error.message : String(error)}` };
  }
  res.writeHead(reply.status, reply.headers ?? {});
  res.end(method === 'HEAD' ? undefined : reply.body);
}

async function answerFunction(app: LiveApp, method: string, url: URL, headers: IncomingMessage['headers'], body: Buffer, deps: FrontDoorDeps): Promise<ServiceReply> {
  const fn = routeRequest(app.http, app.routePrefix, method, url.pathname);
  if (fn === 'not-found') return { status: 404, body: '' };
  if (fn === 'method') return { status: 405, body: '' };
  const check = checkFunctionKey(fn.authLevel, app.keys, headers, url);
  deps.calls.record(deps.keyHolder(app), 'Microsoft.Web/sites/functions/invoke (function key)', `${app.spec.id}/functions/${fn.name}`, check.ok);
  if (!check.ok) return { status: check.status, body: '' };
  return deps.invokeHttp(app, fn.name, { method, url, headers, body });
}
