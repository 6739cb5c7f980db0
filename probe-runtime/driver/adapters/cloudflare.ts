/**
 * The driver on Cloudflare Workers (bundle driver-cloudflare, an ES module run
 * by workerd): the `CurtainRun` Workflow walks the plan (cloudflare-workflow/
 * orchestrate-run.ts) and runs each driver event in this Worker; probes are
 * reached through service bindings, results go to the R2 bucket bound as
 * RESULTS. plan.json and deployment.json travel as the text modules plan.txt
 * and deployment.txt of the same Worker version (a binding holds 5 KB at
 * most; a plan is larger), checked as every driver checks them.
 *
 * `fetch` starts a run: POST {"run": "<run id>"} creates the Workflow instance
 * named after the run (starting a run twice is refused by Workflows). The
 * Worker has no route and no workers.dev subdomain in the stack: it is reached
 * through the Cloudflare API (`curtain start`) or, here, through miniflare.
 */
import { WorkflowEntrypoint } from 'cloudflare:workers';
import deploymentText from './deployment.txt';
import planText from './plan.txt';
import { RunInput, type UpdateRequest } from '../azure-durable/durable-contract';
import { parsePlan, resolveDeployment, type DriverSetup } from '../config/load-setup';
import { DriverConfigError } from '../errors';
import { describeFailure, makeDriverDeps } from '../host';
import { orchestrateRun, type WorkflowStepPort } from '../cloudflare-workflow/orchestrate-run';
import { createServiceBindingInvoker, type ServiceBinding } from '../invokers/service-binding';
import { runDriverEvent } from '../run-driver-event';
import { r2Sink, type R2BucketBinding } from '../sinks/r2';
import { applyWorkerUpdate } from '../cloudflare-workflow/update-worker';

export interface DriverWorkerEnv {
  readonly RESULTS: R2BucketBinding;
  readonly CURTAIN_BUCKET: string;
  readonly CURTAIN_RUN: { create(options: { id: string; params: { run: string } }): Promise<{ id: string }> };
  /** Account and API token (Workers Scripts Edit) for update steps; absent when the plan has none. */
  readonly CLOUDFLARE_ACCOUNT_ID?: string;
  readonly CLOUDFLARE_API_TOKEN?: string;
  /** A loopback Workers API for the run in workerd (update-worker.ts); unset when deployed. */
  readonly CLOUDFLARE_API_BASE?: string;
  readonly [binding: string]: unknown;
}

let setup: DriverSetup | undefined;

function loadSetup(): DriverSetup {
  if (!setup) {
    const parse = (text: string, what: string): unknown => {
      try {
        return JSON.parse(text);
      } catch {
        throw new DriverConfigError(`${what}: not JSON`);
      }
    };
    const plan = parsePlan(parse(planText, 'plan.txt'), 'plan.txt');
    setup = { plan, deployment: resolveDeployment(parse(deploymentText, 'deployment.txt'), 'deployment.txt', plan, {}) };
  }
  return setup;
}

function runEvent(env: DriverWorkerEnv, event: unknown): Promise<unknown> {
  const invoker = createServiceBindingInvoker((name) => env[name] as ServiceBinding | undefined);
  return runDriverEvent(event, makeDriverDeps(loadSetup(), { invoker, sink: r2Sink(env.RESULTS, env.CURTAIN_BUCKET) }));
}

export class CurtainRun extends WorkflowEntrypoint<DriverWorkerEnv, { run: string }> {
  async run(event: { readonly payload: { run: string } }, step: unknown): Promise<unknown> {
    const { run } = RunInput.parse(event.payload);
    const { plan } = loadSetup();
    return orchestrateRun(step as WorkflowStepPort, plan, run, {
      driver: (driverEvent) => runEvent(this.env, driverEvent),
      update: (request: UpdateRequest) => applyWorkerUpdate(request, loadSetup(), this.env),
    });
  }
}

export default {
  async fetch(request: Request, env: DriverWorkerEnv): Promise<Response> {
    if (request.method !== 'POST') return Response.json({ error: 'POST {"run": "<run id>"} to start a run' }, { status: 405 });
    try {
      const input = RunInput.safeParse(await request.json().catch(() => null));
      if (!input.success) return Response.json({ error: 'expected {"run": "<run id>"}' }, { status: 400 });
      loadSetup();
      const instance = await env.CURTAIN_RUN.create({ id: input.data.run, params: { run: input.data.run } });
      return Response.json({ run: input.data.run, instance: instance.id }, { status: 202 });
    } catch (error) {
      const failure = describeFailure(error);
      return Response.json({ error: failure.message, kind: failure.kind }, { status: failure.kind === 'refused' ? 400 : 500 });
    }
  },
};
