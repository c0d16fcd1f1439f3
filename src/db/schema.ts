import { sql } from 'drizzle-orm';
import {
  bigint,
  check,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

// Millisecond precision everywhere: a JS Date has millisecond resolution, and keyset cursors built
// from a microsecond column would skip or repeat rows on PostgreSQL.
const createdAt = () => timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow();

export const organizations = pgTable('organizations', {
  id: text().primaryKey(),
  name: text().notNull(),
  createdAt: createdAt(),
});

export const apiKeys = pgTable(
  'api_keys',
  {
    id: text().primaryKey(),
    organizationId: text()
      .notNull()
      .references(() => organizations.id),
    name: text().notNull(),
    scopes: text().array().notNull(),
    displayPrefix: text().notNull(),
    secretHash: text().notNull(),
    createdAt: createdAt(),
    revokedAt: timestamp({ withTimezone: true, precision: 3 }),
  },
  (table) => [
    uniqueIndex('api_keys_secret_hash_idx').on(table.secretHash),
    index('api_keys_organization_id_idx').on(table.organizationId),
    check('api_keys_secret_hash_format', sql`${table.secretHash} ~ '^[0-9a-f]{64}$'`),
  ],
);

export const jobs = pgTable(
  'jobs',
  {
    id: text().primaryKey(),
    organizationId: text()
      .notNull()
      .references(() => organizations.id),
    name: text().notNull(),
    status: text({ enum: ['open', 'completed'] })
      .notNull()
      .default('open'),
    createdAt: createdAt(),
  },
  (table) => [
    index('jobs_organization_id_created_at_idx').on(table.organizationId, table.createdAt, table.id),
    check('jobs_status_valid', sql`${table.status} in ('open', 'completed')`),
  ],
);

const MIN_SCORES = [1, 2, 3, 4, 5] as const;

export const files = pgTable(
  'files',
  {
    id: text().primaryKey(),
    jobId: text()
      .notNull()
      .references(() => jobs.id),
    organizationId: text()
      .notNull()
      .references(() => organizations.id),
    submissionId: text().notNull(),
    contentType: text().notNull(),
    sizeBytes: bigint({ mode: 'number' }).notNull(),
    durationSeconds: doublePrecision(),
    width: integer(),
    height: integer(),
    contentHash: text().notNull(),
    // The instant, when the source gave an offset (or was UTC by definition).
    capturedAt: timestamp({ withTimezone: true, precision: 3 }),
    // The wall-clock time as recorded, with its UTC offset in minutes when one was known.
    capturedAtLocal: timestamp({ withTimezone: false, precision: 3 }),
    capturedAtOffsetMinutes: smallint(),
    aiStarRating: smallint().notNull(),
    deviceModel: text(),
    deviceOs: text(),
    appVersion: text(),
    workerRegion: text(),
    annotations: jsonb(),
    storageKey: text().notNull(),
    createdAt: createdAt(),
  },
  (table) => [
    uniqueIndex('files_job_id_content_hash_idx').on(table.jobId, table.contentHash),
    // One partial index per minimum score: the list query for `rating >= k` walks the
    // matching index in (created_at, id) order, so no page ever needs a sort.
    ...MIN_SCORES.map((score) =>
      index(`files_job_id_created_at_id_min${score}_idx`)
        .on(table.jobId, table.createdAt, table.id)
        .where(sql.raw(`ai_star_rating >= ${score}`)),
    ),
    index('files_organization_id_idx').on(table.organizationId),
    check('files_ai_star_rating_range', sql`${table.aiStarRating} between 1 and 5`),
    check('files_size_bytes_positive', sql`${table.sizeBytes} > 0`),
    check('files_content_hash_format', sql`${table.contentHash} ~ '^[0-9a-f]{64}$'`),
    check('files_duration_seconds_positive', sql`${table.durationSeconds} is null or ${table.durationSeconds} > 0`),
    check(
      'files_dimensions_positive',
      sql`(${table.width} is null or ${table.width} > 0) and (${table.height} is null or ${table.height} > 0)`,
    ),
    check(
      'files_captured_at_offset_range',
      sql`${table.capturedAtOffsetMinutes} is null or ${table.capturedAtOffsetMinutes} between -1080 and 1080`,
    ),
  ],
);

export const keyframes = pgTable(
  'keyframes',
  {
    fileId: text()
      .notNull()
      .references(() => files.id),
    index: smallint().notNull(),
    timestampSeconds: doublePrecision().notNull(),
    width: integer().notNull(),
    height: integer().notNull(),
    storageKey: text().notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.fileId, table.index] }),
    check('keyframes_index_range', sql`${table.index} between 0 and 2`),
    check('keyframes_dimensions_positive', sql`${table.width} > 0 and ${table.height} > 0`),
    check('keyframes_timestamp_nonnegative', sql`${table.timestampSeconds} >= 0`),
  ],
);

/** Files per job and rating, kept by a trigger, so `totalCount` is one small read at any job size. */
export const jobFileCounts = pgTable(
  'job_file_counts',
  {
    jobId: text()
      .notNull()
      .references(() => jobs.id),
    aiStarRating: smallint().notNull(),
    fileCount: bigint({ mode: 'number' }).notNull(),
  },
  (table) => [primaryKey({ columns: [table.jobId, table.aiStarRating] })],
);

/** Stored responses of POST requests sent with an Idempotency-Key, per API key. */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    apiKeyId: text()
      .notNull()
      .references(() => apiKeys.id),
    key: text().notNull(),
    requestHash: text().notNull(),
    // Null while the first request is still running.
    responseStatus: smallint(),
    responseBody: jsonb(),
    createdAt: createdAt(),
  },
  (table) => [
    primaryKey({ columns: [table.apiKeyId, table.key] }),
    index('idempotency_keys_created_at_idx').on(table.createdAt),
    check('idempotency_keys_key_length', sql`char_length(${table.key}) between 1 and 255`),
  ],
);

export type FileRow = typeof files.$inferSelect;
export type KeyframeRow = typeof keyframes.$inferSelect;
export type JobRow = typeof jobs.$inferSelect;
export type ApiKeyRow = typeof apiKeys.$inferSelect;
