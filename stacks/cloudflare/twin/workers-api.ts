/**
 * The one Workers API call the driver makes during a run (an update step:
 * PATCH /accounts/{account}/workers/scripts/{script}/settings with the
 * script's bindings, probe-runtime/driver/cloudflare-workflow/update-worker.ts),
 * served on loopback for the run in workerd and applied to the probe fleet
 * as a new version. It checks the bearer token it handed the driver, the
 * account and the script, and answers as the API does ({success, errors}).
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ProbeWorker } from './probe-fleet';

export interface LoopbackWorkersApi {
  /** CLOUDFLARE_API_BASE for the driver. */
  readonly base: string;
  readonly token: string;
  readonly account: string;
  close(): Promise<void>;
}

const SETTINGS = /^\/client\/v4\/accounts\/([^/]+)\/workers\/scripts\/([^/]+)\/settings$/;
const MAX_BODY_BYTES = 1024 * 1024;

export async function startLoopbackWorkersApi(workers: readonly ProbeWorker[], log: (line: string) => void): Promise<LoopbackWorkersApi> {
  const token = randomBytes(24).toString('hex');
  const account = 'workerd-local';
  const byScript = new Map(workers.map((w) => [w.fn.name, w]));
  const answer = (res: http.ServerResponse, status: number, message?: string) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(message ? { success: false, errors: [{ message }] } : { success: true, errors: [] }));
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) req.destroy();
      else chunks.push(c);
    });
    req.on('end', async () => {
      try {
        const route = SETTINGS.exec(req.url ?? '');
        if (req.method !== 'PATCH' || !route) return answer(res, 404, `${req.method} ${req.url}: not served here`);
        if (req.headers.authorization !== `Bearer ${token}`) return answer(res, 403, 'bad token');
        if (route[1] !== account) return answer(res, 403, `account ${route[1]}`);
        const worker = byScript.get(decodeURIComponent(route[2]!));
        if (!worker) return answer(res, 404, `no script ${route[2]}`);
        const form = await new Request('http://loopback/', { method: 'PATCH', headers: { 'content-type': req.headers['content-type'] ?? '' }, body: Buffer.concat(chunks) }).formData();
        const settings = JSON.parse(await (form.get('settings') as Blob).text()) as { bindings?: { type: string; name: string; text?: string }[] };
        const bindings = Object.fromEntries((settings.bindings ?? []).filter((b) => b.type === 'plain_text').map((b) => [b.name, b.text ?? '']));
        await worker.update(bindings);
        log(`curtain run: new version of ${worker.fn.name} (CURTAIN_GENERATION=${bindings.CURTAIN_GENERATION ?? '?'})`);
        answer(res, 200);
      } catch (error) {
        answer(res, 500, error instanceof Error ? error.message : String(error));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}/client/v4`,
    token,
    account,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
