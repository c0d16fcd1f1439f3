import type { Readable } from 'node:stream';

/** One object to sign a download URL for. */
export interface SignRequest {
  /** Object key in the store, as returned by `fileObjectKey` or `keyframeObjectKey`. */
  key: string;
  /** Content-Type the download is served with (the file's own, `image/png` for keyframes). */
  contentType: string;
}

export interface SignedUrl {
  url: string;
  /** The true expiry: never later than the signature or the signing credentials allow. */
  expiresAt: Date;
}

export interface SignOptions {
  /**
   * Sign now with the full lifetime instead of reusing the URL of the current signing window
   * (what refreshFileUrl does).
   */
  fresh?: boolean;
}

/** Reads URLs from the signed-URL cache, synchronously and without ever signing. */
export interface CachedUrlReader {
  /** The URL cached for this object and content type in the reader's window, or undefined. */
  get(request: SignRequest): SignedUrl | undefined;
}

/** Counters of the signed-URL cache, for metrics. */
export interface SignedUrlCacheStats {
  /** URLs served from the cache. */
  hits: number;
  /** URLs signed because the cache had no valid entry; always 0 while the cache is disabled. */
  misses: number;
  evictions: number;
  entries: number;
  /** 0 when the cache is disabled. */
  maxEntries: number;
}

/** Storage of file and keyframe bytes, and the signer of their download URLs. */
export interface ObjectStore {
  readonly driver: 'local' | 's3';
  /**
   * Stores the bytes under `key`; storing the same key again is a no-op (keys are content-addressed),
   * and a stream body is then destroyed unread.
   */
  put(key: string, body: Buffer | Readable, contentType: string, sizeBytes: number): Promise<void>;
  exists(key: string): Promise<boolean>;
  /** Removes an object; used only to clean up after a failed ingest. */
  delete(key: string): Promise<void>;
  /** Signs download URLs for a batch of objects, in the order given. */
  sign(requests: readonly SignRequest[], options?: SignOptions): Promise<SignedUrl[]>;
  /**
   * Returns a reader of the URLs already cached for the current window and credentials, for one
   * request: it resolves the credentials once, so lookups afterwards need no promise.
   */
  cachedUrls(): Promise<CachedUrlReader>;
  /** Number of signatures computed since start-up (cache hits excluded). */
  readonly signCount: number;
  cacheStats(): SignedUrlCacheStats;
  close(): Promise<void>;
}
