import { createHash } from 'node:crypto';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { newApiKeySecret, newId } from '../../ids.ts';
import type { Db } from '../client.ts';
import { apiKeys } from '../schema.ts';
import { oncePerDatabase } from './prepared.ts';

/** Scopes an API key can carry: `jobs:read` lists files and refreshes URLs, `jobs:write` creates jobs and ingests. */
export const KNOWN_SCOPES = ['jobs:read', 'jobs:write'] as const;
export type Scope = (typeof KNOWN_SCOPES)[number];

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Creates a key and returns the row and the secret, which exists only in this return value. */
export async function createApiKey(db: Db, input: { organizationId: string; name: string; scopes: Scope[] }) {
  const secret = newApiKeySecret();
  const [row] = await db
    .insert(apiKeys)
    .values({
      id: newId('apiKey'),
      organizationId: input.organizationId,
      name: input.name,
      scopes: input.scopes,
      // Enough to recognise the key in a list, far too little to guess the rest.
      displayPrefix: secret.slice(0, 12),
      secretHash: hashSecret(secret),
    })
    .returning();
  if (!row) throw new Error('INSERT … RETURNING returned no api_keys row');
  return { row, secret };
}

const apiKeyBySecretHashStatement = oncePerDatabase((db) =>
  db
    .select({
      id: apiKeys.id,
      organizationId: apiKeys.organizationId,
      scopes: apiKeys.scopes,
      revokedAt: apiKeys.revokedAt,
    })
    .from(apiKeys)
    .where(eq(apiKeys.secretHash, sql.placeholder('secretHash')))
    .prepare('api_key_by_secret_hash'),
);

/** Finds the key with this secret, revoked or not; the caller decides what revocation means. */
export async function findApiKeyBySecret(db: Db, secret: string) {
  const [row] = await apiKeyBySecretHashStatement(db).execute({ secretHash: hashSecret(secret) });
  return row;
}

/** Revokes a key; returns undefined when no key has this id, and the row unchanged when already revoked. */
export async function revokeApiKey(db: Db, id: string) {
  const [revoked] = await db
    .update(apiKeys)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
    .returning();
  if (revoked) return revoked;
  const [existing] = await db.select().from(apiKeys).where(eq(apiKeys.id, id));
  return existing;
}
