import type { Db } from './db/client.ts';
import { findApiKeyBySecret } from './db/queries/api-keys.ts';
import { apiError } from './errors.ts';
import type { Principal } from './schema/context.ts';

const BEARER = /^Bearer\s+(\S+)\s*$/i;
const SECRET_FORMAT = /^fh_live_[0-9A-Za-z]{32,128}$/;

const unauthenticated = (message: string) =>
  apiError('UNAUTHENTICATED', message, { headers: { 'WWW-Authenticate': 'Bearer realm="files-gateway"' } });

/**
 * Resolves the API key of an `Authorization: Bearer fh_live_…` header and checks that it has
 * `requiredScope`. The secret is compared by its SHA-256 only and never logged.
 */
export async function authenticate(db: Db, authorization: string | null, requiredScope: string): Promise<Principal> {
  if (!authorization) {
    throw unauthenticated(
      'Missing API key: send the header `Authorization: Bearer fh_live_…` with a key created by `files-gateway keys create`.',
    );
  }
  const secret = BEARER.exec(authorization)?.[1];
  if (!secret) throw unauthenticated('Malformed Authorization header: expected `Bearer fh_live_…` followed by the key secret.');
  if (!SECRET_FORMAT.test(secret)) {
    throw unauthenticated(
      'Invalid API key: keys are fh_live_ followed by 32 or more letters and digits. Check for a typo or create a new key.',
    );
  }

  const key = await findApiKeyBySecret(db, secret);
  if (!key) throw unauthenticated('Invalid API key: no key has this secret. Check for a typo or create a new key.');
  if (key.revokedAt) throw unauthenticated(`API key ${key.id} was revoked at ${key.revokedAt.toISOString()}: create a new key.`);
  if (!key.scopes.includes(requiredScope)) {
    throw apiError(
      'FORBIDDEN',
      `API key ${key.id} lacks the ${requiredScope} scope (it has: ${key.scopes.join(', ') || 'none'}). Create a key with --scopes ${requiredScope}.`,
    );
  }
  return { apiKeyId: key.id, organizationId: key.organizationId, scopes: key.scopes };
}
