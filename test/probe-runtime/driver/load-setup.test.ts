import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { DriverConfigError } from '../../../probe-runtime/driver/errors';
import { driverFiles, loadDriverSetup, loadPlanFile } from '../../../probe-runtime/driver/config/load-setup';
import { tempDir } from './support/driver-fixture';
import { testPlan } from './support/plan-fixture';

const plan = testPlan();
const [a, b] = plan.functions.map((f) => f.key) as [string, string];
const deployment = { v: 1, provider: 'gcp', region: 'europe-west1', planHash: plan.hash, targets: { [a]: 'https://a.example/run', [b]: 'https://b.example/run' } };

describe('loading plan.json and deployment.json beside the driver', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir('setup');
  });
  afterEach(() => tmp.remove());
  const write = (name: string, value: unknown) => writeFileSync(path.join(tmp.dir, name), typeof value === 'string' ? value : JSON.stringify(value));

  test('loads both from the bundle directory and merges CURTAIN_TARGETS over the file', () => {
    write('plan.json', plan);
    write('deployment.json', deployment);
    const setup = loadDriverSetup(tmp.dir, { CURTAIN_TARGETS: JSON.stringify({ [b]: 'https://b2.example/run' }) });
    expect(setup.plan).toEqual(plan);
    expect(setup.deployment.targets).toEqual({ [a]: 'https://a.example/run', [b]: 'https://b2.example/run' });
  });

  test('CURTAIN_PLAN_FILE / CURTAIN_DEPLOYMENT_FILE override the locations', () => {
    expect(driverFiles('/bundle', { CURTAIN_PLAN_FILE: '/x/p.json' })).toEqual({ planFile: '/x/p.json', deploymentFile: '/bundle/deployment.json' });
  });

  const broken: [string, () => void, RegExp][] = [
    ['a missing plan', () => undefined, /^plan .*plan\.json: cannot be read \(ENOENT\)$/],
    ['a plan that is not JSON', () => write('plan.json', '{'), /^plan .*plan\.json: not JSON/],
    ['an invalid plan, naming the path', () => write('plan.json', { ...plan, steps: 'none' }), /^plan .*plan\.json: steps: expected array/],
    ['a plan edited after planning', () => write('plan.json', { ...plan, invocations: plan.invocations + 1 }), /^plan .*plan\.json: content hash is [0-9a-f]{64}, the plan says [0-9a-f]{64} \(edited after planning\?\)$/],
    ['a deployment for another plan', () => (write('plan.json', plan), write('deployment.json', { ...deployment, planHash: '2'.repeat(64) })), /^deployment .*: planHash 2{64} is not the deployed plan's/],
    ['a plan function without a target', () => (write('plan.json', plan), write('deployment.json', { ...deployment, targets: { [a]: 'x' } })), new RegExp(`^deployment .*: no target for plan function\\(s\\) ${b}$`)],
    ['an invalid deployment, naming the path', () => (write('plan.json', plan), write('deployment.json', { ...deployment, provider: 'ibm' })), /^deployment .*: provider: /],
  ];
  test.each(broken)('refuses %s with one clear message', (_what, arrange, message) => {
    arrange();
    let error: unknown;
    try {
      loadDriverSetup(tmp.dir, {});
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DriverConfigError);
    expect((error as Error).message).toMatch(message);
  });

  test('refuses a CURTAIN_TARGETS that is not a JSON object of strings', () => {
    write('plan.json', plan);
    write('deployment.json', deployment);
    expect(() => loadDriverSetup(tmp.dir, { CURTAIN_TARGETS: '[' })).toThrow('CURTAIN_TARGETS: not JSON');
    expect(() => loadDriverSetup(tmp.dir, { CURTAIN_TARGETS: '{"x":1}' })).toThrow(/^CURTAIN_TARGETS: x: expected string/);
  });

  test('loadPlanFile accepts exactly what the planner wrote', () => {
    write('plan.json', JSON.stringify(plan, null, 2));
    expect(loadPlanFile(path.join(tmp.dir, 'plan.json')).hash).toBe(plan.hash);
  });
});
