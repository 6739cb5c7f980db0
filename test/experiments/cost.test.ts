/**
 * The cost of one small plan per provider, computed by hand from the published
 * list prices typed in below (not imported), so a change to the model or the
 * price table that alters an estimate is caught and must be re-derived here.
 *
 * The plan: one 1,024 MB Node.js function (1,536 MB on Azure Consumption), a burst
 * of 10 requests that sleep 100 ms (cold: first requests after deploy), a 60 s
 * wait (too short for idle recycling), and the same burst again (warm).
 * Model constants: 20 ms probe overhead, 250 ms cold init, 300 ms request latency,
 * 500 ms driver overhead, 8 orchestrator units per run + 1 per wait + 3 per burst
 * + 2 per shard, 3 + 1 per shard writes, 2 + 1 per shard reads, 2,500 bytes per
 * record, log bytes 400 per probe call, 2,000 per driver call, 500 per orchestrator unit.
 */
import { planStudy } from '../../experiments/plan';
import { validDefinition } from './fixtures';

// Usage every provider shares.
const orchestratorUnits = 8 + (3 + 2) + 1 + (3 + 2); // 19
const writes = 3 + 2;
const reads = 2 + 2;
const storedGb = (20 * 2500) / 1e9;
const logGb = (20 * 400 + 2 * 2000 + orchestratorUnits * 500) / 1e9;

describe('cost model, checked by hand', () => {
  test('AWS Lambda + Step Functions + S3 + CloudWatch Logs (us-east-1)', () => {
    const gbSecond = 0.0000166667;
    const perRequest = 0.2 / 1e6;
    // 1 GB × (10 cold × (100 + 20 + 250) ms + 10 warm × (100 + 20) ms), 1 ms billing.
    const probes = 1 * (10 * 0.37 + 10 * 0.12) * gbSecond + 20 * perRequest;
    // Driver 1,024 MB, one shard per burst, one wave: 100 ms task + 300 ms latency + 500 ms overhead.
    const driver = 2 * 1 * 0.9 * gbSecond + 2 * perRequest;
    const orchestrator = orchestratorUnits * (0.025 / 1000);
    const storage = writes * (0.005 / 1000) + reads * (0.0004 / 1000) + storedGb * 0.023;
    const logs = logGb * 0.5;
    const plan = planStudy(validDefinition(), { provider: 'aws' });
    expect(plan.cost.breakdown.probes).toBeCloseTo(probes, 6);
    expect(plan.cost.breakdown.driver).toBeCloseTo(driver, 6);
    expect(plan.cost.breakdown.orchestrator).toBeCloseTo(orchestrator, 6);
    expect(plan.cost.breakdown.storage).toBeCloseTo(storage, 6);
    expect(plan.cost.breakdown.logs).toBeCloseTo(logs, 6);
    expect(plan.cost.usd).toBeCloseTo(probes + driver + orchestrator + storage + logs, 6);
    expect(plan.cost.usd).toBeCloseTo(0.00063, 6);
  });

  test('Google Cloud Run functions + Workflows + GCS (us-central1), 100 ms billing, CPU billed separately', () => {
    const gibSecond = 0.0000025;
    const vcpuSecond = 0.000024;
    const perRequest = 0.4 / 1e6;
    const vcpu = 0.583; // 1 GiB → 0.583 vCPU
    // Cold 370 ms bills 400 ms, warm 120 ms bills 200 ms.
    const seconds = 10 * 0.4 + 10 * 0.2;
    const probes = 1 * seconds * gibSecond + vcpu * seconds * vcpuSecond + 20 * perRequest;
    const driver = 2 * 0.9 * gibSecond + 2 * 0.9 * vcpu * vcpuSecond + 2 * perRequest;
    const orchestrator = orchestratorUnits * (0.01 / 1000);
    const storage = writes * (0.005 / 1000) + reads * (0.0004 / 1000) + storedGb * 0.02;
    const logs = logGb * 0.5;
    const plan = planStudy(validDefinition(), { provider: 'gcp' });
    expect(plan.functions[0]!.vcpu).toBe(vcpu);
    expect(plan.cost.breakdown.probes).toBeCloseTo(probes, 6);
    expect(plan.cost.breakdown.driver).toBeCloseTo(driver, 6);
    expect(plan.cost.breakdown.orchestrator).toBeCloseTo(orchestrator, 6);
    expect(plan.cost.breakdown.storage).toBeCloseTo(storage, 6);
    expect(plan.cost.usd).toBeCloseTo(probes + driver + orchestrator + storage + logs, 6);
  });

  test('Azure Functions Consumption + Durable Functions + Blob (eastus), one fixed 1.5 GB size', () => {
    const gbSecond = 0.000016;
    const perExecution = 0.2 / 1e6;
    const probes = 1.5 * (10 * 0.37 + 10 * 0.12) * gbSecond + 20 * perExecution;
    const driver = 2 * 1.5 * 0.9 * gbSecond + 2 * perExecution; // the driver app also runs 1.5 GB instances
    const orchestrator = orchestratorUnits * perExecution;
    const storage = writes * (0.065 / 10_000) + reads * (0.005 / 10_000) + storedGb * 0.0208;
    const logs = logGb * 2.3;
    const plan = planStudy(validDefinition(), { provider: 'azure' });
    expect(plan.functions.map((f) => f.memoryMb)).toEqual([1536]);
    expect(plan.cost.breakdown.probes).toBeCloseTo(probes, 6);
    expect(plan.cost.breakdown.driver).toBeCloseTo(driver, 6);
    expect(plan.cost.breakdown.orchestrator).toBeCloseTo(orchestrator, 6);
    expect(plan.cost.breakdown.storage).toBeCloseTo(storage, 6);
    expect(plan.cost.breakdown.logs).toBeCloseTo(logs, 6);
    expect(plan.cost.usd).toBeCloseTo(probes + driver + orchestrator + storage + logs, 6);
  });

  test('Cloudflare Workers Standard + Workflows + R2: CPU-ms priced per GB-second at the fixed 128 MB, no log ingestion', () => {
    // $0.02 per million CPU-ms is $0.00002 per CPU-second; at 0.125 GB that is $0.00016 per GB-second,
    // charged on wall-clock duration (never less than CPU time, so the estimate errs high).
    const gbSecond = 0.00002 / 0.125;
    const perRequest = 0.3 / 1e6;
    // 1,024 MB adapts to the only size, 128 MB.
    const probes = 0.125 * (10 * 0.37 + 10 * 0.12) * gbSecond + 20 * perRequest;
    const driver = 2 * 0.125 * 0.9 * gbSecond + 2 * perRequest; // the driver Worker is 128 MB too
    const orchestrator = orchestratorUnits * perRequest; // Workflows steps, counted as requests
    const storage = writes * (4.5 / 1e6) + reads * (0.36 / 1e6) + storedGb * 0.015; // R2 Class A, Class B, storage
    const plan = planStudy({ ...validDefinition(), adapt: { memory: 'nearest' } }, { provider: 'cloudflare' });
    expect(plan.functions.map((f) => f.memoryMb)).toEqual([128]);
    expect(plan.cost.breakdown.probes).toBeCloseTo(probes, 6);
    expect(plan.cost.breakdown.driver).toBeCloseTo(driver, 6);
    expect(plan.cost.breakdown.orchestrator).toBeCloseTo(orchestrator, 6);
    expect(plan.cost.breakdown.storage).toBeCloseTo(storage, 6);
    expect(plan.cost.breakdown.logs).toBe(0);
    expect(plan.cost.usd).toBeCloseTo(probes + driver + orchestrator + storage, 6);
  });

  test('the local platform costs nothing', () => {
    const plan = planStudy(validDefinition(), { provider: 'local' });
    expect(plan.cost.usd).toBe(0);
  });

  test('the units behind the estimate are published with it', () => {
    const plan = planStudy(validDefinition(), { provider: 'aws' });
    expect(plan.cost.units).toMatchObject({ probeRequests: 20, driverRequests: 2, orchestratorUnits, storageWrites: writes });
    expect(plan.cost.units.probeGbSeconds).toBeCloseTo(4.9, 9);
    expect(plan.cost.priceTable.sources.length).toBeGreaterThan(0);
    expect(plan.cost.priceTable.asOf).toMatch(/^\d{4}-\d{2}/);
  });

  test('a wait long enough for idle recycling makes the next burst cold again', () => {
    const definition = validDefinition();
    definition.schedule = [{ kind: 'burst', requestsPerTarget: 10, task: { name: 'sleep', ms: 100 } }, { kind: 'wait', seconds: 3600 }, { kind: 'burst', requestsPerTarget: 10, task: { name: 'sleep', ms: 100 } }];
    const plan = planStudy(definition, { provider: 'aws' });
    expect(plan.cost.units.probeGbSeconds).toBeCloseTo(1 * 20 * 0.37, 9);
  });
});
