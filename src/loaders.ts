import DataLoader from 'dataloader';
import { findFilesByIds, findKeyframesByFileIds } from './db/queries/files.ts';
import { findJobsByIds } from './db/queries/jobs.ts';
import type { FileRow, JobRow, KeyframeRow } from './db/schema.ts';
import type { AppServices, Loaders } from './schema/context.ts';
import type { SignRequest } from './storage/types.ts';

/** Key of one URL to sign: the object key and the content type the download is served with. */
export function signingKey(storageKey: string, contentType: string): string {
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

/**
 * Creates the loaders of one request, scoped to the caller's organization: a row of another
 * organization is never loaded, so it looks exactly like a row that does not exist.
 */
export function createLoaders(services: AppServices, organizationId: string): Loaders {
  const { db } = services.database;
  return {
    jobById: new DataLoader<string, JobRow | null>(async (ids) => byId(ids, await findJobsByIds(db, organizationId, ids))),
    fileById: new DataLoader<string, FileRow | null>(async (ids) => byId(ids, await findFilesByIds(db, organizationId, ids))),
    keyframesByFileId: new DataLoader<string, KeyframeRow[]>(async (fileIds) => {
      const rows = await findKeyframesByFileIds(db, fileIds);
      return fileIds.map((id) => rows.filter((row) => row.fileId === id));
    }),
    // maxBatchSize keeps one batch's signing work bounded; the store itself reuses signatures.
    signedUrl: new DataLoader(async (keys) => services.store.sign(keys.map(parseSigningKey)), { maxBatchSize: 1000 }),
  };
}
