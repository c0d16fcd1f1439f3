import { and, asc, eq, sql } from 'drizzle-orm';
import { newId } from '../../ids.ts';
import type { Db } from '../client.ts';
import { type JobRow, jobs } from '../schema.ts';
import { oncePerDatabase } from './prepared.ts';

export async function createJob(db: Db, input: { organizationId: string; name: string }) {
  const [row] = await db
    .insert(jobs)
    .values({ id: newId('job'), organizationId: input.organizationId, name: input.name })
    .returning();
  if (!row) throw new Error('INSERT … RETURNING returned no jobs row');
  return row;
}

export function listJobs(db: Db, organizationId: string) {
  return db.select().from(jobs).where(eq(jobs.organizationId, organizationId)).orderBy(asc(jobs.createdAt), asc(jobs.id));
}

// `= any(array)` keeps one SQL text, and so one prepared statement, for every number of ids.
const jobsByIdsStatement = oncePerDatabase((db) =>
  db
    .select()
    .from(jobs)
    .where(and(eq(jobs.organizationId, sql.placeholder('organizationId')), sql`${jobs.id} = any(${sql.placeholder('ids')}::text[])`))
    .prepare('jobs_by_ids'),
);

/** Loads jobs by id, limited to one organization: another organization's job is simply absent. */
export function findJobsByIds(db: Db, organizationId: string, ids: readonly string[]): Promise<JobRow[]> {
  return jobsByIdsStatement(db).execute({ organizationId, ids });
}

export async function findJob(db: Db, id: string) {
  const [row] = await db.select().from(jobs).where(eq(jobs.id, id));
  return row;
}
