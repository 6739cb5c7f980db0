/**
 * `curtain run <study> --target <provider>`: the provider's offline twin
 * (targets/registry.ts: a target's `twin`), with a one-line summary, the
 * calls per identity and any denied call. Exit codes as `curtain run`.
 */
import path from 'node:path';
import type { ProviderId } from '../../probe-runtime/contracts/providers';
import { TARGETS } from '../../targets/registry';
import { EXIT } from '../cli-error';
import type { CliIo } from '../command';

export interface TwinCliOptions {
  target: ProviderId;
  study: string;
  sets: Record<string, unknown>;
  out: string;
  profile?: string;
  profileSet: Record<string, unknown>;
  timeScale?: number;
  seed?: number;
  run?: string;
  report: boolean;
  json: boolean;
}

export async function runTwinCommand(o: TwinCliOptions, io: CliIo): Promise<number> {
  const twin = TARGETS[o.target].twin;
  if (!twin) {
    io.err(`curtain run: the ${o.target} target has no offline twin yet (docs/twins.md)`);
    return EXIT.usage;
  }
  const interrupt = new AbortController();
  const onSignal = () => interrupt.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    io.err(`curtain run ${o.study} --target ${o.target}: ${twin.description}`);
    const result = await twin.run({
      study: o.study,
      sets: o.sets,
      outDir: path.resolve(io.cwd, o.out),
      profile: o.profile,
      profileSet: o.profileSet,
      timeScale: o.timeScale,
      seed: o.seed,
      run: o.run,
      report: o.report,
      signal: interrupt.signal,
      log: (line) => io.err(line),
    });
    if (o.json) io.out(JSON.stringify({ ...result, elapsedMs: Math.round(result.elapsedMs) }, null, 2));
    else {
      const byIdentity = new Map<string, number>();
      for (const c of result.calls) byIdentity.set(c.identity, (byIdentity.get(c.identity) ?? 0) + 1);
      io.out(
        [
          `run ${result.run} on the ${o.target} twin: ${result.status}, ${result.records} of ${result.planned} records in ${(result.elapsedMs / 1000).toFixed(1)} s (template ${result.templateHash.slice(0, 12)})`,
          `API calls: ${[...byIdentity].map(([id, n]) => `${id} ${n}`).join(', ') || 'none'}; denied: ${result.calls.filter((c) => !c.allowed).length}`,
          ...(result.failure ? [`failed: ${result.failure}`] : []),
          ...(result.runDir ? [`run directory: ${path.relative(io.cwd, result.runDir) || '.'} (twin.json lists the calls per identity)`] : ['no run directory: the run wrote nothing']),
          ...(result.report ? [`report: ${path.relative(io.cwd, result.report)}`] : []),
        ].join('\n'),
      );
    }
    if (result.status === 'interrupted') return EXIT.interrupted;
    return result.status === 'completed' ? EXIT.ok : EXIT.failed;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
