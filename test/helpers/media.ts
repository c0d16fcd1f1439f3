import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createJob } from '../../src/db/queries/jobs.ts';
import { createOrganization } from '../../src/db/queries/organizations.ts';
import { type IngestOptions, type IngestResult, ingestPaths } from '../../src/ingest/ingest.ts';
import { createLogger } from '../../src/logger.ts';
import { resolveMediaBinaries } from '../../src/media/binaries.ts';
import { createObjectStore } from '../../src/storage/index.ts';
import type { ObjectStore } from '../../src/storage/types.ts';
import { type TestDatabase, useTestDatabase } from './databases.ts';

export const binaries = resolveMediaBinaries();

/** Encoder arguments for an H.264 track in the pixel format every player decodes. */
export const H264_ARGS = ['-c:v', 'libx264', '-pix_fmt', 'yuv420p'];

/** Runs ffmpeg quietly, overwriting its output; throws with ffmpeg's stderr when it fails. */
export function runFfmpeg(args: string[]): void {
  execFileSync(binaries.ffmpeg, ['-nostdin', '-v', 'error', '-y', ...args], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 });
}

export interface IngestEnvironment {
  handle: TestDatabase;
  /** Set in beforeAll: a temporary DATA_DIR holding the local object store. */
  dataDir: string;
  store: ObjectStore;
}

/** Opens a test database of `driver` and a local object store in a temporary DATA_DIR for the enclosing describe block. */
export function useIngestEnvironment(driver: 'pglite' | 'postgres'): IngestEnvironment {
  const environment = { handle: useTestDatabase(driver) } as IngestEnvironment;
  beforeAll(async () => {
    environment.dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'files-gateway-ingest-'));
    environment.store = await createObjectStore(loadConfig({ DATA_DIR: environment.dataDir }), createLogger('silent'));
  });
  afterAll(async () => {
    await environment.store?.close();
    if (environment.dataDir) fs.rmSync(environment.dataDir, { recursive: true, force: true });
  });
  return environment;
}

/** Creates an organization with one job; returns the ids ingest needs. */
export async function createTestJob(environment: IngestEnvironment, name = 'media'): Promise<{ jobId: string; organizationId: string }> {
  const db = environment.handle.database.db;
  const organization = await createOrganization(db, { name: `${name} org` });
  const job = await createJob(db, { organizationId: organization.id, name });
  return { jobId: job.id, organizationId: organization.id };
}

/** Ingests `inputs` into a job, with a default rating of 4 unless `options.defaultRating` replaces it. */
export function ingestInto(
  environment: IngestEnvironment,
  target: { jobId: string; organizationId: string },
  inputs: string[],
  options: Partial<IngestOptions> = {},
): Promise<IngestResult[]> {
  return ingestPaths({
    db: environment.handle.database.db,
    store: environment.store,
    ...target,
    inputs,
    defaultRating: 4,
    binaries,
    ...options,
  });
}

/** Lists every object file under the local store's folder, relative to it. */
export function listObjects(dataDir: string): string[] {
  const root = path.join(dataDir, 'objects');
  if (!fs.existsSync(root)) return [];
  return (fs.readdirSync(root, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)))
    .sort();
}
