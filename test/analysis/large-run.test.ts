import { analyzeRun } from '../../analysis';
import { writeLargeColdstartRun } from './synthetic/large-coldstart-run';
import { useTmpDir } from './synthetic/tmp-dir';

const tmp = useTmpDir();

test('the benchmark run generator writes valid, complete runs whose medians are known', async () => {
  const { dir, records } = await writeLargeColdstartRun(tmp(), { rounds: 3, coldPerFunction: 20, warmPerFunction: 150, hosts: 40 });
  expect(records).toBe(3 * 8 * (20 + 150));
  const a = await analyzeRun(dir);
  expect(a.stream.malformed).toBe(0);
  expect(a.stream.records).toBe(records);
  expect(a.ledger.missing).toBe(0);
  expect(a.hosts.hosts.length).toBeLessThanOrEqual(40);
  expect(Math.abs((a.metrics.get('coldstart.warmMedianMs')!.value as number) - 25)).toBeLessThan(1);
  expect(Math.abs((a.metrics.get('coldstart.coldMedianMs')!.value as number) - 250)).toBeLessThan(10);
});
