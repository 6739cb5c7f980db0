/**
 * The update activity against a loopback server that answers like ARM for one
 * Function App: it must keep every other app setting, set the generation (and
 * the variable), patch Flex memory, and report failures as values.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { updateActivity } from '../../../probe-runtime/driver/azure-durable/activities';
import { ARM_API_VERSION } from '../../../probe-runtime/driver/azure-durable/update-app';

const APP_ID = '/subscriptions/s1/resourceGroups/curtain-x/providers/Microsoft.Web/sites/x-node-m2048-a-0-1234abcd';

interface Call {
  method: string;
  path: string;
  auth: string | undefined;
  body: unknown;
}

let server: http.Server;
let endpoint: string;
let settings: Record<string, string>;
let calls: Call[];
let failPut = false;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const url = new URL(req.url!, 'http://x');
      const body = raw ? JSON.parse(raw) : null;
      calls.push({ method: req.method!, path: url.pathname, auth: req.headers.authorization, body });
      if (url.searchParams.get('api-version') !== ARM_API_VERSION || !url.pathname.startsWith(APP_ID)) {
        res.writeHead(404).end('{"error":"not found"}');
        return;
      }
      const rest = url.pathname.slice(APP_ID.length);
      if (req.method === 'POST' && rest === '/config/appsettings/list') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ properties: settings }));
      } else if (req.method === 'PUT' && rest === '/config/appsettings') {
        if (failPut) return void res.writeHead(403).end('{"error":{"code":"AuthorizationFailed"}}');
        settings = body.properties;
        res.writeHead(200).end(JSON.stringify(body));
      } else if (req.method === 'PATCH' && rest === '') {
        res.writeHead(200).end('{}');
      } else res.writeHead(405).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  calls = [];
  failPut = false;
  settings = { FUNCTIONS_WORKER_RUNTIME: 'node', AzureWebJobsStorage__accountName: 'cthost1', CURTAIN_GENERATION: 'g0', CURTAIN_STUDY: 'x' };
});

const deps = (hosting: string) => ({ appIds: { 'node-m2048-a-0': APP_ID }, hosting, arm: { endpoint, token: async () => 'tok' } });
const request = (change: unknown, generation = 'g4') => ({ study: 'x', step: 4, function: 'node-m2048-a-0', change, generation });

describe('curtainUpdate activity (ARM over loopback)', () => {
  it('refresh: keeps every other setting and sets the generation, with the identity token', async () => {
    expect(await updateActivity(request({ kind: 'refresh' }), deps('consumption'))).toEqual({ ok: true, result: { function: 'node-m2048-a-0', generation: 'g4' } });
    expect(settings).toEqual({ FUNCTIONS_WORKER_RUNTIME: 'node', AzureWebJobsStorage__accountName: 'cthost1', CURTAIN_GENERATION: 'g4', CURTAIN_STUDY: 'x' });
    expect(calls.map((c) => c.method)).toEqual(['POST', 'PUT']);
    expect(calls.every((c) => c.auth === 'Bearer tok')).toBe(true);
  });

  it('env: adds the variable; memory on Flex patches the instance size before the settings', async () => {
    await updateActivity(request({ kind: 'env', name: 'CURTAIN_MARK', value: 'x1' }, 'g5'), deps('flex'));
    expect(settings).toMatchObject({ CURTAIN_MARK: 'x1', CURTAIN_GENERATION: 'g5', FUNCTIONS_WORKER_RUNTIME: 'node' });
    calls = [];
    await updateActivity(request({ kind: 'memory', memoryMb: 4096 }, 'g6'), deps('flex'));
    expect(calls.map((c) => c.method)).toEqual(['PATCH', 'POST', 'PUT']);
    expect(calls[0]!.body).toEqual({ properties: { functionAppConfig: { scaleAndConcurrency: { instanceMemoryMB: 4096 } } } });
    expect(settings.CURTAIN_GENERATION).toBe('g6');
  });

  it('reports failures as values: ARM refusals, sizes Consumption cannot take, unknown functions, bad input', async () => {
    failPut = true;
    expect(await updateActivity(request({ kind: 'refresh' }), deps('consumption'))).toEqual({ ok: false, message: expect.stringContaining('HTTP 403') });
    failPut = false;
    expect(await updateActivity(request({ kind: 'memory', memoryMb: 4096 }), deps('consumption'))).toEqual({ ok: false, message: expect.stringContaining('fixed instance size') });
    expect(await updateActivity({ ...request({ kind: 'refresh' }), function: 'nope' }, deps('flex'))).toEqual({ ok: false, message: expect.stringContaining('no Function App id for nope') });
    expect(await updateActivity({ study: 'x' }, deps('flex'))).toMatchObject({ ok: false });
    expect(settings.CURTAIN_GENERATION).toBe('g0');
  });
});
