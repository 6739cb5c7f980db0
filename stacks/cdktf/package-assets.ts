/**
 * One zip (cdktf TerraformAsset, AssetType.ARCHIVE) per staged package and
 * stack: functions that run the same package (every Node.js probe of a study)
 * share one archive and one upload instead of zipping the same files again.
 */
import path from 'node:path';
import { AssetType, TerraformAsset } from 'cdktf';
import type { Construct } from 'constructs';

export class PackageAssets {
  private readonly assets = new Map<string, TerraformAsset>();
  private readonly uploads = new Map<string, unknown>();

  constructor(private readonly scope: Construct) {}

  archive(dir: string): TerraformAsset {
    let asset = this.assets.get(dir);
    if (!asset) {
      asset = new TerraformAsset(this.scope, `package-${path.basename(dir)}`, { path: dir, type: AssetType.ARCHIVE });
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
