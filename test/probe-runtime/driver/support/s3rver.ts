/**
 * s3rver (a real S3 protocol server) on loopback for sink tests, with the
 * request headers it received recorded so tests can check what the SDK sent
 * (s3rver itself ignores server-side encryption headers).
 */
import type { AddressInfo } from 'node:net';
import type { IncomingHttpHeaders } from 'node:http';
// s3rver has no type declarations.
const S3rver = require('s3rver') as new (options: Record<string, unknown>) => S3rverInstance;

interface S3rverInstance {
  middleware: ((ctx: { method: string; path: string; headers: IncomingHttpHeaders }, next: () => Promise<void>) => Promise<void>)[];
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}

export interface S3Emulator {
  endpoint: string;
  requests: { method: string; path: string; headers: IncomingHttpHeaders }[];
  credentials: { accessKeyId: string; secretAccessKey: string };
  close(): Promise<void>;
}

export async function startS3rver(directory: string, bucket: string): Promise<S3Emulator> {
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] });
  const requests: S3Emulator['requests'] = [];
  server.middleware.unshift(async (ctx, next) => {
    requests.push({ method: ctx.method, path: ctx.path, headers: { ...ctx.headers } });
    await next();
  });
  const { port } = await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    close: () => server.close(),
  };
}
