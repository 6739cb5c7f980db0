/**
 * The Workflows evaluator the Google twin runs a stack's workflow with
 * (twins/gcp/workflows-evaluator.ts) refuses what it does not evaluate, naming
 * the step and the construct, and no `try`/`except` of the workflow can turn
 * that refusal into a recorded failure; Google's deploy-time rule on shared
 * variables holds on paths an execution does not take.
 */
import { runWorkflow, WorkflowDefinitionError, WorkflowRaise, type EvaluatorHost } from '../../../twins/gcp/workflows-evaluator';

const host = (calls: string[] = []): EvaluatorHost => ({
  env: {},
  now: () => 1_800_000_000,
  async call(name) {
    calls.push(name);
    return null;
  },
});

const run = (source: string, h = host()) => runWorkflow(source, {}, h);

describe('the Workflows evaluator refuses constructs outside its subset', () => {
  it.each([
    ['an unknown step key', 'main:\n  steps:\n    - first:\n        loop: 3\n', /step first: unsupported keys loop/],
    ['a subworkflow', 'main:\n  steps:\n    - a:\n        return: 1\nhelper:\n  steps:\n    - b:\n        return: 2\n', /subworkflows are outside the evaluated subset: helper/],
    ['an unknown standard-library function', 'main:\n  steps:\n    - a:\n        assign:\n          - x: ${text.split("a,b", ",")}\n', /step a: function text.split is outside the evaluated subset/],
    ['a string mixing text and an expression', 'main:\n  steps:\n    - a:\n        assign:\n          - x: "id-${1}"\n', /step a: a string mixing text and an expression/],
    ['parallel branches (not parallel for)', 'main:\n  steps:\n    - a:\n        parallel:\n          branches:\n            - b1:\n                steps: []\n', /step a: only `parallel: for` is in the evaluated subset/],
  ])('%s', async (_what, source, message) => {
    const error = await run(source).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowDefinitionError);
    expect((error as Error).message).toMatch(message);
  });

  it('a refusal inside try is not caught by its except (it is no Workflows runtime error)', async () => {
    const source = [
      'main:',
      '  steps:',
      '    - guarded:',
      '        try:',
      '          assign:',
      '            - x: ${base64.encode("a")}',
      '        except:',
      '          as: e',
      '          steps:',
      '            - swallowed:',
      '                return: caught',
    ].join('\n');
    await expect(run(source)).rejects.toThrow(WorkflowDefinitionError);
  });

  it('a runtime error inside try is caught by its except', async () => {
    const source = ['main:', '  steps:', '    - guarded:', '        try:', '          raise: boom', '        except:', '          as: e', '          steps:', '            - handled:', '                return: ${e}'].join('\n');
    await expect(run(source)).resolves.toBe('boom');
  });

  it('refuses a parallel branch that assigns an unshared outer variable, even on a path the execution does not take', async () => {
    const source = [
      'main:',
      '  steps:',
      '    - init:',
      '        assign:',
      '          - total: 0',
      '          - items: [1, 2]',
      '    - fan:',
      '        parallel:',
      '          for:',
      '            value: item',
      '            in: ${items}',
      '            steps:',
      '              - never:',
      '                  switch:',
      '                    - condition: ${item > 5}',
      '                      assign:',
      '                        - total: ${total + item}',
      '    - done:',
      '        return: ${total}',
    ].join('\n');
    const calls: string[] = [];
    await expect(run(source, host(calls))).rejects.toThrow(/step fan: parallel branch assigns total, a variable of the parent scope, which is not declared shared/);
    expect(calls).toEqual([]);
    // Declared shared, the same source runs.
    await expect(run(source.replace('          for:', '          shared: [total]\n          for:'))).resolves.toBe(0);
  });

  it('keeps a Workflows error a WorkflowRaise (catchable), not a refusal', async () => {
    const error = await run('main:\n  steps:\n    - a:\n        assign:\n          - x: ${missing}\n').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowRaise);
    expect(error).not.toBeInstanceOf(WorkflowDefinitionError);
  });
});
