/** Rerun on the embedded local platform: one `curtain run` with every option the run recorded. */
import { type RerunBuilder, type RerunStep, studyArguments } from '../targets/rerun';

export const localRerunCommands: RerunBuilder = (request) => {
  const study = studyArguments(request);
  const o = request.local;
  const notes: string[] = [];
  const argv = ['npx', 'curtain', 'run', study.ref, ...study.sets.flatMap((s) => ['--set', s])];
  if (o) {
    argv.push('--profile', o.profile, ...o.profileSet.flatMap((s) => ['--profile-set', s]), ...o.fault.flatMap((f) => ['--fault', f]));
    argv.push('--seed', String(o.seed), '--time-scale', String(o.timeScale));
    if (o.cpuQuota !== 'auto') argv.push('--cpu-quota', o.cpuQuota);
    if (o.ioLimit !== 'auto') argv.push('--io-limit', o.ioLimit);
  } else {
    notes.push('the run did not record its options (profile, seed, time scale, faults): the command uses this version\'s defaults, so it may not run the same emulation');
  }
  argv.push('--max-invocations', String(o?.maxInvocations ?? request.plan.budget.maxInvocations));
  if (request.bundleRoot !== null) argv.push('--bundles', request.bundleRoot);
  else if (o?.bundles) notes.push(`the run used prebuilt bundles (${o.bundles}); without the package's runtime/ this checkout's bundles run instead`);
  if (request.out !== undefined) argv.push('--out', request.out);
  const step: RerunStep = { what: 'run the study on the embedded local platform', command: { env: [], argv }, executable: true };
  return { steps: [step], missing: [], notes };
};
