/**
 * The list-files requests the benchmark sends, and the in-process check of each one: its status,
 * its page size and the SQL statements it costs, counted around `app.fetch`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { and, asc, eq, sql } from 'drizzle-orm';
import { loadConfig } from '../../src/config.ts';
import { type Db, openDatabase } from '../../src/db/client.ts';
import { countJobFiles } from '../../src/db/queries/files.ts';
import { files } from '../../src/db/schema.ts';
import { runCountingStatements } from '../../src/db/statement-counter.ts';
import { type App, createApp } from '../../src/http/app.ts';
import { createLogger } from '../../src/logger.ts';
import { REST_FILE_FRAGMENT } from '../../src/rest/map-file.ts';
import { createRestHandler } from '../../src/rest/router.ts';
import type { AppServices } from '../../src/schema/context.ts';
import { encodeCursor } from '../../src/schema/pagination.ts';
import { createObjectStore } from '../../src/storage/index.ts';
import type { LoadRequest } from './load.ts';
import type { BenchSeed } from './seed.ts';
import { FAKE_S3_CREDENTIALS, serverEnv } from './settings.ts';

export const PAGE_LIMIT = 100;
export const MIN_SCORE = 3;
/** The deep page starts after this many full pages (fewer when the big job is too small for it). */
const DEEP_PAGES_SKIPPED = 5_000;

export type ScenarioId = 'rest-first' | 'rest-deep' | 'graphql-first' | 'graphql-deep';

export interface Scenario {
  id: ScenarioId;
  api: 'REST' | 'GraphQL';
  page: 'first' | 'deep';
  request: LoadRequest;
}

export interface DeepPage {
  /** Cursor of the last row before the deep page. */
  cursor: string;
  pagesSkipped: number;
  /** Files of the big job with a rating of at least MIN_SCORE. */
  matchingFiles: number;
}

/**
 * Every field the REST API returns, selected through GraphQL. It spreads the REST fragment, so
 * both APIs select exactly the same fields.
 */
const LIST_FILES_QUERY = /* GraphQL */ `
  query BenchJobFiles($jobId: ID!, $after: String) {
    job(id: $jobId) {
      files(first: ${PAGE_LIMIT}, after: $after, minScore: ${MIN_SCORE}) {
        edges { node { ...RestFile } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
  ${REST_FILE_FRAGMENT}
`;

/** Finds the cursor of row DEEP_PAGES_SKIPPED * PAGE_LIMIT - 1 (offset 499,999 at full size) in the list order. */
export async function findDeepPage(db: Db, seed: BenchSeed): Promise<DeepPage> {
  const matchingFiles = await countJobFiles(db, seed.bigJobId, MIN_SCORE);
  const pagesSkipped = Math.min(DEEP_PAGES_SKIPPED, Math.floor((matchingFiles - PAGE_LIMIT) / PAGE_LIMIT));
  if (pagesSkipped < 1) throw new Error(`The big job has only ${matchingFiles} files rated ${MIN_SCORE} or more: seed at least 400 files.`);

  const [row] = await db
    .select({ createdAt: files.createdAt, id: files.id })
    .from(files)
    .where(and(eq(files.jobId, seed.bigJobId), sql.raw(`"files"."ai_star_rating" >= ${MIN_SCORE}`)))
    .orderBy(asc(files.createdAt), asc(files.id))
    .offset(pagesSkipped * PAGE_LIMIT - 1)
    .limit(1);
  if (!row) throw new Error(`No file at offset ${pagesSkipped * PAGE_LIMIT - 1} of job ${seed.bigJobId}.`);
  return { cursor: encodeCursor(seed.bigJobId, row), pagesSkipped, matchingFiles };
}

function restRequest(seed: BenchSeed, jobId: string, cursor?: string): LoadRequest {
  const query = new URLSearchParams({ limit: String(PAGE_LIMIT), min_score: String(MIN_SCORE) });
  if (cursor) query.set('cursor', cursor);
  return { method: 'GET', path: `/v1/jobs/${jobId}/files?${query}`, headers: { Authorization: `Bearer ${seed.apiKeySecret}` } };
}

function graphqlRequest(seed: BenchSeed, jobId: string, cursor?: string): LoadRequest {
  return {
    method: 'POST',
    path: '/graphql',
    headers: { Authorization: `Bearer ${seed.apiKeySecret}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ query: LIST_FILES_QUERY, variables: { jobId, after: cursor ?? null } }),
  };
}

/** Returns the scenarios: the first page of the small job and the deep page of the big job, over REST and GraphQL. */
export function buildScenarios(seed: BenchSeed, deep: DeepPage): Scenario[] {
  return [
    { id: 'rest-first', api: 'REST', page: 'first', request: restRequest(seed, seed.smallJobId) },
    { id: 'rest-deep', api: 'REST', page: 'deep', request: restRequest(seed, seed.bigJobId, deep.cursor) },
    { id: 'graphql-first', api: 'GraphQL', page: 'first', request: graphqlRequest(seed, seed.smallJobId) },
    { id: 'graphql-deep', api: 'GraphQL', page: 'deep', request: graphqlRequest(seed, seed.bigJobId, deep.cursor) },
  ];
}

/** Returns the number of files in a list response of either API, or throws when it reports an error. */
export function filesInResponse(scenario: Scenario, status: number, text: string): number {
  if (status !== 200) throw new Error(`${scenario.id} returned HTTP ${status}: ${text.slice(0, 300)}`);
  const body = JSON.parse(text) as { data?: unknown; errors?: unknown[] };
  if (scenario.api === 'REST') return (body.data as unknown[]).length;
  if (body.errors) throw new Error(`${scenario.id} returned GraphQL errors: ${JSON.stringify(body.errors).slice(0, 300)}`);
  return (body.data as { job: { files: { edges: unknown[] } } }).job.files.edges.length;
}

export interface ScenarioCheck {
  statements: number;
  files: number;
  responseBytes: number;
}

async function sendCounted(app: App, scenario: Scenario): Promise<ScenarioCheck> {
  const { method, path: requestPath, headers, body } = scenario.request;
  const counter = { count: 0 };
  const response = await runCountingStatements(counter, () =>
    app.fetch(new Request(`http://127.0.0.1${requestPath}`, { method, headers, body })),
  );
  const text = await response.text();
  const filesReturned = filesInResponse(scenario, response.status, text);
  return { statements: counter.count, files: filesReturned, responseBytes: Buffer.byteLength(text) };
}

/**
 * Builds the gateway in-process over the same database (as the tests do) and sends each scenario
 * twice, counting the SQL statements of the second request.
 */
export async function checkScenariosInProcess(databaseUrl: string, scenarios: Scenario[]): Promise<Map<ScenarioId, ScenarioCheck>> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'files-gateway-bench-app-'));
  const config = loadConfig({ ...serverEnv({ databaseUrl, port: 0, dataDir, s3Endpoint: 'http://127.0.0.1:9' }), LOG_LEVEL: 'silent' });
  const logger = createLogger('silent');
  const database = await openDatabase({ databaseUrl, pgliteDir: 'memory' });
  const store = await createObjectStore(config, logger, { credentials: FAKE_S3_CREDENTIALS });
  const services: AppServices = { config, database, store, logger };
  const app: App = createApp(services, { rest: createRestHandler(() => app.graphql, services) });

  try {
    const checks = new Map<ScenarioId, ScenarioCheck>();
    for (const scenario of scenarios) {
      await sendCounted(app, scenario);
      checks.set(scenario.id, await sendCounted(app, scenario));
    }
    return checks;
  } finally {
    await app.close();
    await store.close();
    await database.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
