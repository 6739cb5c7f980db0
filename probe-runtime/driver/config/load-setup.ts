/**
 * Loads what a deployed driver carries: plan.json and deployment.json beside
 * its entry (contracts/deployment.ts), merged with the deploy-time environment
 * (CURTAIN_TARGETS). Every file is validated; the plan's content hash is
 * recomputed, so a plan edited after synthesis is refused rather than run.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { contentHash } from '../../../experiments/canonical-json';
import { StudyPlan } from '../../../experiments/plan-schema';
import { Deployment } from '../../contracts/deployment';
import { DriverConfigError, errorText, zodIssuesText } from '../errors';
import { jsonFromEnv } from './json-env';

export interface DriverSetup {
  plan: StudyPlan;
  deployment: Deployment;
}

export interface DriverFiles {
  planFile: string;
  deploymentFile: string;
}

/** plan.json / deployment.json in `dir` (the bundle directory), unless CURTAIN_PLAN_FILE / CURTAIN_DEPLOYMENT_FILE say otherwise. */
export function driverFiles(dir: string, env: NodeJS.ProcessEnv = process.env): DriverFiles {
  return {
    planFile: env.CURTAIN_PLAN_FILE ?? path.join(dir, 'plan.json'),
    deploymentFile: env.CURTAIN_DEPLOYMENT_FILE ?? path.join(dir, 'deployment.json'),
  };
}

function readJson(file: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new DriverConfigError(`${what} ${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new DriverConfigError(`${what} ${file}: not JSON (${errorText(error)})`);
  }
}

export function parsePlan(json: unknown, source: string): StudyPlan {
  const result = StudyPlan.safeParse(json);
  if (!result.success) throw new DriverConfigError(`plan ${source}: ${zodIssuesText(result.error)}`);
  const { hash, ...rest } = result.data;
  const actual = contentHash(rest);
  if (actual !== hash) throw new DriverConfigError(`plan ${source}: content hash is ${actual}, the plan says ${hash} (edited after planning?)`);
  return result.data;
}

export function loadPlanFile(file: string): StudyPlan {
  return parsePlan(readJson(file, 'plan'), file);
}

const TargetsOverride = z.record(z.string(), z.string().min(1));

/**
 * deployment.json merged with CURTAIN_TARGETS (a JSON object of plan function
 * key → target, for values known only at deploy time such as function URLs),
 * checked against the plan: same plan hash, a target for every plan function.
 */
export function resolveDeployment(json: unknown, source: string, plan: StudyPlan, env: NodeJS.ProcessEnv = process.env): Deployment {
  const result = Deployment.safeParse(json);
  if (!result.success) throw new DriverConfigError(`deployment ${source}: ${zodIssuesText(result.error)}`);
  const deployment = result.data;
  const overrides = jsonFromEnv(env, 'CURTAIN_TARGETS', TargetsOverride);
  if (overrides) deployment.targets = { ...deployment.targets, ...overrides };
  if (deployment.planHash !== plan.hash) {
    throw new DriverConfigError(`deployment ${source}: planHash ${deployment.planHash} is not the deployed plan's ${plan.hash}`);
  }
  const missing = plan.functions.filter((f) => !deployment.targets[f.key]).map((f) => f.key);
  if (missing.length > 0) throw new DriverConfigError(`deployment ${source}: no target for plan function(s) ${missing.join(', ')}`);
  return deployment;
}

export function loadDeploymentFile(file: string, plan: StudyPlan, env: NodeJS.ProcessEnv = process.env): Deployment {
  return resolveDeployment(readJson(file, 'deployment'), file, plan, env);
}

/** Both files, from the bundle directory or the env overrides. */
export function loadDriverSetup(dir: string, env: NodeJS.ProcessEnv = process.env): DriverSetup {
  const files = driverFiles(dir, env);
  const plan = loadPlanFile(files.planFile);
  return { plan, deployment: loadDeploymentFile(files.deploymentFile, plan, env) };
}

export function requireEnv(env: NodeJS.ProcessEnv, name: string, what: string): string {
  const value = env[name];
  if (!value) throw new DriverConfigError(`${name} is not set (${what})`);
  return value;
}
