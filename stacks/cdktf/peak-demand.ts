/** Moved to experiments/peak-demand.ts (the local platform's resource check needs it too). */
export { peakDemand, peakShards } from '../../experiments/peak-demand';
