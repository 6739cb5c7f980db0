/**
 * The members of a target that are its rows in the provider tables: what it
 * can run, its prices, its bundles and its region names, all keyed by its id.
 * Every target spreads these (`...targetTables('aws')`) instead of restating them.
 */
import { CAPABILITIES } from '../experiments/capabilities';
import { PRICE_TABLES } from '../experiments/prices';
import { REGION_NAMES } from '../experiments/target-names';
import { driverBundleName, probeBundleName } from '../probe-runtime/contracts/bundle-manifest';
import type { ProviderId } from '../probe-runtime/contracts/providers';
import type { ProviderTarget } from './provider-target';

export function targetTables<P extends ProviderId>(id: P): Pick<ProviderTarget<P>, 'id' | 'capabilities' | 'prices' | 'bundles' | 'options'> {
  return {
    id,
    capabilities: CAPABILITIES[id],
    prices: PRICE_TABLES[id],
    bundles: { probe: probeBundleName(id), driver: driverBundleName(id) },
    options: { region: REGION_NAMES[id] },
  };
}
