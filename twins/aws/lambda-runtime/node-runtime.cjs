/**
 * The AWS twin's Node.js Lambda runtime: loads a function's exact code asset
 * the way Lambda's Node.js runtime does (LAMBDA_TASK_ROOT + _HANDLER
 * "<file>.<export>", https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html,
 * read 2026-12-06) and answers invocations over the local platform's shim
 * protocol (probe-runtime/contracts/local-shim.ts), so the embedded platform
 * runs it as one of its instances.
 *
 * An invocation message carries the Lambda event as `request`. A handler that
 * throws is answered as Lambda's Runtime API reports a function error: the
 * result's `error` is the JSON text {errorType, errorMessage}. The function
 * timeout (which Lambda gives the runtime as the invocation deadline) arrives
 * once, in _CURTAIN_TWIN_TIMEOUT_MS, removed from the environment before the
 * handler module loads.
 */
'use strict';
const path = require('node:path');
const { createInterface } = require('node:readline');
const { randomUUID } = require('node:crypto');

const started = performance.now();
const timeoutMs = Number(process.env._CURTAIN_TWIN_TIMEOUT_MS ?? '3000');
delete process.env._CURTAIN_TWIN_TIMEOUT_MS;

function send(message) {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

function errorText(error) {
  const name = error && typeof error === 'object' && typeof error.name === 'string' ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  return JSON.stringify({ errorType: name, errorMessage: message });
}

function loadHandler() {
  const root = process.env.LAMBDA_TASK_ROOT;
  const spec = process.env._HANDLER;
  if (!root || !spec) throw new Error('Runtime.HandlerNotFound: LAMBDA_TASK_ROOT and _HANDLER must be set');
  const dot = spec.lastIndexOf('.');
  if (dot <= 0) throw new Error(`Runtime.MalformedHandlerName: "${spec}" is not <module>.<export>`);
  const file = path.join(root, spec.slice(0, dot));
  let mod;
  try {
    mod = require(file);
  } catch (error) {
    if (error && error.code === 'MODULE_NOT_FOUND' && String(error.message).includes(file)) {
      throw new Error(`Runtime.ImportModuleError: Cannot find module '${spec.slice(0, dot)}' (handler "${spec}", task root ${root})`);
    }
    throw error;
  }
  const fn = mod[spec.slice(dot + 1)];
  if (typeof fn !== 'function') throw new Error(`Runtime.HandlerNotFound: ${spec} is undefined or not exported`);
  return fn;
}

const handler = loadHandler();
const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'function';

let queue = Promise.resolve();
async function answer(line) {
  let message;
  try {
    message = JSON.parse(line);
  } catch {
    process.stderr.write(`lambda-runtime: ignored a line that is not JSON\n`);
    return;
  }
  if (message?.type !== 'invoke' || !Number.isInteger(message.id)) return;
  const deadline = Date.now() + timeoutMs;
  const context = {
    awsRequestId: randomUUID(),
    functionName,
    functionVersion: '$LATEST',
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  try {
    const response = await handler(message.request, context);
    send({ type: 'result', id: message.id, response: response === undefined ? null : response });
  } catch (error) {
    send({ type: 'result', id: message.id, error: errorText(error) });
  }
}

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() !== '') queue = queue.then(() => answer(line));
}).on('close', () => {
  void queue.then(() => process.exit(0));
});
send({ type: 'ready', pid: process.pid, initMs: Math.round((performance.now() - started) * 10) / 10 });
