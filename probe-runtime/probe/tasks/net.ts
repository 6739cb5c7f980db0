/**
 * net (paper E8, which used iperf3): download up to N MB from, or upload N MB
 * to, the task's URL over HTTP(S) on a fresh connection, and report throughput.
 * Downloads read until the body ends or N MB arrived; uploads PUT N MB of
 * random bytes. At maxMs the transfer is cut and the partial figure reported
 * (completed=false). http/https are loaded on first use: the local probe's
 * start-up stays lean.
 */
import type { ClientRequest, IncomingMessage, RequestOptions } from 'node:http';
import type { TaskResult } from '../../contracts/probe-wire';
import { nowMs } from '../clock';
import { failed, MIB, perSecond, succeeded, type TaskOf, type TaskValues } from './task-result';

interface Transfer {
  bytes: number;
  status: number | null;
  firstByteMs: number | null;
  timedOut: boolean;
  error: string | null;
}

const UPLOAD_CHUNK = 64 * 1024;

function client(url: URL): { request(url: URL, options: RequestOptions, callback: (res: IncomingMessage) => void): ClientRequest } {
  return url.protocol === 'https:' ? require('node:https') : require('node:http');
}

function transfer(task: TaskOf<'net'>, url: URL, start: number): Promise<Transfer> {
  const limit = task.megabytes * MIB;
  const upload = task.direction === 'upload';
  const result: Transfer = { bytes: 0, status: null, firstByteMs: null, timedOut: false, error: null };
  return new Promise((resolve) => {
    let settled = false;
    const finish = (error: string | null = null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      result.error = error;
      request.destroy();
      resolve(result);
    };
    const options: RequestOptions = {
      method: upload ? 'PUT' : 'GET',
      agent: false, // a fresh connection, as the paper's measurements used
      headers: upload ? { 'content-type': 'application/octet-stream', 'content-length': limit } : {},
    };
    const request = client(url).request(url, options, (response) => {
      result.status = response.statusCode ?? null;
      if (result.status === null || result.status >= 400) return finish(`HTTP ${result.status}`);
      response.on('data', (chunk: Buffer) => {
        result.firstByteMs ??= nowMs() - start;
        if (!upload) result.bytes += chunk.length;
        if (!upload && result.bytes >= limit) finish();
      });
      response.on('end', () => finish());
      response.on('error', (error) => finish(error.message));
    });
    const timer = setTimeout(() => {
      result.timedOut = true;
      finish();
    }, task.maxMs);
    request.on('error', (error) => finish(error.message));
    if (!upload) return void request.end();
    const chunk = require('node:crypto').randomBytes(UPLOAD_CHUNK) as Buffer;
    const writeMore = () => {
      while (!settled && result.bytes < limit) {
        const size = Math.min(UPLOAD_CHUNK, limit - result.bytes);
        result.bytes += size;
        if (!request.write(size === UPLOAD_CHUNK ? chunk : chunk.subarray(0, size))) return void request.once('drain', writeMore);
      }
      if (!settled) request.end();
    };
    writeMore();
  });
}

export async function runNet(task: TaskOf<'net'>): Promise<TaskResult> {
  const base: TaskValues = { direction: task.direction, megabytes: task.megabytes };
  if (!task.url) return failed(task.name, 'net: the task has no url (the provider target fills it in)', base);
  const url = new URL(task.url);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return failed(task.name, `net: unsupported protocol ${url.protocol}`, base);
  const start = nowMs();
  const outcome = await transfer(task, url, start);
  const ms = nowMs() - start;
  const values: TaskValues = {
    ...base,
    bytes: outcome.bytes,
    ms,
    mbitPerSec: perSecond((outcome.bytes * 8) / 1e6, ms),
    status: outcome.status,
    firstByteMs: outcome.firstByteMs,
    // A download may overshoot by the last chunk; the size asked for is what counts.
    completed: !outcome.timedOut && outcome.error === null && outcome.bytes >= task.megabytes * MIB,
  };
  if (outcome.error !== null) return failed(task.name, `net: ${outcome.error}`, values);
  if (outcome.timedOut && outcome.bytes === 0) return failed(task.name, `net: nothing transferred within ${task.maxMs} ms`, values);
  return succeeded(task.name, values);
}
