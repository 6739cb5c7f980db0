/**
 * Credentials for `curtain start/fetch` on clouds reached over REST (Google, Azure), from the
 * environment first and otherwise from the cloud's own CLI (gcloud, az), which
 * the user has logged in with. Nothing is stored.
 */
import { execFileSync } from 'node:child_process';
import { TargetError } from '../target-errors';

/** The value of the first set variable, else the trimmed output of the command. */
export function fromEnvOrCommand(env: NodeJS.ProcessEnv, names: string[], command: string, args: string[], what: string): string {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return value;
  }
  try {
    const out = execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 }).trim();
    if (out) return out;
  } catch {
    // reported below
  }
  throw new TargetError(`curtain: no ${what}: set ${names.join(' or ')}, or log in with \`${command}\` (tried \`${command} ${args.join(' ')}\`)`);
}

/** fetch() that turns an HTTP failure into one TargetError line naming what was asked. */
export async function requestOk(url: string, init: RequestInit, what: string): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch (error) {
    throw new TargetError(`curtain: ${what}: ${error instanceof Error ? error.message : String(error)} (${new URL(url).origin})`);
  }
  if (!res.ok) throw new TargetError(`curtain: ${what}: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`);
  return res;
}
