import { countJobFiles, listJobFilesPage } from '../db/queries/files.ts';
import type { FileRow, JobRow } from '../db/schema.ts';
import { notFound } from '../errors.ts';
import { builder } from './builder.ts';
import { FileRef } from './file.ts';
import { JobRef } from './job-ref.ts';
import { encodeCursor, MIN_SCORE, toFilePageQuery } from './pagination.ts';

/** An edge of a files page; its cursor is encoded only if the query selects it. */
class FileEdge {
  constructor(
    private readonly jobId: string,
    readonly node: FileRow,
  ) {}

  get cursor(): string {
    return encodeCursor(this.jobId, this.node);
  }
}

const JobStatusEnum = builder.enumType('JobStatus', {
  values: { OPEN: { value: 'open' }, COMPLETED: { value: 'completed' } } as const,
});

JobRef.implement({
  description: 'A data-collection job; its approved submissions are its files.',
  isTypeOf: (value) => typeof (value as JobRow).status === 'string' && !('contentHash' in (value as object)),
  fields: (t) => ({
    name: t.exposeString('name'),
    status: t.field({ type: JobStatusEnum, resolve: (job) => job.status }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    files: t.connection(
      {
        type: FileRef,
        description: 'Files rated at least minScore, oldest first. Pages by keyset, so new files never shift a stored cursor.',
        args: {
          minScore: t.arg.int({ defaultValue: MIN_SCORE.default, description: 'Minimum AI star rating, 1-5.' }),
        },
        resolve: async (job, args, ctx) => {
          const minScore = args.minScore ?? MIN_SCORE.default;
          const query = toFilePageQuery(job.id, minScore, args);
          const db = ctx.services.database.db;
          // `first: 0` still reads one row, so pageInfo reports whether files exist past the cursor.
          const page = await listJobFilesPage(db, query);

          for (const file of page.rows) ctx.loaders.fileById.prime(file.id, file);
          const edges = page.rows.map((file) => new FileEdge(job.id, file));
          const forward = query.direction === 'forward';
          // Rows are immutable and never deleted, so a cursor's own row proves a page on its side exists.
          return {
            edges,
            pageInfo: {
              hasNextPage: forward ? page.hasMore : Boolean(query.before),
              hasPreviousPage: forward ? Boolean(query.after) : page.hasMore,
              startCursor: edges[0]?.cursor ?? null,
              endCursor: edges.at(-1)?.cursor ?? null,
            },
            totalCount: () => countJobFiles(db, job.id, minScore),
          };
        },
      },
      {
        name: 'JobFilesConnection',
        fields: (c) => ({
          totalCount: c.int({
            description: "Number of the job's files rated at least minScore.",
            resolve: (connection) => (connection as unknown as { totalCount: () => Promise<number> }).totalCount(),
          }),
        }),
      },
      { name: 'JobFilesEdge' },
    ),
  }),
});

builder.queryField('job', (t) =>
  t.field({
    type: JobRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const job = await ctx.loaders.jobById.load(String(args.id));
      if (!job) throw notFound('job', String(args.id));
      return job;
    },
  }),
);
