/**
 * `npm run bench workerd-probe`: the Cloudflare probe bundle in workerd (miniflare) against a bare
 * `node` HTTP handler answering the same JSON, alternating, same run (this machine is noisy: read
 * the ratios). Cold: runtime start to the first answer (workerd: a new Miniflare, i.e. a workerd
 * process, the isolate and the first request; node: spawn → listen → first answer). Warm: median of
 * sequential requests to the running instance (workerd: dispatchFetch through miniflare's loopback
 * entry; node: fetch to loopback). Also the probe bundle's size.
 */
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';
import { Miniflare } from 'miniflare';
import { bundleSet } from '../probe-runtime/build/bundle-set';
import { REPO_ROOT } from '../probe-runtime/build/build-runtime';
import { ensureRuntimeBuilt } from '../probe-runtime/build/ensure-runtime-built';
import { probeBundleName } from '../probe-runtime/contracts/bundle-manifest';
import { readBundleModule } from '../stacks/cloudflare/bundle-module';
import { COMPATIBILITY_FLAGS } from '../stacks/cloudflare/names';
import { killWorkerdChildren } from '../stacks/cloudflare/twin/workerd-processes';

const COLD_RUNS = 5;
const WARM_RUNS = 200;
const request = () => JSON.stringify({ v: 1, study: 'bench', run: 'r', step: 0, request: 0, attempt: 1, target: 'f', task: { name: 'noop' }, barrierAt: null, sentAt: Date.now() });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const NODE_SERVER = `require('node:http').createServer((q,s)=>{let b='';q.on('data',c=>b+=c);q.on('end',()=>{s.setHeader('content-type','application/json');s.end(JSON.stringify({ok:true,n:b.length}))})}).listen(0,'127.0.0.1',function(){process.stdout.write(this.address().port+'\\n')})`;

async function workerd(contents: string): Promise<{ cold: number; warm: number[] }> {
  const start = performance.now();
  const mf = new Miniflare({ modules: [{ type: 'ESModule', path: 'index.js', contents }], compatibilityDate: '2026-07-30', compatibilityFlags: COMPATIBILITY_FLAGS });
  try {
    await (await mf.dispatchFetch('http://probe/', { method: 'POST', body: request() })).text();
    const cold = performance.now() - start;
    const warm: number[] = [];
    for (let i = 0; i < WARM_RUNS; i++) {
      const t = performance.now();
      await (await mf.dispatchFetch('http://probe/', { method: 'POST', body: request() })).text();
      warm.push(performance.now() - t);
    }
    return { cold, warm };
  } finally {
    await mf.dispose();
    killWorkerdChildren();
  }
}

async function node(): Promise<{ cold: number; warm: number[] }> {
  const start = performance.now();
  const child = spawn(process.execPath, ['-e', NODE_SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<number>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
    const url = `http://127.0.0.1:${port}/`;
    await (await fetch(url, { method: 'POST', body: request() })).text();
    const cold = performance.now() - start;
    const warm: number[] = [];
    for (let i = 0; i < WARM_RUNS; i++) {
      const t = performance.now();
      await (await fetch(url, { method: 'POST', body: request() })).text();
      warm.push(performance.now() - t);
    }
    return { cold, warm };
  } finally {
    child.kill('SIGKILL');
  }
}

async function main(): Promise<void> {
  const bundles = bundleSet(REPO_ROOT, await ensureRuntimeBuilt({ log: (l) => console.log(l) }));
  const file = path.join(bundles.dir(probeBundleName('cloudflare')), 'index.js');
  console.log(`probe-cloudflare bundle: ${statSync(file).size} bytes (limit 30,720)`);
  const contents = readBundleModule(bundles, probeBundleName('cloudflare'));
  const w = { cold: [] as number[], warm: [] as number[] };
  const n = { cold: [] as number[], warm: [] as number[] };
  for (let i = 0; i < COLD_RUNS; i++) {
    const a = await workerd(contents);
    const b = await node();
    w.cold.push(a.cold);
    w.warm.push(...a.warm);
    n.cold.push(b.cold);
    n.warm.push(...b.warm);
  }
  const line = (what: string, a: number, b: number) => console.log(`  ${what.padEnd(6)} workerd probe ${a.toFixed(1)} ms   bare node handler ${b.toFixed(1)} ms   ratio ${(a / b).toFixed(2)}×`);
  console.log(`median of ${COLD_RUNS} cold starts and ${COLD_RUNS * WARM_RUNS} warm requests each, alternating:`);
  line('cold', median(w.cold), median(n.cold));
  line('warm', median(w.warm), median(n.warm));
}

main().catch((error) => {
  console.error(error);
  killWorkerdChildren();
  process.exit(1);
});
