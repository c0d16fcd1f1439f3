/**
 * The mixed traffic of the load test. Every autocannon connection sends the kinds below in turn,
 * and each response is counted by kind and status.
 */
import type autocannon from 'autocannon';
import { REST_FILE_FRAGMENT } from '../../src/rest/map-file.ts';
import { encodeCursor } from '../../src/schema/pagination.ts';
import type { BenchSeed } from './seed.ts';
import { BENCH_EPOCH_MS, benchFileId } from './seed-rows.ts';

export type TrafficKind =
  | 'REST list, first page'
  | 'REST list, cursor page'
  | 'GraphQL list, cursor page'
  | 'REST refresh_url'
  | 'REST refresh_url, new Idempotency-Key'
  | 'REST refresh_url, replayed Idempotency-Key';

/** Responses per kind and HTTP status. */
export type StatusCounts = Map<TrafficKind, Map<number, number>>;

const GRAPHQL_LIST_QUERY = /* GraphQL */ `
  query LoadTestJobFiles($jobId: ID!, $after: String) {
    job(id: $jobId) {
      files(first: 50, after: $after) {
        totalCount
        edges { cursor node { ...RestFile } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
  ${REST_FILE_FRAGMENT}
`;

/** Row number of a random file of the big job (rows 1…bigJobFiles). */
const randomRow = (seed: BenchSeed) => 1 + Math.floor(Math.random() * seed.bigJobFiles);

/** Returns a cursor at a random position of the big job: any (created_at, id) pair is a valid keyset position. */
function randomCursor(seed: BenchSeed): string {
  const row = randomRow(seed);
  return encodeCursor(seed.bigJobId, { createdAt: new Date(BENCH_EPOCH_MS + row), id: benchFileId(row) });
}

export interface Traffic {
  requests: autocannon.Request[];
  counts: StatusCounts;
}

/**
 * Builds the request cycle. `replay.key` must already have been used once, with a completed
 * response, for POST /v1/files/{replay.fileId}/refresh_url, so every replay returns the stored response.
 */
export function buildTraffic(seed: BenchSeed, replay: { key: string; fileId: string }, runId: string): Traffic {
  const counts: StatusCounts = new Map();
  const authorization = { Authorization: `Bearer ${seed.apiKeySecret}` };
  let keySequence = 0;

  const counted = (kind: TrafficKind, request: autocannon.Request): autocannon.Request => ({
    ...request,
    onResponse: (status) => {
      const byStatus = counts.get(kind) ?? new Map<number, number>();
      byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
      counts.set(kind, byStatus);
    },
  });
  const refreshPath = () => `/v1/files/${benchFileId(randomRow(seed))}/refresh_url`;

  const requests = [
    counted('REST list, first page', { method: 'GET', path: `/v1/jobs/${seed.smallJobId}/files?limit=50`, headers: authorization }),
    counted('REST list, cursor page', {
      method: 'GET',
      headers: authorization,
      setupRequest: (request) => ({ ...request, path: `/v1/jobs/${seed.bigJobId}/files?limit=100&cursor=${randomCursor(seed)}` }),
    }),
    counted('GraphQL list, cursor page', {
      method: 'POST',
      path: '/graphql',
      headers: { ...authorization, 'Content-Type': 'application/json' },
      setupRequest: (request) => ({
        ...request,
        body: JSON.stringify({ query: GRAPHQL_LIST_QUERY, variables: { jobId: seed.bigJobId, after: randomCursor(seed) } }),
      }),
    }),
    counted('REST refresh_url', {
      method: 'POST',
      headers: authorization,
      setupRequest: (request) => ({ ...request, path: refreshPath() }),
    }),
    counted('REST refresh_url, new Idempotency-Key', {
      method: 'POST',
      setupRequest: (request) => {
        keySequence += 1;
        return { ...request, path: refreshPath(), headers: { ...authorization, 'Idempotency-Key': `loadtest-${runId}-${keySequence}` } };
      },
    }),
    counted('REST refresh_url, replayed Idempotency-Key', {
      method: 'POST',
      path: `/v1/files/${replay.fileId}/refresh_url`,
      headers: { ...authorization, 'Idempotency-Key': replay.key },
    }),
  ];
  return { requests, counts };
}
