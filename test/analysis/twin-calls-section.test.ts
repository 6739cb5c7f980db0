/**
 * report.md of a run an offline twin made lists its cloud API calls per
 * identity (action, allowed, denied), the denied calls and the grants never
 * used, from the run's twin.json (probe-runtime/contracts/twin-record.ts);
 * a run without twin.json has no such section, and a malformed twin.json is
 * a note, never a lost report.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { writeReport } from '../../analysis';
import type { TwinRecord } from '../../probe-runtime/contracts/twin-record';
import { catalogPlan, SyntheticRun } from './synthetic/synthetic-run';
import { useTmpDir } from './synthetic/tmp-dir';

const tmp = useTmpDir();

function coldstartRun(root: string): string {
  const plan = catalogPlan('coldstart', 'aws', { rounds: 1, memoryMb: [128], runtimes: ['nodejs'], concurrent: 1 });
  const run = new SyntheticRun(plan);
  const host = run.host();
  for (const burst of run.bursts()) for (let r = 0; r < burst.requests; r++) run.record(burst, r, { instance: run.instance(host) });
  return run.write(root);
}

const TWIN: TwinRecord = {
  v: 1,
  target: 'aws',
  stack: 'CurtainColdstart',
  templateHash: 'ab'.repeat(32),
  failures: [],
  identities: [
    {
      identity: 'driver',
      principal: 'arn:aws:iam::111122223333:role/DriverRole',
      actions: [
        { action: 'lambda:InvokeFunction', allowed: 2, denied: 1 },
        { action: 's3:PutObject', allowed: 5, denied: 0 },
      ],
      denied: [{ action: 'lambda:InvokeFunction', resource: 'arn:aws:lambda:us-east-1:111122223333:function:probe-x' }],
      unusedGrants: ['s3:DeleteObject'],
    },
    { identity: 'probe', principal: 'arn:aws:iam::111122223333:role/ProbeRole', actions: [], denied: [], unusedGrants: [] },
  ],
};

async function reportOf(runDir: string): Promise<string> {
  const written = await writeReport(runDir);
  return readFileSync(written.reportPath, 'utf8');
}

describe('the cloud API calls section of report.md', () => {
  test('a twin run lists the calls per identity and action, the denied calls and the grants never used', async () => {
    const runDir = coldstartRun(path.join(tmp(), 'twin'));
    writeFileSync(path.join(runDir, 'twin.json'), JSON.stringify(TWIN));
    const report = await reportOf(runDir);
    const section = report.slice(report.indexOf('## Cloud API calls (twin)'));
    expect(report).toContain('## Cloud API calls (twin)');
    expect(section).toContain('**1 denied**');
    expect(section).toContain('| driver | `lambda:InvokeFunction` | 2 | 1 |');
    expect(section).toContain('| driver | `s3:PutObject` | 5 | 0 |');
    expect(section).toContain('| probe | (no calls) | 0 | 0 |');
    expect(section).toContain('| driver | `lambda:InvokeFunction` | `arn:aws:lambda:us-east-1:111122223333:function:probe-x` |');
    expect(section).toContain('| driver | DriverRole | `s3:DeleteObject` |');
    expect(section).toContain('| probe | ProbeRole | (none) |');
  });

  test('a run without twin.json has no such section, and checks the claims about its cloud', async () => {
    const report = await reportOf(coldstartRun(path.join(tmp(), 'plain')));
    expect(report).not.toContain('Cloud API calls');
    expect(report).toContain('(`aws-warm-median`)');
  });

  test('a twin that evaluates no permissions (Cloudflare: no template, no identities) says so', async () => {
    const runDir = coldstartRun(path.join(tmp(), 'no-iam'));
    writeFileSync(path.join(runDir, 'twin.json'), JSON.stringify({ ...TWIN, target: 'cloudflare', stack: 'workerd (coldstart)', templateHash: null, identities: [] }));
    const report = await reportOf(runDir);
    expect(report).toContain('This run was made by the cloudflare twin from the deployment\'s modules (workerd (coldstart)); it evaluates no permissions');
    expect(report).toMatch(/No claim is checked: this run was made by the cloudflare offline twin/);
  });

  test('a twin run checks no claim about the cloud (its probes ran on this machine), even when twin.json cannot be read', async () => {
    for (const [name, text] of [['twin-claims', JSON.stringify(TWIN)], ['bad-twin-claims', '{"v": 1}']] as const) {
      const runDir = coldstartRun(path.join(tmp(), name));
      writeFileSync(path.join(runDir, 'twin.json'), text);
      const report = await reportOf(runDir);
      const claims = report.slice(report.indexOf('## Claims'), report.indexOf('\n## ', report.indexOf('## Claims') + 1));
      expect(claims).toMatch(/No claim is checked: this run was made by the (aws|unknown) offline twin, whose probes ran on this machine/);
      expect(claims).not.toMatch(/\*\*(consistent|differs)\*\*/);
    }
  });

  test('a malformed twin.json is named in the notes and the report is still written', async () => {
    const runDir = coldstartRun(path.join(tmp(), 'bad'));
    writeFileSync(path.join(runDir, 'twin.json'), JSON.stringify({ ...TWIN, identities: [{ identity: 'driver' }] }));
    const report = await reportOf(runDir);
    expect(report).not.toContain('## Cloud API calls');
    expect(report).toMatch(/twin\.json was ignored: .*twin\.json: not a valid twin record: identities\[0\]\.principal: required/);
  });
});
