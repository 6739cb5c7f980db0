import { main } from '../../../cli/main';
import type { CliIo } from '../../../cli/command';
import { FIXTURE_EXPECTATIONS } from './fixture-expectations';
import { fixtureRoots, REPO } from './helpers';

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`), isTty: false, cwd: REPO };
  const code = await main(['fingerprint', ...args], io);
  return { code, out, err };
}

describe('curtain fingerprint', () => {
  const savedIds = { K_SERVICE: process.env.K_SERVICE };
  beforeAll(() => {
    process.env.K_SERVICE = 'probe-node-m256';
  });
  afterAll(() => {
    if (savedIds.K_SERVICE === undefined) delete process.env.K_SERVICE;
    else process.env.K_SERVICE = savedIds.K_SERVICE;
  });

  test('--json prints the contract field names, CPU counters and provider ids for a given tree', async () => {
    const { procRoot, sysRoot } = fixtureRoots('lambda-2018');
    const { code, out } = await run(['--proc-root', procRoot, '--sys-root', sysRoot, '--json']);
    expect(code).toBe(0);
    const printed = JSON.parse(out) as Record<string, unknown>;
    const expected = FIXTURE_EXPECTATIONS['lambda-2018']!;
    expect(printed).toMatchObject({ ...expected.host, cpuTimes: expected.cpuTimes });
    expect(printed.providerIds).toMatchObject({ K_SERVICE: 'probe-node-m256' });
    expect(Object.keys(printed).sort()).toEqual([...Object.keys(expected.host), 'cpuTimes', 'providerIds'].sort());
  });

  test('relative roots are resolved from the working directory; the text form shows every field', async () => {
    const { code, out } = await run(['--proc-root', 'test/fixtures/proc/gvisor/proc']);
    expect(code).toBe(0);
    expect(out).toMatch(/^bootTime\s+1795600000 \(2026-11-25T/m);
    expect(out).toMatch(/^cgroup\s+\(unavailable\)/m);
    expect(out).toMatch(/^cpuModel\s+Intel\(R\) Xeon\(R\) CPU @ 2\.20GHz/m);
    expect(out).toMatch(/^cpuTimes\s+user=0 nice=0 system=0 idle=0 iowait=0 irq=0 softirq=0 steal=0/m);
    expect(out).toMatch(/^providerIds\s+.*K_SERVICE=probe-node-m256/m);
  });

  test('a root that is not a directory, or a stray argument, is a usage error', async () => {
    const missing = await run(['--proc-root', '/nonexistent/proc']);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('--proc-root: no such directory');
    const stray = await run(['extra']);
    expect(stray.code).toBe(1);
    expect(stray.err).toContain('unexpected argument "extra"');
  });
});
