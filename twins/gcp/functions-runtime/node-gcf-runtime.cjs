/**
 * The Google twin's Node.js Cloud Functions instance: the function's unpacked
 * source served by @google-cloud/functions-framework, the runtime layer Cloud
 * Functions (2nd gen) runs Node.js functions with, configured as Cloud Run
 * functions configure it (FUNCTION_TARGET, FUNCTION_SIGNATURE_TYPE,
 * FUNCTION_SOURCE, https://github.com/GoogleCloudPlatform/functions-framework-nodejs#configure-the-functions-framework,
 * read 2026-12-06): the framework's own option parser, loader and Express
 * server, on an ephemeral loopback port. It answers the local platform's shim
 * protocol (probe-runtime/contracts/local-shim.ts), so the embedded platform
 * runs it as one of its instances: each invocation's `request` is the JSON
 * body POSTed to the function; a 200 answer is the result's `response`, any
 * other status the result's `error` as the JSON text {status, body}.
 *
 * stdout carries only protocol lines: what the function prints goes to stderr.
 */
'use strict';
const http = require('node:http');
const path = require('node:path');
const { createInterface } = require('node:readline');

const started = performance.now();
const protocolWrite = process.stdout.write.bind(process.stdout);
process.stdout.write = process.stderr.write.bind(process.stderr);
const send = (message) => protocolWrite(`${JSON.stringify(message)}\n`);

// The framework's modules by file: its package exports only the public API.
const frameworkDir = path.dirname(require.resolve('@google-cloud/functions-framework'));
const { parseOptions } = require(path.join(frameworkDir, 'options.js'));
const { getUserFunction } = require(path.join(frameworkDir, 'loader.js'));
const { getServer } = require(path.join(frameworkDir, 'server.js'));

async function main() {
  const options = parseOptions([], process.env);
  const loaded = await getUserFunction(options.sourceLocation, options.target, options.signatureType);
  if (!loaded) throw new Error(`Could not load the function ${options.target} from ${options.sourceLocation}`);
  options.signatureType = loaded.signatureType;
  const server = getServer(loaded.userFunction, options);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = server.address().port;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

  const post = (body) =>
    new Promise((resolve, reject) => {
      const data = JSON.stringify(body === undefined ? null : body);
      const req = http.request(
        { host: '127.0.0.1', port, path: '/', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(data);
    });

  let queue = Promise.resolve();
  const answer = async (line) => {
    let message;
    try {
      message = JSON.parse(line);
    } catch {
      process.stderr.write('gcf-runtime: ignored a line that is not JSON\n');
      return;
    }
    if (message?.type !== 'invoke' || !Number.isInteger(message.id)) return;
    try {
      const { status, text } = await post(message.request);
      let body;
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
      if (status === 200) send({ type: 'result', id: message.id, response: body });
      else send({ type: 'result', id: message.id, error: JSON.stringify({ status, body }) });
    } catch (error) {
      send({ type: 'result', id: message.id, error: JSON.stringify({ status: 503, body: { error: String(error && error.message ? error.message : error) } }) });
    }
  };
  createInterface({ input: process.stdin })
    .on('line', (line) => {
      if (line.trim() !== '') queue = queue.then(() => answer(line));
    })
    .on('close', () => {
      void queue.then(() => process.exit(0));
    });
  send({ type: 'ready', pid: process.pid, initMs: Math.round((performance.now() - started) * 10) / 10 });
}

main().catch((error) => {
  process.stderr.write(`Error: ${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});
