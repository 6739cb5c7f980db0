/** The expected errors of packing, verifying and replanning: the CLI prints their message on one line (exit 1). */
import { PackError } from './pack';
import { ReplanError } from './replan';
import { RerunImpossibleError } from './rerun';
import { PackageError } from './verify';

export const REPLICATION_ERRORS = [PackError, PackageError, ReplanError, RerunImpossibleError] as const;
