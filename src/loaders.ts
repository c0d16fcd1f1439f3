import DataLoader from 'dataloader';
import { findFilesByIds, findKeyframesByFileIds } from './db/queries/files.ts';
import { findJobsByIds } from './db/queries/jobs.ts';
import type { FileRow, JobRow, KeyframeRow } from './db/schema.ts';
import type { AppServices, Loaders, RequestUrls } from './schema/context.ts';
import type { CachedUrlReader, SignedUrl, SignRequest } from './storage/types.ts';

/** Key of one URL to sign: the object key and the content type the download is served with. */
function signingKey(storageKey: string, contentType: string): string {
  return `${contentType}\n${storageKey}`;
}

function parseSigningKey(key: string): SignRequest {
  const newline = key.indexOf('\n');
  return { contentType: key.slice(0, newline), key: key.slice(newline + 1) };
}

function byId<T extends { id: string }>(ids: readonly string[], rows: T[]): Array<T | null> {
  const map = new Map(rows.map((row) => [row.id, row]));
  return ids.map((id) => map.get(id) ?? null);
}

function groupByFileId(fileIds: readonly string[], rows: KeyframeRow[]): KeyframeRow[][] {
  const groups = new Map<string, KeyframeRow[]>(fileIds.map((id) => [id, []]));
  for (const row of rows) groups.get(row.fileId)?.push(row);
  return fileIds.map((id) => groups.get(id) ?? []);
}

/**
 * Creates the download URLs of one request. A URL already in the signed-URL cache comes back as a
 * value, with no promise per field, and the misses are batched into one signing call per tick.
 */
function createRequestUrls(services: AppServices, cached: CachedUrlReader): RequestUrls {
  // maxBatchSize keeps one batch's signing work bounded.
  const misses = new DataLoader<string, SignedUrl>(async (keys) => services.store.sign(keys.map(parseSigningKey)), {
    maxBatchSize: 1000,
  });
  // The URL and its expiry are two fields, so each object is looked up twice: the second lookup
  // is served from this map, and the cache counts one hit or one miss per URL.
  const seen = new Map<string, { contentType: string; signed: SignedUrl | Promise<SignedUrl> }>();
  return {
    urlOf: (storageKey, contentType) => {
      const known = seen.get(storageKey);
      if (known?.contentType === contentType) return known.signed;

      const signed = cached.get({ key: storageKey, contentType }) ?? misses.load(signingKey(storageKey, contentType));
      seen.set(storageKey, { contentType, signed });
      return signed;
    },
  };
}

/**
 * Creates the loaders of one request, scoped to the caller's organization: a row of another
 * organization is never loaded, so it looks exactly like a row that does not exist.
 */
export function createLoaders(services: AppServices, organizationId: string, cachedUrls: CachedUrlReader): Loaders {
  const { db } = services.database;
  return {
    jobById: new DataLoader<string, JobRow | null>(async (ids) => byId(ids, await findJobsByIds(db, organizationId, ids))),
    fileById: new DataLoader<string, FileRow | null>(async (ids) => byId(ids, await findFilesByIds(db, organizationId, ids))),
    keyframesByFileId: new DataLoader<string, KeyframeRow[]>(async (fileIds) =>
      groupByFileId(fileIds, await findKeyframesByFileIds(db, fileIds)),
    ),
    urls: createRequestUrls(services, cachedUrls),
  };
}
