/**
 * The Azure twin's Node.js Functions worker: what the Azure Functions host and
 * its Node.js language worker (azure-functions-nodejs-worker) do for an app of
 * the v4 programming model, over the local platform's shim protocol
 * (probe-runtime/contracts/local-shim.ts).
 *
 * The app's own code and its own `@azure/functions` (and, in the driver,
 * `durable-functions`) run exactly as packaged. As the real worker does, this
 * provides the module `@azure/functions-core` the library registers through:
 * `setProgrammingModel` and `registerFunction(metadata, handler)`; an
 * invocation is an RPC InvocationRequest (input bindings as RpcTypedData) that
 * the library's own InvocationModel turns into the handler's arguments, and
 * whose return value it converts back (an HTTP response, or the orchestrator
 * state Durable reads). The app is loaded from package.json `main` under
 * AzureWebJobsScriptRoot (https://learn.microsoft.com/azure/azure-functions/functions-reference-node
 * "Folder structure", read 2026-12-06).
 *
 *   node node-worker.cjs --index     prints {"functions":[{name, bindings}]} (the host's function indexing) and exits
 *   node node-worker.cjs             ready, then invocations:
 *     request {function, trigger: RpcTypedData, extraInputs?: {<binding type>: RpcTypedData}}
 *                                                      → response: RpcInvocationResponse fields {returnValue, outputData}
 *     with _CURTAIN_TWIN_HTTP={"function","url"} set (a probe instance on the local platform): request is the
 *     JSON body of an HTTP POST to that function; 200 answers `response` = the JSON body, anything else `error`.
 */
'use strict';
const Module = require('node:module');
const path = require('node:path');
const { readFileSync } = require('node:fs');
const { createInterface } = require('node:readline');
const { randomUUID } = require('node:crypto');

const started = performance.now();
require('./twin-network.cjs').install(process.env);
const httpMode = process.env._CURTAIN_TWIN_HTTP ? JSON.parse(process.env._CURTAIN_TWIN_HTTP) : null;
delete process.env._CURTAIN_TWIN_HTTP;

function send(message) {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}
const log = (level, category, message) => process.stderr.write(`[${level}] ${category}: ${message}\n`);

const functions = new Map();
let programmingModel = null;
const coreApi = {
  version: '3.10.1',
  hostVersion: '4.1040.0',
  setProgrammingModel(model) {
    programmingModel = model;
  },
  getProgrammingModel: () => programmingModel,
  registerFunction(metadata, callback) {
    if (functions.has(metadata.name)) throw new Error(`A function with name "${metadata.name}" has already been registered.`);
    functions.set(metadata.name, { metadata, callback });
    return { dispose: () => functions.delete(metadata.name) };
  },
  registerHook: () => ({ dispose() {} }),
  log,
  Disposable: class {
    constructor(fn) {
      this.dispose = fn;
    }
  },
};

const load = Module._load;
Module._load = function twinLoad(request, ...rest) {
  return request === '@azure/functions-core' ? coreApi : load.call(this, request, ...rest);
};

function loadApp() {
  const root = process.env.AzureWebJobsScriptRoot;
  if (!root) throw new Error('AzureWebJobsScriptRoot is not set');
  let main = 'index.js';
  try {
    main = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).main ?? main;
  } catch (error) {
    if (error.code !== 'ENOENT') throw new Error(`package.json: ${error.message}`);
  }
  require(path.join(root, main));
  if (functions.size === 0) throw new Error(`no functions registered by ${main}: is @azure/functions v4 in node_modules?`);
}

function triggerBindingOf(metadata) {
  const entry = Object.entries(metadata.bindings).find(([, b]) => b.direction === 'in' && /Trigger$/i.test(b.type));
  if (!entry) throw new Error(`function ${metadata.name} has no trigger binding`);
  return entry[0];
}

/** The invocation's input data: the trigger, and extra inputs by binding type (e.g. durableClient). */
function inputDataOf(metadata, trigger, extraInputs) {
  const data = [{ name: triggerBindingOf(metadata), data: trigger }];
  for (const [name, binding] of Object.entries(metadata.bindings)) {
    if (binding.direction === 'in' && !/Trigger$/i.test(binding.type) && extraInputs?.[binding.type]) data.push({ name, data: extraInputs[binding.type] });
  }
  return data;
}

async function invokeFunction(name, trigger, extraInputs) {
  const fn = functions.get(name);
  if (!fn) throw new Error(`no function "${name}" in this app (${[...functions.keys()].join(', ')})`);
  if (!programmingModel) throw new Error('the app registered no programming model');
  const invocationId = randomUUID();
  const coreCtx = {
    invocationId,
    request: { invocationId, functionId: name, inputData: inputDataOf(fn.metadata, trigger, extraInputs), triggerMetadata: {} },
    metadata: fn.metadata,
    state: 'invocation',
    log,
  };
  const model = programmingModel.getInvocationModel(coreCtx);
  const { context, inputs } = await model.getArguments();
  const result = await model.invokeFunction(context, inputs, fn.callback);
  const response = await model.getResponse(context, result);
  const returnValue = response.returnValue ?? null;
  // An HTTP body arrives as bytes; the shim's JSON lines carry it as text.
  if (returnValue?.http?.body?.bytes) returnValue.http.body = { string: Buffer.from(returnValue.http.body.bytes).toString('utf8') };
  return { returnValue, outputData: response.outputData ?? [] };
}

function bodyText(data) {
  if (!data) return '';
  if (data.bytes) return Buffer.from(data.bytes).toString('utf8');
  if (data.string !== undefined) return data.string;
  if (data.json !== undefined) return data.json;
  return '';
}

async function answer(message) {
  if (!httpMode) return { response: await invokeFunction(message.request.function, message.request.trigger, message.request.extraInputs) };
  const body = JSON.stringify(message.request);
  const { returnValue } = await invokeFunction(httpMode.function, {
    http: { method: 'POST', url: httpMode.url, headers: { 'content-type': 'application/json' }, body: { string: body }, query: {}, params: {} },
  });
  const http = returnValue?.http ?? {};
  const status = Number(http.statusCode ?? 200);
  const text = bodyText(http.body);
  if (status !== 200) return { error: `HTTP ${status}: ${text.slice(0, 500)}` };
  return { response: text === '' ? null : JSON.parse(text) };
}

function errorText(error) {
  return error instanceof Error ? error.message : String(error);
}

function main() {
  try {
    loadApp();
  } catch (error) {
    process.stderr.write(`node-worker: ${errorText(error)}\n`);
    process.exit(1);
  }
  if (process.argv.includes('--index')) {
    send({ functions: [...functions.values()].map(({ metadata }) => ({ name: metadata.name, bindings: metadata.bindings })) });
    return;
  }
  // One invocation at a time per instance, as the platform's protocol asks.
  let queue = Promise.resolve();
  createInterface({ input: process.stdin })
    .on('line', (line) => {
      if (line.trim() === '') return;
      queue = queue.then(async () => {
        let message;
        try {
          message = JSON.parse(line);
        } catch {
          return;
        }
        if (message?.type !== 'invoke' || !Number.isInteger(message.id)) return;
        try {
          send({ type: 'result', id: message.id, ...(await answer(message)) });
        } catch (error) {
          send({ type: 'result', id: message.id, error: errorText(error) });
        }
      });
    })
    .on('close', () => void queue.then(() => process.exit(0)));
  send({ type: 'ready', pid: process.pid, initMs: Math.round((performance.now() - started) * 10) / 10 });
}

main();
