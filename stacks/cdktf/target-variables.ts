/** The environment variables a CDK for Terraform target's region and hosting plan come from in the cdktf app. */
import type { ProviderId } from '../../probe-runtime/contracts/providers';

/** CURTAIN_GCP_REGION, CURTAIN_AZURE_HOSTING, ... */
export function targetVariable(provider: ProviderId, option: 'REGION' | 'HOSTING'): string {
  return `CURTAIN_${provider.toUpperCase()}_${option}`;
}
