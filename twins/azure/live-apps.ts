/**
 * The twin's Function Apps as they stand during a run: the synthesized app
 * with its current app settings and instance memory (ARM writes change them),
 * its indexed HTTP functions and keys. A change bumps the revision: the app
 * restarts, i.e. new instances, as a settings change does on Azure.
 */
import type { AppKeys, HttpFunction } from './function-keys';
import type { TwinFunctionApp } from './terraform-stack';

export interface LiveApp {
  readonly spec: TwinFunctionApp;
  settings: Record<string, string>;
  memoryMb: number;
  revision: number;
  readonly http: readonly HttpFunction[];
  readonly routePrefix: string;
  readonly keys: AppKeys;
  /** The plan function the app runs (its CURTAIN_FUNCTION), or null for the driver. */
  readonly planKey: string | null;
}

export interface LiveApps {
  byHost(host: string): LiveApp | undefined;
  byId(id: string): LiveApp | undefined;
  all(): readonly LiveApp[];
  /** Called after a write changed an app: its instances are replaced. */
  changed(app: LiveApp): void;
}

export function liveApps(apps: readonly LiveApp[], changed: (app: LiveApp) => void): LiveApps {
  return {
    byHost: (host) => apps.find((a) => a.spec.hostname.toLowerCase() === host.toLowerCase()),
    byId: (id) => apps.find((a) => a.spec.id.toLowerCase() === id.toLowerCase()),
    all: () => apps,
    changed(app) {
      app.revision += 1;
      changed(app);
    },
  };
}
