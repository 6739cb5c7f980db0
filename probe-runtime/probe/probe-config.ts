/**
 * Where the probe reads its host fingerprint and writes its scratch files.
 * The local platform points each instance at its emulated host's trees
 * (CURTAIN_PROC_ROOT, CURTAIN_SYS_ROOT) and a private /tmp (CURTAIN_TMP_DIR);
 * on the clouds the defaults are the real /proc, /sys and the OS temp dir.
 */
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';

export type ProbeEnv = Record<string, string | undefined>;

export interface ProbeConfigOptions {
  procRoot?: string;
  sysRoot?: string;
  tmpDir?: string;
  /** The environment provider ids, memory and generation are read from (default process.env). */
  env?: ProbeEnv;
}

export interface ProbeConfig {
  procRoot: string;
  sysRoot: string;
  tmpDir: string;
  env: ProbeEnv;
  /** True when procRoot is the machine's own /proc: only then may the probe fall back to OS calls. */
  realProc: boolean;
}

export function resolveProbeConfig(options: ProbeConfigOptions = {}): ProbeConfig {
  const env = options.env ?? process.env;
  const procRoot = resolve(options.procRoot ?? (env.CURTAIN_PROC_ROOT || '/proc'));
  return {
    procRoot,
    sysRoot: resolve(options.sysRoot ?? (env.CURTAIN_SYS_ROOT || '/sys')),
    tmpDir: resolve(options.tmpDir ?? (env.CURTAIN_TMP_DIR || tmpdir())),
    env,
    realProc: procRoot === '/proc',
  };
}
