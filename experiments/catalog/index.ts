/**
 * The catalog: one study per experiment of the paper, in paper order. A plain
 * registry (SeBS style): adding a study is one file and one line here.
 */
import { accounting } from './accounting';
import { coldstart } from './coldstart';
import { contention } from './contention';
import { cpuShare } from './cpu-share';
import type { CatalogStudy } from './define-study';
import { idleRecycling } from './idle-recycling';
import { isolation } from './isolation';
import { lifetime } from './lifetime';
import { placement } from './placement';
import { scalability } from './scalability';
import { updateConsistency } from './update-consistency';

export const CATALOG: readonly CatalogStudy[] = [
  isolation,
  placement,
  scalability,
  coldstart,
  lifetime,
  idleRecycling,
  cpuShare,
  contention,
  updateConsistency,
  accounting,
] as unknown as readonly CatalogStudy[];

export type { CatalogStudy } from './define-study';
