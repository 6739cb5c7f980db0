/**
 * `npm run build:runtime`: builds every deployable bundle into dist/runtime and
 * prints their sizes and hashes. Exit 1 with one message on failure.
 */
import { buildRuntime } from './build-runtime';

// Ctrl-C or SIGTERM: say so and exit 130 (the build removes its staging directory on exit).
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`build:runtime: ${signal}: stopped; dist/runtime is left as it was\n`);
    process.exit(130);
  });
}

async function main(): Promise<number> {
  const started = performance.now();
  try {
    const manifest = await buildRuntime();
    const rows = Object.entries(manifest.bundles).map(([name, b]) => `  ${name.padEnd(13)} ${String(b.bytes).padStart(9)} B  ${b.sha256.slice(0, 16)}  ${b.dir}/${b.entry}`);
    process.stdout.write(`${rows.join('\n')}\nwrote dist/runtime/manifest.json (curtain ${manifest.tool.version}) in ${Math.round(performance.now() - started)} ms\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`build:runtime: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

void main().then((code) => {
  process.exitCode = code;
});
