import { GraphQLError } from 'graphql';
import { decodeCursor, MIN_SCORE, PAGE_SIZE } from '../schema/pagination.ts';
import { invalidRequest } from './errors.ts';
import type { RestContext, RestResult } from './execute.ts';
import { type GraphQLFile, mapFile, REST_FILE_FRAGMENT } from './map-file.ts';
import { type IntegerBounds, readIntegerParameter, readSingleParameter, rejectUnknownParameters } from './params.ts';

/** Bounds of REST `limit`: GraphQL accepts `first: 0`, but a REST page requests at least one file. */
export const LIMIT: IntegerBounds = { min: 1, max: PAGE_SIZE.max, default: PAGE_SIZE.default };

const LIST_PARAMETERS = ['min_score', 'limit', 'cursor'] as const;

const LIST_JOB_FILES_OPERATION = /* GraphQL */ `
  query RestListJobFiles($jobId: ID!, $first: Int!, $after: String, $minScore: Int!) {
    job(id: $jobId) {
      files(first: $first, after: $after, minScore: $minScore) {
        edges { node { ...RestFile } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
  ${REST_FILE_FRAGMENT}
`;

interface ListJobFilesData {
  job: {
    files: {
      edges: Array<{ node: GraphQLFile }>;
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
    };
  } | null;
}

interface ListQuery {
  minScore: number;
  limit: number;
  cursor: string | undefined;
}

function parseListQuery(url: URL, jobId: string): ListQuery {
  const query = url.searchParams;
  rejectUnknownParameters(query, LIST_PARAMETERS);
  const minScore = readIntegerParameter(query, 'min_score', MIN_SCORE);
  const limit = readIntegerParameter(query, 'limit', LIMIT);
  const cursor = readSingleParameter(query, 'cursor');

  // Checked here with the GraphQL layer's own decoder, so the message names `cursor`, not `after`.
  if (cursor !== undefined) {
    try {
      decodeCursor('cursor', cursor, jobId);
    } catch (error) {
      if (error instanceof GraphQLError) throw invalidRequest('cursor', error.message);
      throw error;
    }
  }
  return { minScore, limit, cursor };
}

/** GET /v1/jobs/{job_id}/files: one page of the job's files rated at least min_score, oldest first. */
export async function listJobFiles(context: RestContext, request: Request, jobId: string): Promise<RestResult> {
  const { minScore, limit, cursor } = await context.parseInput(request, () => parseListQuery(new URL(request.url), jobId));

  const variables = { jobId, first: limit, after: cursor ?? null, minScore };
  const { data, headers } = await context.query<ListJobFilesData>(request, LIST_JOB_FILES_OPERATION, variables);
  // `job` is null only together with a NOT_FOUND error, which query() has already thrown.
  if (!data.job) throw new Error('RestListJobFiles returned no job and no error');

  const { edges, pageInfo } = data.job.files;
  const body = {
    object: 'list',
    data: edges.map((edge) => mapFile(edge.node)),
    has_more: pageInfo.hasNextPage,
    next_cursor: pageInfo.hasNextPage ? pageInfo.endCursor : null,
  };
  return { status: 200, body, headers };
}
