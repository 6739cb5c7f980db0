/**
 * Zipped function packages as cdktf assets.
 *
 * Each staged package directory is zipped once, by cdktf's own archiver (the
 * one AssetType.ARCHIVE uses), into `<dir>.zip` beside it, and attached to a
 * stack as a file asset. Staged directories are named after their content
 * (stage-package.ts), so every stack with the same package, in this synthesis
 * or a later one, reuses the zip: AssetType.ARCHIVE would zip again per stack,
 * in a child process per asset, which made synthesizing every study exceed
 * its time budget. Within a stack, functions running the same package share
 * one asset and one upload.
 */
import { existsSync, renameSync } from 'node:fs';
import path from 'node:path';
import { AssetType, TerraformAsset } from 'cdktf';
import type { Construct } from 'constructs';

// cdktf's archiver (used by AssetType.ARCHIVE), so the zips are the ones cdktf would make.
const { archiveSync } = require('cdktf/lib/private/fs') as { archiveSync(src: string, dest: string): void };

export function zipPackage(dir: string): string {
  const zip = `${dir}.zip`;
  if (!existsSync(zip)) {
    const tmp = `${zip}.tmp-${process.pid}`;
    archiveSync(dir, tmp);
    renameSync(tmp, zip);
  }
  return zip;
}

export class PackageAssets {
  private readonly assets = new Map<string, TerraformAsset>();
  private readonly uploads = new Map<string, unknown>();

  constructor(private readonly scope: Construct) {}

  archive(dir: string): TerraformAsset {
    let asset = this.assets.get(dir);
    if (!asset) {
      asset = new TerraformAsset(this.scope, `package-${path.basename(dir)}`, { path: zipPackage(dir), type: AssetType.FILE });
      this.assets.set(dir, asset);
    }
    return asset;
  }

  /** The upload of a package to one place (bucket, container), made once by `create`. */
  upload<T>(dir: string, place: string, create: (asset: TerraformAsset, id: string) => T): T {
    const key = `${place}\0${dir}`;
    if (!this.uploads.has(key)) this.uploads.set(key, create(this.archive(dir), `upload-${place}-${path.basename(dir)}`));
    return this.uploads.get(key) as T;
  }
}
