/**
 * Which folders may import which (checked by `npm run lint:layers`, part of
 * `npm test`). Imports run down the layers only:
 *
 *   probe-runtime/contracts   wire and record contracts; imports nothing of ours
 *   experiments               definitions, plans, capabilities, prices, cost  → contracts
 *   probe-runtime/probe       the probe (≤ 30 KB bundles)                      → contracts
 *   probe-runtime/driver      the driver                                       → contracts, experiments
 *   probe-runtime/build       the bundler                                      → contracts, probe, experiments
 *   targets/ (contract)       ProviderTarget, clients' shared code            → experiments, probe-runtime
 *   stacks/, local/           one folder per target                            → the above
 *   analysis/                 reading runs, reports                            → experiments, contracts
 *   targets/registry.ts       every target                                     → stacks/<p>/target.ts, local/target.ts
 *   cli/, replication/, app entries  user-facing commands, packages, replan       → anything above
 *   tools/, bench/, test/     may import anything; nothing imports them
 *
 * Why: a lower layer must build, bundle and be tested without the ones above
 * (the probe bundle without zod, the driver without the stacks, the stacks
 * without the CLI), and a provider's folder must not reach into another's.
 * Each rule's `comment` says what it protects; a violation names the import.
 */
const SOURCE = '^(cli|replication|experiments|probe-runtime|stacks|local|analysis|targets|twins|tools|bench|test)/';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'A cycle makes two modules one: neither can be understood, loaded or tested alone. ' +
        'The one exception is the CLI dispatcher: `curtain replan --execute` runs `curtain` commands in process through cli/main.ts, which it loads on use.',
      from: { path: SOURCE },
      to: { circular: true, viaNot: '^cli/main\\.ts$' },
    },
    {
      name: 'contracts-import-nothing-of-ours',
      severity: 'error',
      comment: 'The wire contracts are the bottom layer: the probe, the driver, the orchestrators and the analysis all read them.',
      from: { path: '^probe-runtime/contracts/' },
      to: { path: SOURCE, pathNot: '^probe-runtime/contracts/' },
    },
    {
      name: 'experiments-import-only-contracts',
      severity: 'error',
      comment: 'Planning is pure: it knows the contracts, never a target, the runtime or the CLI.',
      from: { path: '^experiments/' },
      to: { path: SOURCE, pathNot: '^(experiments|probe-runtime/contracts)/' },
    },
    {
      name: 'probe-imports-only-contracts',
      severity: 'error',
      comment: 'The probe is bundled on its own under 30 KB; it may not pull in planning or the driver.',
      from: { path: '^probe-runtime/probe/' },
      to: { path: SOURCE, pathNot: '^probe-runtime/(probe|contracts)/' },
    },
    {
      name: 'driver-imports-contracts-and-plans',
      severity: 'error',
      comment: 'The driver runs in the cloud from its bundle: it reads plans, never stacks, clients or the CLI.',
      from: { path: '^probe-runtime/driver/' },
      to: { path: SOURCE, pathNot: '^(probe-runtime/(driver|contracts)|experiments)/' },
    },
    {
      name: 'build-imports-runtime-and-plans',
      severity: 'error',
      comment: 'The bundler builds what runs in the cloud; the stacks and the local platform call it, not the other way round.',
      from: { path: '^probe-runtime/build/' },
      to: { path: SOURCE, pathNot: '^(probe-runtime|experiments)/' },
    },
    {
      name: 'target-contract-below-targets',
      severity: 'error',
      comment: 'targets/ (but the registry) is the contract every target implements: it may not know any target.',
      from: { path: '^targets/', pathNot: '^targets/registry\\.ts$' },
      to: { path: SOURCE, pathNot: '^(targets|experiments|probe-runtime)/' },
    },
    {
      name: 'only-entries-read-the-registry',
      severity: 'error',
      comment: 'The registry imports every target; a target or a layer below it reading the registry would be a cycle.',
      from: { path: SOURCE, pathNot: '^(cli|replication|tools|bench|test)/|^stacks/cdktf-app\\.ts$|^targets/registry\\.ts$' },
      to: { path: '^targets/registry\\.ts$' },
    },
    {
      name: 'registry-imports-target-descriptors',
      severity: 'error',
      comment: 'The registry lists targets; their heavy modules load on use, behind their descriptors.',
      from: { path: '^targets/registry\\.ts$' },
      to: { path: '^(stacks|local)/', pathNot: '^(stacks/[a-z]+/target|local/target)\\.ts$' },
    },
    {
      name: 'targets-do-not-import-the-cli',
      severity: 'error',
      comment: 'Stacks, clients and the local platform are used by the CLI, the apps and the tests alike; the CLI is above them.',
      from: { path: '^(stacks|local|analysis|targets)/' },
      to: { path: '^(cli|replication)/' },
    },
    {
      name: 'stacks-and-local-are-apart',
      severity: 'error',
      comment: 'The embedded platform and the cloud stacks are separate targets; what they share lives in a lower layer.',
      from: { path: '^stacks/' },
      to: { path: '^(local|analysis)/' },
    },
    {
      name: 'local-does-not-import-stacks',
      severity: 'error',
      comment: 'The embedded platform and the cloud stacks are separate targets; what they share lives in a lower layer.',
      from: { path: '^local/' },
      to: { path: '^stacks/' },
    },
    {
      name: 'a-provider-folder-keeps-to-itself',
      severity: 'error',
      comment: 'stacks/<provider>/ is one provider: code two providers share lives in stacks/cdktf/ or below.',
      from: { path: '^stacks/(aws|gcp|azure)/' },
      to: { path: '^stacks/(aws|gcp|azure)/', pathNot: '^stacks/$1/' },
    },
    {
      name: 'analysis-reads-plans-and-records',
      severity: 'error',
      comment: 'The analysis reads a run directory through the contracts; it does not depend on how the run was made.',
      from: { path: '^analysis/' },
      to: { path: SOURCE, pathNot: '^(analysis|experiments|probe-runtime/contracts)/' },
    },
    {
      name: 'nothing-imports-tools-bench-or-tests',
      severity: 'error',
      comment: 'Tools, benchmarks and tests sit on top; shipped code never depends on them.',
      from: { path: '^(cli|replication|experiments|probe-runtime|stacks|local|analysis|targets)/' },
      to: { path: '^(tools|bench|test)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|cdk\\.out|cdktf\\.out)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // require() is how targets load heavy modules on use: it is an import like any other.
    moduleSystems: ['cjs', 'es6'],
  },
};
