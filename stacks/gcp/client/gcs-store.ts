/**
 * A GCS bucket through the JSON API (objects.list with prefix/delimiter and
 * pagination, objects.get with alt=media), with an OAuth access token.
 */
import type { ObjectStore } from '../../../targets/client/fetch-run';
import { requestOk } from '../../../targets/client/credentials';

export const GCS_API_ROOT = 'https://storage.googleapis.com';

interface ListPage {
  items?: { name: string; size?: string }[];
  prefixes?: string[];
  nextPageToken?: string;
}

/** `pageSize` sets maxResults (tests use a small one to exercise page tokens). */
export function gcsStore(bucket: string, token: () => string, apiRoot = GCS_API_ROOT, pageSize?: number): ObjectStore {
  const root = apiRoot.replace(/\/+$/, '');
  const auth = () => ({ authorization: `Bearer ${token()}` });
  const list = async (prefix: string, delimiter: boolean) => {
    const items: { key: string; size: number }[] = [];
    const prefixes: string[] = [];
    let pageToken: string | undefined;
    do {
      const url = new URL(`${root}/storage/v1/b/${encodeURIComponent(bucket)}/o`);
      url.searchParams.set('prefix', prefix);
      if (delimiter) url.searchParams.set('delimiter', '/');
      if (pageToken) url.searchParams.set('pageToken', pageToken);
      if (pageSize) url.searchParams.set('maxResults', String(pageSize));
      const page = (await (await requestOk(url.toString(), { headers: auth() }, `listing gs://${bucket}/${prefix}`)).json()) as ListPage;
      for (const o of page.items ?? []) items.push({ key: o.name, size: Number(o.size ?? 0) });
      prefixes.push(...(page.prefixes ?? []));
      pageToken = page.nextPageToken;
    } while (pageToken);
    return { items, prefixes };
  };
  return {
    location: `gs://${bucket}`,
    listFolders: async (prefix) => (await list(prefix, true)).prefixes.map((p) => p.slice(prefix.length).replace(/\/$/, '')),
    listObjects: async (prefix) => (await list(prefix, false)).items.filter((o) => !o.key.endsWith('/')),
    download: async (key) => {
      const url = `${root}/storage/v1/b/${encodeURIComponent(bucket)}/o/${encodeURIComponent(key)}?alt=media`;
      return Buffer.from(await (await requestOk(url, { headers: auth() }, `downloading gs://${bucket}/${key}`)).arrayBuffer());
    },
  };
}
