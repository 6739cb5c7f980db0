/**
 * The stack's storage accounts in azurite (MIT), Microsoft's Azure Storage
 * emulator, as a child process on loopback, in memory: one azurite account
 * per storage account of the stack, named as Terraform names it, with a key
 * only the twin holds (azurite's AZURITE_ACCOUNTS), and the stack's containers
 * created as `terraform apply` creates them. Stopped by its pid.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { sharedKeyAuthorization } from '../../probe-runtime/driver/sinks/azure-shared-key';
import { BLOB_API_VERSION } from '../../probe-runtime/driver/sinks/azure-blob';
import type { TwinStorageAccount } from './blob-front';

export interface AzuriteTwin {
  /** http://127.0.0.1:<port> */
  origin: string;
  accounts: TwinStorageAccount[];
  /** A Shared Key connection string of an account (the researcher's fetch). */
  connectionString(account: string): string;
  pid: number | undefined;
  stop(): Promise<void>;
  /** Synchronous last resort for an exit handler. */
  killNow(): void;
}

const START_TIMEOUT_MS = 30_000;

export async function startAzurite(accounts: readonly { name: string; id: string; containers: readonly string[] }[]): Promise<AzuriteTwin> {
  const keyed = accounts.map((a) => ({ name: a.name, id: a.id, key: randomBytes(32).toString('base64') }));
  const child: ChildProcess = spawn(
    process.execPath,
    [require.resolve('azurite/dist/src/blob/main.js'), '--blobHost', '127.0.0.1', '--blobPort', '0', '--inMemoryPersistence', '--silent', '--disableTelemetry', '--skipApiVersionCheck'],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, AZURITE_ACCOUNTS: keyed.map((a) => `${a.name}:${a.key}`).join(';') } },
  );
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  const origin = await new Promise<string>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`azurite did not start within ${START_TIMEOUT_MS / 1000} s: ${output.trim().slice(0, 300)}`));
    }, START_TIMEOUT_MS);
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /listens on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`azurite exited with ${code}: ${output.trim().slice(0, 300)}`));
    });
  });
  const twin: AzuriteTwin = {
    origin,
    accounts: keyed,
    connectionString: (name) => {
      const account = keyed.find((a) => a.name === name)!;
      return `DefaultEndpointsProtocol=http;AccountName=${account.name};AccountKey=${account.key};BlobEndpoint=${origin}/${account.name};`;
    },
    pid: child.pid,
    stop,
    killNow: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
  try {
    for (const account of accounts) {
      const key = keyed.find((k) => k.name === account.name)!.key;
      for (const container of account.containers) {
        const url = new URL(`${origin}/${account.name}/${container}?restype=container`);
        const headers: Record<string, string> = { 'x-ms-date': new Date().toUTCString(), 'x-ms-version': BLOB_API_VERSION, 'content-length': '0' };
        headers.authorization = sharedKeyAuthorization(account.name, key, 'PUT', url, headers);
        const res = await fetch(url, { method: 'PUT', headers });
        if (res.status !== 201) throw new Error(`azurite: creating container ${account.name}/${container}: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
      }
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return twin;
}
