/**
 * An Azure Blob container through the REST API (List Blobs with prefix,
 * delimiter and markers; Get Blob), authenticated with an Entra ID token
 * (deployments: the results account has no keys) or Shared Key (azurite).
 */
import { parseConnectionString, sharedKeyAuthorization } from '../../../probe-runtime/driver/sinks/azure-shared-key';
import { BLOB_API_VERSION } from '../../../probe-runtime/driver/sinks/azure-blob';
import { requestOk } from '../../../targets/client/credentials';
import type { ObjectStore } from '../../../targets/client/fetch-run';

export type BlobAuth = { kind: 'token'; token: () => string } | { kind: 'shared-key'; account: string; key: string };

export function blobAuthFromConnectionString(text: string): { auth: BlobAuth; endpoint: string } {
  const cs = parseConnectionString(text);
  return { auth: { kind: 'shared-key', account: cs.account, key: cs.key }, endpoint: cs.blobEndpoint };
}

const decode = (s: string) =>
  s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');

/** The fields of a List Blobs answer we use (a fixed, documented XML shape). */
export function parseBlobList(xml: string): { blobs: { key: string; size: number }[]; prefixes: string[]; next: string | null } {
  const blobs = [...xml.matchAll(/<Blob>([\s\S]*?)<\/Blob>/g)].map((m) => ({
    key: decode(/<Name>([\s\S]*?)<\/Name>/.exec(m[1]!)![1]!),
    size: Number(/<Content-Length>(\d+)<\/Content-Length>/.exec(m[1]!)?.[1] ?? 0),
  }));
  const prefixes = [...xml.matchAll(/<BlobPrefix>\s*<Name>([\s\S]*?)<\/Name>/g)].map((m) => decode(m[1]!));
  const next = /<NextMarker>([\s\S]*?)<\/NextMarker>/.exec(xml)?.[1];
  return { blobs, prefixes, next: next ? decode(next) : null };
}

/** `pageSize` sets maxresults (the service's default is 5,000; tests use a small one to exercise markers). */
export function blobStore(endpoint: string, container: string, auth: BlobAuth, pageSize?: number): ObjectStore {
  const base = endpoint.replace(/\/+$/, '');
  const headers = (method: string, url: URL): Record<string, string> => {
    const h: Record<string, string> = { 'x-ms-date': new Date().toUTCString(), 'x-ms-version': BLOB_API_VERSION };
    h.authorization = auth.kind === 'token' ? `Bearer ${auth.token()}` : sharedKeyAuthorization(auth.account, auth.key, method, url, h);
    return h;
  };
  const list = async (prefix: string, delimiter: boolean) => {
    const out = { blobs: [] as { key: string; size: number }[], prefixes: [] as string[] };
    let marker: string | null = null;
    do {
      const url = new URL(`${base}/${encodeURIComponent(container)}`);
      url.searchParams.set('restype', 'container');
      url.searchParams.set('comp', 'list');
      url.searchParams.set('prefix', prefix);
      if (delimiter) url.searchParams.set('delimiter', '/');
      if (marker) url.searchParams.set('marker', marker);
      if (pageSize) url.searchParams.set('maxresults', String(pageSize));
      const page = parseBlobList(await (await requestOk(url.toString(), { headers: headers('GET', url) }, `listing ${base}/${container}/${prefix}`)).text());
      out.blobs.push(...page.blobs);
      out.prefixes.push(...page.prefixes);
      marker = page.next;
    } while (marker);
    return out;
  };
  return {
    location: `${base}/${container}`,
    listFolders: async (prefix) => (await list(prefix, true)).prefixes.map((p) => p.slice(prefix.length).replace(/\/$/, '')),
    listObjects: async (prefix) => (await list(prefix, false)).blobs,
    download: async (key) => {
      const url = new URL(`${base}/${encodeURIComponent(container)}/${key.split('/').map(encodeURIComponent).join('/')}`);
      return Buffer.from(await (await requestOk(url.toString(), { headers: headers('GET', url) }, `downloading ${key}`)).arrayBuffer());
    },
  };
}
