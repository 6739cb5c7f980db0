/**
 * The Azure twin's Durable Task side (twins/azure/durable-replay.ts) driving
 * orchestrators written against the real durable-functions 3.5.0, run in the
 * twin's Node.js Functions worker (twins/azure/functions-host/node-worker.cjs)
 * as the driver app's are: history replayed on every event, results and
 * timers delivered from it, continue-as-new honoured, and a replay that
 * schedules something else than its history fails naming the activity.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ProcessFunctions, type ProcessReply } from '../../../twins/aws/process-functions';
import { azureWorkerCommands } from '../../../twins/azure/app-workers';
import { checkReplay, type DurableHost, OrchestratorState, ReplayDivergenceError, runOrchestration, type ScheduledAction, typedDataJson } from '../../../twins/azure/durable-replay';

jest.setTimeout(60_000);

const DURABLE = require.resolve('durable-functions');

const APP = `
const df = require(${JSON.stringify(DURABLE)});
let replays = 0;
// Deterministic: two activities at once, a timer, continue-as-new until n = 2.
df.app.orchestration('counts', function* (context) {
  const { n, total } = context.df.getInput();
  const [a, b] = yield context.df.Task.all([context.df.callActivity('double', n), context.df.callActivity('double', n + 1)]);
  yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 20));
  if (n < 2) {
    context.df.continueAsNew({ n: n + 1, total: total + a + b });
    return 'continued';
  }
  return { total: total + a + b, n };
});
// Not deterministic: its second replay in this worker schedules 'beta' where the history has 'alpha'.
df.app.orchestration('diverges', function* (context) {
  replays += 1;
  const first = yield context.df.callActivity(replays >= 2 ? 'beta' : 'alpha', { action: 'burst', step: { index: 3 }, shard: 0 });
  const second = yield context.df.callActivity('alpha', { step: { index: 4 } });
  return [first, second];
});
df.app.activity('double', { handler: (n) => 2 * n });
df.app.activity('alpha', { handler: () => 'a' });
df.app.activity('beta', { handler: () => 'b' });
`;

let dir: string;
let processes: ProcessFunctions;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'curtain-durable-'));
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ main: 'index.js' }));
  writeFileSync(path.join(dir, 'index.js'), APP);
  processes = new ProcessFunctions(azureWorkerCommands(), path.join(dir, 'workers'));
  processes.define('app', { runtime: 'nodejs', timeoutSeconds: 30, env: { AzureWebJobsScriptRoot: dir } });
});

afterEach(async () => {
  await processes.stop();
  expect(processes.livePids()).toEqual([]);
  rmSync(dir, { recursive: true, force: true });
});

function host(orchestrator: string): DurableHost & { activities: string[] } {
  const activities: string[] = [];
  const call = async (fn: string, trigger: unknown) => {
    const reply: ProcessReply = await processes.invoke('app', { function: fn, trigger });
    if (reply.kind !== 'response') throw new Error(`${fn}: ${JSON.stringify(reply)}`);
    return (reply.response as { returnValue: unknown }).returnValue;
  };
  return {
    activities,
    async runOrchestrator(binding) {
      try {
        return { state: OrchestratorState.parse(JSON.parse(typedDataJson(await call(orchestrator, { string: JSON.stringify(binding) })))) };
      } catch (error) {
        return { failure: String(error) };
      }
    },
    async callActivity(name, input) {
      activities.push(`${name}(${input})`);
      return { ok: true, result: typedDataJson(await call(name, { json: input })) };
    },
    timer: (fireAt) => new Promise((resolve) => setTimeout(resolve, Math.max(0, fireAt.getTime() - Date.now()))),
    now: () => new Date(),
  };
}

describe('the Durable Task side of the Azure twin', () => {
  it('replays a real durable-functions orchestrator to its end: Task.all results and a timer from history, continue-as-new twice', async () => {
    const h = host('counts');
    const result = await runOrchestration({ instanceId: 'i-1', name: 'counts', input: { n: 0, total: 0 }, host: h, log: () => {} });
    expect(result).toMatchObject({ status: 'completed', failure: null, executions: 3, output: { total: 2 * (0 + 1) + 2 * (1 + 2) + 2 * (2 + 3), n: 2 } });
    // Each activity ran once, though the orchestrator replayed after every event.
    expect(h.activities).toEqual(['double(0)', 'double(1)', 'double(1)', 'double(2)', 'double(2)', 'double(3)']);
    expect(result.episodes).toBeGreaterThan(h.activities.length);
  });

  it('fails naming the activity when a replay schedules another one than the history holds', async () => {
    const h = host('diverges');
    await expect(runOrchestration({ instanceId: 'i-2', name: 'diverges', input: null, host: h, log: () => {} })).rejects.toThrow(
      new ReplayDivergenceError(
        'non-deterministic orchestrator: at sequence number 0 the history has activity alpha (burst, step 3, shard 0), the replay schedules activity beta (burst, step 3, shard 0)',
      ),
    );
    expect(h.activities).toEqual(['alpha({"action":"burst","step":{"index":3},"shard":0})']);
  });
});

describe('checkReplay', () => {
  const activity = (name: string): ScheduledAction => ({ kind: 'activity', name, input: '{"step":1}' });
  it('accepts a replay that schedules the recorded actions and more', () => {
    expect(() => checkReplay([activity('a'), { kind: 'timer', fireAt: 'x' }], [activity('a'), { kind: 'timer', fireAt: 'x' }, activity('b')])).not.toThrow();
  });
  it('refuses a replay that schedules a timer where the history has an activity, or stops short of it', () => {
    expect(() => checkReplay([activity('a')], [{ kind: 'timer', fireAt: '2026-12-06T00:00:00.000Z' }])).toThrow(/history has activity a \(step 1\), the replay schedules a timer/);
    expect(() => checkReplay([activity('a'), activity('b')], [activity('a')])).toThrow(/sequence number 1 the history has activity b \(step 1\), the replay schedules nothing/);
  });
});
