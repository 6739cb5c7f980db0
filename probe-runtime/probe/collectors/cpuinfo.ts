/**
 * <proc>/cpuinfo in its x86 and arm64 layouts.
 *
 * - x86 (and 32-bit ARM): the first `model name`.
 * - arm64 has no model name. The CPU is identified by the MIDR fields of the
 *   first processor block, `CPU implementer` and `CPU part` (plus variant and
 *   revision), decoded with a small table of the cores serverless platforms run
 *   on (Graviton 1-4, Ampere Altra, Azure Cobalt, Google Axion), e.g.
 *   `ARM Neoverse-N1 r3p1`; unknown codes stay readable as
 *   `implementer 0x12 part 0x345 r0p0`. Only when those are missing too do the
 *   board fields `Model` then `Hardware` (Raspberry Pi style) serve as the model.
 * - The count is the number of `processor` entries.
 * The Python probe uses the same rules and tables (probe-runtime/python).
 */
import { cleanField, trimAscii } from '../read-text';

export interface CpuInfo {
  model: string | null;
  count: number | null;
}

const IMPLEMENTERS: Record<string, string> = {
  '0x41': 'ARM',
  '0x42': 'Broadcom',
  '0x43': 'Cavium',
  '0x46': 'Fujitsu',
  '0x48': 'HiSilicon',
  '0x4e': 'NVIDIA',
  '0x51': 'Qualcomm',
  '0x61': 'Apple',
  '0xc0': 'Ampere',
};

/** Part numbers by implementer: the server cores clouds use, and common Cortex cores. */
const PARTS: Record<string, string> = {
  '0x41:0xd03': 'Cortex-A53',
  '0x41:0xd07': 'Cortex-A57',
  '0x41:0xd08': 'Cortex-A72',
  '0x41:0xd0b': 'Cortex-A76',
  '0x41:0xd0c': 'Neoverse-N1',
  '0x41:0xd40': 'Neoverse-V1',
  '0x41:0xd49': 'Neoverse-N2',
  '0x41:0xd4f': 'Neoverse-V2',
  '0x41:0xd84': 'Neoverse-V3',
  '0x41:0xd8e': 'Neoverse-N3',
  '0xc0:0xac3': 'Ampere-1',
  '0xc0:0xac4': 'Ampere-1a',
};

type Block = Map<string, string>;

function blocks(text: string): Block[] {
  const result: Block[] = [];
  let current: Block = new Map();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (trimAscii(line) === '') {
      if (current.size > 0) result.push(current);
      current = new Map();
    } else if (colon > 0) {
      const key = trimAscii(line.slice(0, colon));
      if (!current.has(key)) current.set(key, trimAscii(line.slice(colon + 1)));
    }
  }
  if (current.size > 0) result.push(current);
  return result;
}

function hexCode(value: string | undefined): string | null {
  return value && /^0x[0-9a-f]{1,4}$/i.test(value) ? `0x${value.slice(2).toLowerCase()}` : null;
}

function armModel(block: Block): string | null {
  const implementer = hexCode(block.get('CPU implementer'));
  const part = hexCode(block.get('CPU part'));
  if (!implementer || !part) return null;
  const vendor = IMPLEMENTERS[implementer];
  const core = PARTS[`${implementer}:${part}`];
  let name = vendor && core ? `${vendor} ${core}` : `${vendor ?? `implementer ${implementer}`} part ${part}`;
  const variant = hexCode(block.get('CPU variant'));
  const revision = block.get('CPU revision');
  if (variant && revision && /^\d{1,4}$/.test(revision)) name += ` r${parseInt(variant, 16)}p${Number(revision)}`;
  return name;
}

export function parseCpuInfo(text: string | null): CpuInfo {
  if (text == null) return { model: null, count: null };
  const all = blocks(text);
  const count = all.filter((b) => /^\d+$/.test(b.get('processor') ?? '')).length;
  const first = (key: string) => cleanField(all.find((b) => b.has(key))?.get(key));
  const arm = all.find((b) => b.has('CPU implementer'));
  const model = first('model name') ?? (arm ? cleanField(armModel(arm)) : null) ?? first('Model') ?? first('Hardware');
  return { model, count: count > 0 ? count : null };
}
