/**
 * The Durable activities of the Azure driver, as plain functions over their
 * dependencies (the Functions registration is in driver/adapters/azure.ts).
 * Both report failures as values so the orchestrator can attribute them to a
 * step and shard (durable-contract.ts).
 */
import { z } from 'zod';
import { type ActivityOutcome, UpdateRequest } from './durable-contract';
import { type ArmAccess, updateFunctionApp } from './update-app';

function failure(error: unknown): ActivityOutcome {
  return { ok: false, message: error instanceof Error ? error.message : String(error) };
}

/** Runs one DriverEvent (validated by the driver core itself). */
export async function driverEventActivity(input: unknown, runDriverEvent: (event: unknown) => Promise<unknown>): Promise<ActivityOutcome> {
  try {
    return { ok: true, result: await runDriverEvent(input) };
  } catch (error) {
    return failure(error);
  }
}

export interface UpdateDeps {
  /** Plan function key → ARM resource id of its Function App (CURTAIN_APP_IDS). */
  appIds: Record<string, string>;
  hosting: string;
  arm: ArmAccess;
}

export async function updateActivity(input: unknown, deps: UpdateDeps): Promise<ActivityOutcome> {
  try {
    const request = UpdateRequest.parse(input);
    const appId = deps.appIds[request.function];
    if (!appId) throw new Error(`no Function App id for ${request.function} in CURTAIN_APP_IDS`);
    await updateFunctionApp(request, appId, deps.hosting, deps.arm);
    return { ok: true, result: { function: request.function, generation: request.generation } };
  } catch (error) {
    return failure(error);
  }
}

const AppIds = z.record(z.string(), z.string().regex(/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Web\/sites\/[^/]+$/i, 'expected an ARM id of a Function App'));

/** CURTAIN_APP_IDS, validated; empty when the plan updates nothing. */
export function appIdsFromEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  if (!env.CURTAIN_APP_IDS) return {};
  const parsed = AppIds.safeParse(JSON.parse(env.CURTAIN_APP_IDS));
  if (!parsed.success) throw new Error(`CURTAIN_APP_IDS: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}
