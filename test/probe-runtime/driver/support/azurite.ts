/**
 * Azurite's Blob service (a real Azure Storage protocol server, which checks
 * Shared Key signatures) as a child process on loopback, in memory. Tests stop
 * it by its pid when done.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

/** The well-known development account every Azure Storage emulator serves. */
export const DEV_ACCOUNT = 'devstoreaccount1';
export const DEV_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface Azurite {
  blobEndpoint: string;
  connectionString: string;
  stop(): Promise<void>;
}

const BIN = path.resolve(__dirname, '../../../../node_modules/azurite/dist/src/blob/main.js');

export function startAzurite(): Promise<Azurite> {
  const child: ChildProcess = spawn(
    process.execPath,
    [BIN, '--blobHost', '127.0.0.1', '--blobPort', '0', '--inMemoryPersistence', '--silent', '--disableTelemetry'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`azurite did not start within 20 s: ${output}`));
    }, 20_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /listens on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        const blobEndpoint = `${match[1]}/${DEV_ACCOUNT}`;
        resolve({
          blobEndpoint,
          connectionString: `DefaultEndpointsProtocol=http;AccountName=${DEV_ACCOUNT};AccountKey=${DEV_KEY};BlobEndpoint=${blobEndpoint};`,
          stop,
        });
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`azurite exited with ${code}: ${output}`));
    });
  });
}
