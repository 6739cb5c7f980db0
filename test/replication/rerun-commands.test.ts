/**
 * Every rerun command `curtain replan` prints, for every target, is parsed back
 * by an independent POSIX shell-word parser, and the argument vector is fed to
 * the real option parsers of the program it names (curtain run, the AWS app's
 * -c context, the cdktf synthesis environment, curtain start/fetch): the
 * result must be the original plan (same hash) with every original option,
 * also for hostile values (quotes, $(...), backticks, spaces in paths).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CLOUD_OPTION_SPEC, CloudOptions } from '../../cli/commands/cloud-options';
import { RUN_OPTION_SPEC, RunCliOptions } from '../../cli/commands/run';
import { ValidationError } from '../../experiments/errors';
import { planStudy } from '../../experiments/plan';
import { StudyPlan } from '../../experiments/plan-schema';
import { buildCatalogStudy, parseSets, resolveDefinitionFile } from '../../experiments/resolve-study';
import { planLocalRun } from '../../local/run/run-local-study';
import type { LocalRunOptions } from '../../probe-runtime/contracts/run-manifest';
import { rerunCommands, RerunImpossibleError, type RerunRequest } from '../../replication/rerun';
import { quoteWord, renderCommand } from '../../replication/shell-words';
import { parseAwsAppContext } from '../../stacks/aws/app-context';
import { planStudiesFromContext } from '../../stacks/aws/build-app';
import { selectPlans as selectPlansFor } from '../../stacks/cdktf/select-plans';
import { cdktfTargets } from '../../targets/registry';

/** The cdktf app's selection over the registry's CDK for Terraform targets. */
const selectPlans = (env: NodeJS.ProcessEnv) => selectPlansFor(env, cdktfTargets());
import { validDefinition } from '../experiments/fixtures';
import { parseCommandLine, parseShellWords } from './support/posix-words';
import type { z } from 'zod';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'curtain-rerun-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const HOSTILE = `it's $(touch pwned) \`id\` "q" & | > < * ~x =y`;
const dir = path.join(tmp, `a dir;$(touch pwned) 'q' "d"`);
mkdirSync(dir, { recursive: true });
const definitionFile = path.join(dir, 'my study.json');
writeFileSync(definitionFile, JSON.stringify(validDefinition()));
const SETS = [`title=${HOSTILE}`, 'budget.maxUsd=3'];

function userPlan(provider: StudyPlan['provider'], region?: string, hosting?: string): StudyPlan {
  return planStudy(resolveDefinitionFile(definitionFile, parseSets(SETS)).definition, { provider, region, hosting });
}

function request(plan: StudyPlan, extra: Partial<RerunRequest> = {}): RerunRequest {
  return { plan, study: { kind: 'file', path: definitionFile, set: SETS }, local: null, deploy: null, bundleRoot: null, supplied: {}, ...extra };
}

/** Renders every step and parses it back: the words must be exactly the command's. */
function printedAndParsed(req: RerunRequest) {
  const commands = rerunCommands(req);
  return commands.steps.map((step) => {
    const line = renderCommand(step.command);
    const parsed = parseCommandLine(line);
    expect(parsed).toEqual({ env: step.command.env.map(([k, v]) => [k, v]), argv: [...step.command.argv] });
    return parsed;
  });
}

function cloudClient(argv: string[]) {
  const { values, positionals } = parseArgs({ args: argv.slice(4), options: { ...CLOUD_OPTION_SPEC, out: { type: 'string' } }, allowPositionals: true, strict: true });
  expect(positionals).toEqual([]);
  return { command: argv[2], study: argv[3], options: CloudOptions.parse(values), out: values.out };
}

describe('shell quoting', () => {
  test.each(['plain', '', HOSTILE, "it's", 'a\nb', '=x', '~home', '$HOME', 'a b', '"', '\\', 'x;y', '--set', 'k=v,w', 'ünïcode'])('%j survives quoting', (word) => {
    expect(parseShellWords(quoteWord(word))).toEqual([word]);
  });
});

describe('rerun commands parse back to the same study and options', () => {
  test('local: curtain run with every recorded option, a hostile path and values', () => {
    const plan = userPlan('local');
    const local: z.output<typeof LocalRunOptions> = {
      target: 'local',
      study: { kind: 'file', path: definitionFile, sha256: '0'.repeat(64) },
      set: SETS,
      profile: 'aws-2018',
      profileSet: ['lifecycle.freezeBetweenInvocations=false', `description=${HOSTILE}`],
      fault: ['crash=0.1', 'seed=7'],
      seed: 42,
      timeScale: 12.5,
      timeScaleGiven: true,
      maxInvocations: 900,
      cpuQuota: 'off',
      ioLimit: 'off',
      bundles: null,
    };
    const out = path.join(tmp, "out 'dir'");
    const bundleRoot = path.join(tmp, 'pkg $(x)', 'runtime');
    const [run] = printedAndParsed(request(plan, { local, bundleRoot, out }));
    expect(run!.argv.slice(0, 3)).toEqual(['npx', 'curtain', 'run']);
    const { values, positionals } = parseArgs({ args: run!.argv.slice(3), options: RUN_OPTION_SPEC, allowPositionals: true, strict: true });
    const o = RunCliOptions.parse(values);
    expect(positionals).toEqual([definitionFile]);
    expect(o).toMatchObject({ profile: 'aws-2018', 'profile-set': local.profileSet, fault: local.fault, seed: 42, 'time-scale': 12.5, 'cpu-quota': 'off', 'io-limit': 'off', 'max-invocations': 900, bundles: bundleRoot, out });
    expect(o.set).toEqual(SETS);
    expect(planLocalRun({ study: positionals[0]!, sets: parseSets(o.set), maxInvocations: o['max-invocations'] }).hash).toBe(planLocalRun({ study: definitionFile, sets: parseSets(SETS), maxInvocations: 900 }).hash);
  });

  test('local from a bare plan.json of a catalog study: every parameter, and a note that the platform options are defaults', () => {
    const plan = planStudy(buildCatalogStudy('coldstart', { memoryMb: [128], rounds: 2, runtimes: ['nodejs'] }), { provider: 'local' });
    const commands = rerunCommands(request(plan, { study: { kind: 'catalog' } }));
    const argv = parseCommandLine(renderCommand(commands.steps[0]!.command)).argv;
    const { values, positionals } = parseArgs({ args: argv.slice(3), options: RUN_OPTION_SPEC, allowPositionals: true, strict: true });
    const o = RunCliOptions.parse(values);
    expect(planLocalRun({ study: positionals[0]!, sets: parseSets(o.set), maxInvocations: o['max-invocations'] }).hash).toBe(plan.hash);
    expect(commands.notes.join(' ')).toMatch(/did not record its options/);
  });

  test('aws: cdk deploy -c options give the same plan; start and fetch name the region', () => {
    const plan = userPlan('aws', 'eu-west-1');
    const [deploy, start, fetch] = printedAndParsed(request(plan, { out: path.join(tmp, 'res $x') }));
    expect(deploy!.argv.slice(0, 3)).toEqual(['npx', 'cdk', 'deploy']);
    const context: Record<string, string> = {};
    const rest = deploy!.argv.slice(3);
    for (let i = 0; i < rest.length; i += 2) {
      expect(rest[i]).toBe('-c');
      const pair = rest[i + 1]!;
      context[pair.slice(0, pair.indexOf('='))] = pair.slice(pair.indexOf('=') + 1);
    }
    const parsed = parseAwsAppContext(context);
    expect(parsed.definition).toBe(definitionFile);
    expect(planStudiesFromContext(parsed).map((p) => p.hash)).toEqual([plan.hash]);
    for (const client of [start!, fetch!]) expect(cloudClient(client.argv)).toMatchObject({ study: 'tiny', options: { provider: 'aws', region: 'eu-west-1' } });
    expect(cloudClient(fetch!.argv).out).toBe(path.join(tmp, 'res $x'));
  });

  test('aws isolation: --all, and tenant b in the reviewer\'s second account (a placeholder until given)', () => {
    const plan = planStudy(buildCatalogStudy('isolation', { rounds: 1 }), { provider: 'aws' });
    const placeholder = rerunCommands(request(plan, { study: { kind: 'catalog' } }));
    expect(placeholder.missing).toEqual([expect.objectContaining({ placeholder: '<tenant-b-aws-account-id>', option: '--tenant-b' })]);
    const [deploy] = printedAndParsed(request(plan, { study: { kind: 'catalog' }, supplied: { tenantB: '123456789012' }, bundleRoot: '/pkg/runtime' }));
    expect(deploy!.argv).toContain('--all');
    const pairs = deploy!.argv.filter((_, i, all) => all[i - 1] === '-c');
    const context = Object.fromEntries(pairs.map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]));
    const parsed = parseAwsAppContext(context);
    expect(parsed).toMatchObject({ tenantB: '123456789012', bundleRoot: '/pkg/runtime', study: ['isolation'] });
    expect(planStudiesFromContext(parsed)[0]!.hash).toBe(plan.hash);
  });

  test.each([
    ['gcp', 'europe-west3', undefined],
    ['azure', 'westeurope', 'consumption'],
  ] as const)('%s: the cdktf environment gives the same plan; the project/subscription reaches deploy, start and fetch', (provider, region, hosting) => {
    const plan = userPlan(provider, region, hosting);
    const id = provider === 'gcp' ? 'my-project-123' : '01234567-89ab-cdef-0123-456789abcdef';
    const supplied = provider === 'gcp' ? { gcpProject: id } : { azureSubscription: id };
    const [deploy, start, fetch] = printedAndParsed(request(plan, { supplied, bundleRoot: path.join(tmp, "it's", 'runtime') }));
    expect(deploy!.argv).toEqual(['npx', 'cdktf', 'deploy', `${provider}-tiny`, '--var', `${provider === 'gcp' ? 'gcp_project' : 'azure_subscription_id'}=${id}`]);
    const env = Object.fromEntries(deploy!.env);
    expect(env).toMatchObject({ CURTAIN_DEFINITION: definitionFile, CURTAIN_PROVIDERS: provider, CURTAIN_BUNDLE_ROOT: path.join(tmp, "it's", 'runtime') });
    const selected = selectPlans(env);
    expect(selected.plans.map((p) => p.plan.hash)).toEqual([plan.hash]);
    for (const client of [start!, fetch!]) {
      const parsed = cloudClient(client.argv);
      expect(parsed.options.provider).toBe(provider);
      if (provider === 'gcp') expect(parsed.options).toMatchObject({ project: id, region });
      else expect(client.env).toEqual([['AZURE_SUBSCRIPTION_ID', id]]);
    }
  });

  test('gcp isolation: tenant b\'s project as its own Terraform variable; placeholders listed until given', () => {
    const plan = planStudy(buildCatalogStudy('isolation', { rounds: 1 }), { provider: 'gcp' });
    const commands = rerunCommands(request(plan, { study: { kind: 'catalog' } }));
    expect(commands.missing.map((m) => m.option)).toEqual(['--gcp-project', '--tenant-b']);
    const [deploy] = printedAndParsed(request(plan, { study: { kind: 'catalog' }, supplied: { gcpProject: 'project-a-1', tenantB: 'project-b-2' } }));
    expect(deploy!.argv.slice(4)).toEqual(['--var', 'gcp_project=project-a-1', '--var', 'gcp_project_b=project-b-2']);
    expect(selectPlans(Object.fromEntries(deploy!.env)).plans.map((p) => p.plan.hash)).toEqual([plan.hash]);
  });

  test('a parameter CURTAIN_SET cannot carry is refused instead of silently changing the study', () => {
    const plan = userPlan('gcp');
    expect(() => rerunCommands(request(plan, { study: { kind: 'file', path: definitionFile, set: ['title=a;b'] } }))).toThrow(RerunImpossibleError);
  });
});

describe('hostile regions are refused where they enter', () => {
  const evil = 'us-east-1;touch pwned';
  test('planStudy', () => {
    expect(() => planStudy(validDefinition(), { provider: 'aws', region: evil })).toThrow(ValidationError);
    expect(() => planStudy(validDefinition(), { provider: 'gcp', region: 'us-east-1' })).toThrow(/expected a Google Cloud region/);
  });
  test('a plan.json carrying one', () => {
    const plan = planStudy(validDefinition(), { provider: 'aws' });
    expect(StudyPlan.safeParse({ ...plan, region: evil }).success).toBe(false);
    expect(StudyPlan.safeParse({ ...plan, hosting: 'lambda $(x)' }).success).toBe(false);
  });
  test('curtain start/fetch, the AWS app and the cdktf environment', () => {
    expect(CloudOptions.safeParse({ provider: 'aws', region: evil }).success).toBe(false);
    expect(CloudOptions.safeParse({ provider: 'gcp', region: 'eastus' }).success).toBe(false);
    expect(CloudOptions.safeParse({ provider: 'gcp', project: 'p;rm -rf' }).success).toBe(false);
    expect(CloudOptions.safeParse({ provider: 'aws', run: '..' }).success).toBe(false);
    expect(() => parseAwsAppContext({ study: 'coldstart', region: evil })).toThrow(ValidationError);
    expect(() => selectPlans({ CURTAIN_STUDY: 'coldstart', CURTAIN_GCP_REGION: evil })).toThrow(ValidationError);
    expect(() => selectPlans({ CURTAIN_STUDY: 'coldstart', CURTAIN_DEFINITION: 'a\nb.json' })).toThrow(ValidationError);
  });
});
