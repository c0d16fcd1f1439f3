import { and, asc, eq, inArray } from 'drizzle-orm';
import { newId } from '../../ids.ts';
import type { Db } from '../client.ts';
import { jobs } from '../schema.ts';

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

/** Loads jobs by id, limited to one organization: another organization's job is simply absent. */
export function findJobsByIds(db: Db, organizationId: string, ids: readonly string[]) {
  return db
    .select()
    .from(jobs)
    .where(and(eq(jobs.organizationId, organizationId), inArray(jobs.id, [...ids])));
}

export async function findJob(db: Db, id: string) {
  const [row] = await db.select().from(jobs).where(eq(jobs.id, id));
  return row;
}
