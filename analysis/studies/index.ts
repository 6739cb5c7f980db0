/** The analysis of each study kind (experiments/schema.ts ANALYSES): a plain registry. */
import type { AnalysisKind } from '../../experiments/schema';
import { accountingAnalysis } from './accounting';
import type { AnalysisDefinition } from './analysis';
import { coldstartAnalysis } from './coldstart';
import { contentionAnalysis } from './contention';
import { cpuShareAnalysis } from './cpu-share';
import { idleRecyclingAnalysis } from './idle-recycling';
import { isolationAnalysis } from './isolation';
import { lifetimeAnalysis } from './lifetime';
import { placementAnalysis } from './placement';
import { scalabilityAnalysis } from './scalability';
import { updateConsistencyAnalysis } from './update-consistency';

export const ANALYSIS_REGISTRY: Record<AnalysisKind, AnalysisDefinition> = {
  isolation: isolationAnalysis,
  placement: placementAnalysis,
  scalability: scalabilityAnalysis,
  coldstart: coldstartAnalysis,
  lifetime: lifetimeAnalysis,
  'idle-recycling': idleRecyclingAnalysis,
  'cpu-share': cpuShareAnalysis,
  contention: contentionAnalysis,
  'update-consistency': updateConsistencyAnalysis,
  accounting: accountingAnalysis,
};
