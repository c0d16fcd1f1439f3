import type { SignedUrl } from '../storage/types.ts';
import type { GraphQLContext } from './context.ts';

/**
 * Reads one part of an object's signed URL. A cached URL is answered synchronously, so a warm page
 * of files creates no promise per URL field; only a miss waits for the batched signing.
 */
function pick<T>(ctx: GraphQLContext, storageKey: string, contentType: string, part: (signed: SignedUrl) => T): T | Promise<T> {
  const signed = ctx.loaders.urls.urlOf(storageKey, contentType);
  return signed instanceof Promise ? signed.then(part) : part(signed);
}

export const downloadUrlOf = (ctx: GraphQLContext, storageKey: string, contentType: string) =>
  pick(ctx, storageKey, contentType, (signed) => signed.url);

// Cached URLs are the same objects request after request, so their expiry is formatted once.
const formattedExpiries = new WeakMap<SignedUrl, string>();

function formatExpiry(signed: SignedUrl): string {
  let text = formattedExpiries.get(signed);
  if (text === undefined) {
    text = signed.expiresAt.toISOString();
    formattedExpiries.set(signed, text);
  }
  return text;
}

/** The expiry as the DateTime scalar's ISO 8601 string. */
export const downloadUrlExpiryOf = (ctx: GraphQLContext, storageKey: string, contentType: string) =>
  pick(ctx, storageKey, contentType, formatExpiry);
