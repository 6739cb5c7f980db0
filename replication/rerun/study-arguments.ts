/** The study and its parameters as every target takes them: `name=value` pairs that parse back exactly. */
import { formatSets } from '../../experiments/resolve-study';
import type { RerunRequest } from './rerun-request';

export interface StudyArguments {
  /** The catalog id, or the definition file's path. */
  ref: string;
  kind: 'catalog' | 'file';
  /** `name=value` pairs: every parameter of a catalog study (defaults included, so a changed default cannot change the rerun), or the file's --set pairs. */
  sets: string[];
}

export function studyArguments(request: RerunRequest): StudyArguments {
  if (request.study.kind === 'file') return { ref: request.study.path, kind: 'file', sets: [...request.study.set] };
  return { ref: request.plan.study.id, kind: 'catalog', sets: formatSets(request.plan.parameters) };
}

export function placeholder(request: RerunRequest, key: keyof RerunRequest['supplied'], text: string): string {
  return request.supplied[key] ?? text;
}
