import type { SignedUrl } from '../storage/types.ts';
import type { GraphQLContext } from './context.ts';

/**
 * Reads one part of an object's signed URL. A cached URL is returned synchronously, so a warm page
 * of files creates no promise per URL field. Only a miss waits for the batched signing.
 */
function pick<T>(ctx: GraphQLContext, storageKey: string, contentType: string, part: (signed: SignedUrl) => T): T | Promise<T> {
  const signed = ctx.loaders.urls.urlOf(storageKey, contentType);
  return signed instanceof Promise ? signed.then(part) : part(signed);
}

export const downloadUrlOf = (ctx: GraphQLContext, storageKey: string, contentType: string) =>
  pick(ctx, storageKey, contentType, (signed) => signed.url);

/**
 * Formats a URL expiry, remembering the last one: within a signing window every URL signed with
 * the same credentials expires at the same instant, so nearly every call returns the last text.
 */
function createExpiryFormatter(): (signed: SignedUrl) => string {
  let lastMs = Number.NaN;
  let lastText = '';
  return (signed) => {
    const ms = signed.expiresAt.getTime();
    if (ms !== lastMs) {
      lastText = signed.expiresAt.toISOString();
      lastMs = ms;
    }
    return lastText;
  };
}

const formatExpiry = createExpiryFormatter();

/** The expiry as the DateTime scalar's ISO 8601 string. */
export const downloadUrlExpiryOf = (ctx: GraphQLContext, storageKey: string, contentType: string) =>
  pick(ctx, storageKey, contentType, formatExpiry);
