import { eq } from 'drizzle-orm';
import { newId } from '../../ids.ts';
import type { Db } from '../client.ts';
import { organizations } from '../schema.ts';

export async function createOrganization(db: Db, input: { name: string }) {
  const [row] = await db
    .insert(organizations)
    .values({ id: newId('organization'), name: input.name })
    .returning();
  if (!row) throw new Error('INSERT … RETURNING returned no organization row');
  return row;
}

export async function findOrganization(db: Db, id: string) {
  const [row] = await db.select().from(organizations).where(eq(organizations.id, id));
  return row;
}

export async function findOrganizationByName(db: Db, name: string) {
  const [row] = await db.select().from(organizations).where(eq(organizations.name, name)).limit(1);
  return row;
}
