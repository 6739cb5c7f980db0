/**
 * A catalog study: named, documented parameters (zod, with the paper's values
 * as defaults) and a builder that turns them into a plain study definition.
 * `curtain plan <study> --set key=value` overrides parameters.
 */
import type { z } from 'zod';
import type { Experiment, StudyDefinitionInput } from '../schema';

export interface CatalogStudy<P extends z.ZodObject = z.ZodObject> {
  id: string;
  experiment: Experiment;
  title: string;
  /** Parameters with defaults; each has a .describe() text that `curtain show` prints. */
  parameters: P;
  /** Markdown: how the study works and how to read its results (docs/studies.md, `curtain show`). */
  docs: string;
  build(params: z.output<P>): StudyDefinitionInput;
}

/** Identity function that keeps the parameter type flowing into `build`. */
export function defineStudy<P extends z.ZodObject>(study: CatalogStudy<P>): CatalogStudy<P> {
  return study;
}
