import { LRUCache } from 'lru-cache';
import type { SignedUrl, SignedUrlCacheStats, SignRequest } from './types.ts';

/** Signature inputs of a cached URL besides its object key; a lookup hits only when all of them match. */
export interface SignatureInputs {
  /** Digest of the signing secret or credentials. */
  identity: string;
  windowStartSeconds: number;
}

interface Entry extends SignatureInputs {
  contentType: string;
  signed: SignedUrl;
}

/**
 * Bounded in-process LRU of signed URLs, one entry per object key. An entry also records the
 * response content type, signing window and credentials identity it was signed for, and a lookup
 * hits only when all of them match. The lifetime needs no check because it is fixed for the life
 * of the process. A new window or new credentials therefore replace an entry instead of adding
 * one, and no lookup has to build a composite key string.
 *
 * NOTE: an S3 entry takes about 0.8 KB of heap, mostly the URL itself (see BENCHMARKS.md), so the
 * default of 100,000 entries can reach about 80 MB.
 */
export class SignedUrlCache {
  readonly #entries: LRUCache<string, Entry> | undefined;
  #hits = 0;
  #misses = 0;
  #evictions = 0;

  /** `maxEntries` of 0 disables the cache. */
  constructor(private readonly maxEntries: number) {
    if (maxEntries === 0) return;
    this.#entries = new LRUCache<string, Entry>({
      max: maxEntries,
      dispose: (_value, _key, reason) => {
        if (reason === 'evict') this.#evictions += 1;
      },
    });
  }

  /**
   * Returns the URL signed for exactly these inputs, unless it is missing or expires at or before
   * `nowMs`. A miss is counted only with `countMiss`, so a lookup that is followed by signing
   * counts the miss once, where the signing happens.
   */
  get(request: SignRequest, inputs: SignatureInputs, nowMs: number, countMiss = true): SignedUrl | undefined {
    if (!this.#entries) return undefined;

    const entry = this.#entries.get(request.key);
    if (
      entry === undefined ||
      entry.windowStartSeconds !== inputs.windowStartSeconds ||
      entry.identity !== inputs.identity ||
      entry.contentType !== request.contentType ||
      entry.signed.expiresAt.getTime() <= nowMs
    ) {
      if (countMiss) this.#misses += 1;
      return undefined;
    }
    this.#hits += 1;
    return entry.signed;
  }

  set(request: SignRequest, inputs: SignatureInputs, signed: SignedUrl): void {
    if (!this.#entries) return;
    const entry: Entry = {
      identity: inputs.identity,
      windowStartSeconds: inputs.windowStartSeconds,
      contentType: request.contentType,
      signed,
    };
    this.#entries.set(request.key, entry);
  }

  stats(): SignedUrlCacheStats {
    return {
      hits: this.#hits,
      misses: this.#misses,
      evictions: this.#evictions,
      entries: this.#entries?.size ?? 0,
      maxEntries: this.maxEntries,
    };
  }
}
