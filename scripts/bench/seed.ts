/**
 * Seeds the benchmark database: one organization, one `jobs:read` API key, a big job of
 * BENCH_FILES files (default 1,000,000) and a small job of 1,000 files, a quarter of them videos
 * with three keyframes each. Skips the work when the database already contains exactly that seed,
 * and writes the ids and the API key secret to .data/bench/seed.json. A seed of other sizes in
 * the same database (an earlier run with another BENCH_FILES) is deleted first.
 *
 * Run: npx tsx scripts/bench/seed.ts   (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/files_gateway_bench)
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { and, count, gte, lte, sql } from 'drizzle-orm';
import postgres from 'postgres';
import { z } from 'zod';
import { type Db, openDatabase } from '../../src/db/client.ts';
import { createApiKey, findApiKeyBySecret } from '../../src/db/queries/api-keys.ts';
import { countJobFiles } from '../../src/db/queries/files.ts';
import { createJob, listJobs } from '../../src/db/queries/jobs.ts';
import { createOrganization, findOrganizationByName } from '../../src/db/queries/organizations.ts';
import { keyframes } from '../../src/db/schema.ts';
import { benchFileId, countVideos, insertRowsInBatches, KEYFRAMES_PER_VIDEO } from './seed-rows.ts';
import { benchDatabaseUrl, describeDatabaseUrl, readPositiveInt, SEED_FILE } from './settings.ts';

export const BENCH_ORGANIZATION_NAME = 'files-gateway bench';
const BIG_JOB_NAME = 'bench big job';
const SMALL_JOB_NAME = 'bench small job';
export const DEFAULT_BIG_JOB_FILES = 1_000_000;
export const SMALL_JOB_FILES = 1_000;
const BATCH_SIZE = 100_000;

const seedFileSchema = z.object({
  bigJobFiles: z.number().int().positive(),
  smallJobFiles: z.number().int().positive(),
  organizationId: z.string(),
  apiKeySecret: z.string(),
  bigJobId: z.string(),
  smallJobId: z.string(),
  seededAt: z.string(),
});

/** The contents of seed.json: what the benchmark needs to address the seeded data. */
export type BenchSeed = z.infer<typeof seedFileSchema>;

export interface SeedSizes {
  bigJobFiles: number;
  smallJobFiles: number;
}

type Log = (message: string) => void;

/** Row numbers of each job: the big job takes 1…B, the small job the next rows. */
function rowRanges(sizes: SeedSizes) {
  return {
    big: { first: 1, last: sizes.bigJobFiles },
    small: { first: sizes.bigJobFiles + 1, last: sizes.bigJobFiles + sizes.smallJobFiles },
  };
}

/** Creates the database named in `url` when it does not exist, by connecting to the `postgres` database of the same server. */
export async function ensureDatabaseExists(url: string): Promise<void> {
  const parsed = new URL(url);
  const name = decodeURIComponent(parsed.pathname.slice(1));
  if (!/^[A-Za-z0-9_]{1,63}$/.test(name)) {
    throw new Error(`Invalid benchmark database name ${JSON.stringify(name)}: use letters, digits and underscores only.`);
  }
  parsed.pathname = '/postgres';
  const admin = postgres(parsed.toString(), { max: 1, onnotice: () => {}, connect_timeout: 5 });
  try {
    const existing = await admin`select 1 from pg_database where datname = ${name}`;
    if (existing.length > 0) return;
    await admin.unsafe(`CREATE DATABASE "${name}"`).catch((error: { code?: string }) => {
      // 42P04 duplicate_database: another process created it meanwhile.
      if (error.code !== '42P04') throw error;
    });
  } finally {
    await admin.end({ timeout: 5 });
  }
}

/** Returns the ids of an existing seed of exactly these sizes, or undefined when the database contains none. */
async function findCompleteSeed(db: Db, sizes: SeedSizes) {
  const organization = await findOrganizationByName(db, BENCH_ORGANIZATION_NAME);
  if (!organization) return undefined;
  const jobs = await listJobs(db, organization.id);
  const bigJob = jobs.find((job) => job.name === BIG_JOB_NAME);
  const smallJob = jobs.find((job) => job.name === SMALL_JOB_NAME);
  if (!bigJob || !smallJob) return { organizationId: organization.id, complete: false as const };

  const ranges = rowRanges(sizes);
  const [bigFiles, smallFiles] = await Promise.all([countJobFiles(db, bigJob.id, 1), countJobFiles(db, smallJob.id, 1)]);
  const [frames] = await db
    .select({ total: count() })
    .from(keyframes)
    .where(and(gte(keyframes.fileId, benchFileId(ranges.big.first)), lte(keyframes.fileId, benchFileId(ranges.small.last))));
  const expectedFrames = KEYFRAMES_PER_VIDEO * countVideos(ranges.big.first, ranges.small.last);
  const complete = bigFiles === sizes.bigJobFiles && smallFiles === sizes.smallJobFiles && frames?.total === expectedFrames;
  return { organizationId: organization.id, bigJobId: bigJob.id, smallJobId: smallJob.id, seededAt: bigJob.createdAt, complete };
}

/**
 * Deletes an organization's rows from every table. The job_file_counts rows go first, so the
 * per-row count trigger finds nothing to update while the files are deleted.
 */
export async function removeOrganizationData(db: Db, organizationId: string): Promise<void> {
  await db.execute(sql`DELETE FROM job_file_counts WHERE job_id IN (SELECT id FROM jobs WHERE organization_id = ${organizationId})`);
  await db.execute(sql`DELETE FROM keyframes WHERE file_id IN (SELECT id FROM files WHERE organization_id = ${organizationId})`);
  await db.execute(sql`DELETE FROM files WHERE organization_id = ${organizationId}`);
  await db.execute(
    sql`DELETE FROM idempotency_keys WHERE api_key_id IN (SELECT id FROM api_keys WHERE organization_id = ${organizationId})`,
  );
  await db.execute(sql`DELETE FROM api_keys WHERE organization_id = ${organizationId}`);
  await db.execute(sql`DELETE FROM jobs WHERE organization_id = ${organizationId}`);
  await db.execute(sql`DELETE FROM organizations WHERE id = ${organizationId}`);
}

/** Creates the organization, API key, both jobs and all their rows, on PostgreSQL or PGlite. */
export async function createBenchData(db: Db, sizes: SeedSizes, log: Log): Promise<BenchSeed> {
  const organization = await createOrganization(db, { name: BENCH_ORGANIZATION_NAME });
  const key = await createApiKey(db, { organizationId: organization.id, name: 'bench', scopes: ['jobs:read'] });
  const bigJob = await createJob(db, { organizationId: organization.id, name: BIG_JOB_NAME });
  const smallJob = await createJob(db, { organizationId: organization.id, name: SMALL_JOB_NAME });
  const ranges = rowRanges(sizes);

  const started = performance.now();
  const progress = (upTo: number) =>
    log(`  ${upTo.toLocaleString('en-US')} files inserted (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  const target = { organizationId: organization.id };
  await insertRowsInBatches(db, { ...target, jobId: bigJob.id }, { ...ranges.big, batchSize: BATCH_SIZE }, progress);
  await insertRowsInBatches(db, { ...target, jobId: smallJob.id }, { ...ranges.small, batchSize: BATCH_SIZE }, progress);

  return {
    ...sizes,
    organizationId: organization.id,
    apiKeySecret: key.secret,
    bigJobId: bigJob.id,
    smallJobId: smallJob.id,
    seededAt: new Date().toISOString(),
  };
}

/** Returns the secret in seed.json when it still belongs to a valid `jobs:read` key of the organization. */
async function reusableSecret(db: Db, organizationId: string): Promise<string | undefined> {
  if (!fs.existsSync(SEED_FILE)) return undefined;
  const parsed = seedFileSchema.safeParse(JSON.parse(fs.readFileSync(SEED_FILE, 'utf8')));
  if (!parsed.success) return undefined;
  const key = await findApiKeyBySecret(db, parsed.data.apiKeySecret);
  const valid = key && key.organizationId === organizationId && !key.revokedAt && key.scopes.includes('jobs:read');
  return valid ? parsed.data.apiKeySecret : undefined;
}

/** Returns the existing seed's ids, with the API key of seed.json when it is still valid and a new key otherwise. */
async function keepExistingSeed(
  db: Db,
  existing: { organizationId: string; bigJobId: string; smallJobId: string; seededAt: Date },
  sizes: SeedSizes,
): Promise<BenchSeed> {
  let secret = await reusableSecret(db, existing.organizationId);
  if (secret === undefined) {
    secret = (await createApiKey(db, { organizationId: existing.organizationId, name: 'bench', scopes: ['jobs:read'] })).secret;
  }
  return {
    ...sizes,
    organizationId: existing.organizationId,
    apiKeySecret: secret,
    bigJobId: existing.bigJobId,
    smallJobId: existing.smallJobId,
    seededAt: existing.seededAt.toISOString(),
  };
}

function writeSeedFile(seed: BenchSeed): void {
  fs.mkdirSync(path.dirname(SEED_FILE), { recursive: true });
  // The file contains an API key secret, so only its owner may read it.
  fs.writeFileSync(SEED_FILE, `${JSON.stringify(seed, null, 2)}\n`, { mode: 0o600 });
}

export interface EnsureSeedResult {
  seed: BenchSeed;
  /** True when the existing rows were kept and only seed.json was (re)written. */
  reused: boolean;
  seconds: number;
}

/**
 * Makes sure the database at `databaseUrl` contains the benchmark seed of these sizes. A seed of
 * other sizes (an earlier run with another BENCH_FILES) is deleted first.
 */
export async function ensureBenchSeed(databaseUrl: string, sizes: SeedSizes, log: Log = console.error): Promise<EnsureSeedResult> {
  const started = performance.now();
  await ensureDatabaseExists(databaseUrl);
  const database = await openDatabase({ databaseUrl, pgliteDir: 'memory', maxConnections: 2 });
  try {
    await database.migrate();
    const { db } = database;
    const existing = await findCompleteSeed(db, sizes);

    if (existing?.complete) {
      const seed = await keepExistingSeed(db, existing, sizes);
      writeSeedFile(seed);
      return { seed, reused: true, seconds: (performance.now() - started) / 1000 };
    }

    if (existing) {
      log(`Removing an incomplete or differently sized benchmark seed (organization ${existing.organizationId}).`);
      await removeOrganizationData(db, existing.organizationId);
    }
    log(
      `Seeding ${sizes.bigJobFiles.toLocaleString('en-US')} + ${sizes.smallJobFiles.toLocaleString('en-US')} files in batches of ${BATCH_SIZE.toLocaleString('en-US')}.`,
    );
    const seed = await createBenchData(db, sizes, log);
    // Fresh statistics and visibility maps, as a long-running database would have them.
    await db.execute(sql`VACUUM (ANALYZE) files, keyframes, job_file_counts, jobs, api_keys, organizations`);
    writeSeedFile(seed);
    return { seed, reused: false, seconds: (performance.now() - started) / 1000 };
  } finally {
    await database.close();
  }
}

/** Reads the big job's size from BENCH_FILES (default 1,000,000). */
export function requestedSizes(): SeedSizes {
  return { bigJobFiles: readPositiveInt('BENCH_FILES', DEFAULT_BIG_JOB_FILES), smallJobFiles: SMALL_JOB_FILES };
}

async function main(): Promise<void> {
  const url = benchDatabaseUrl();
  const result = await ensureBenchSeed(url, requestedSizes());
  const { seed } = result;
  const action = result.reused ? 'Existing seed kept' : 'Seeded';
  console.log(
    `${action} in ${result.seconds.toFixed(1)} s: ${describeDatabaseUrl(url)}, big job ${seed.bigJobId} ` +
      `(${seed.bigJobFiles.toLocaleString('en-US')} files), small job ${seed.smallJobId} (${seed.smallJobFiles.toLocaleString('en-US')} files). ` +
      `Ids and API key written to ${SEED_FILE}.`,
  );
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href;
if (invokedDirectly) await main();
