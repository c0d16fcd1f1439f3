import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';

export interface RateLimitDecision {
  allowed: boolean;
  headers: Record<string, string>;
}

export interface RateLimiter {
  /** Takes one request from the caller's budget. */
  consume(authorization: string | null): Promise<RateLimitDecision>;
  /** Gives a request back, e.g. for an idempotent replay, which is free. */
  refund(authorization: string | null): Promise<void>;
  /** Resolves once the shared store is connected, or after `timeoutMs` (the memory fallback serves meanwhile). */
  ready(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Budget key of a caller: the SHA-256 of its bearer token, so the secret never reaches Redis or memory. */
function budgetKey(authorization: string | null): string {
  return authorization ? createHash('sha256').update(authorization).digest('hex') : 'anonymous';
}

/**
 * Creates the per-API-key limiter: RATE_LIMIT_BURST requests per window of burst / rate seconds,
 * so the long-run rate is RATE_LIMIT_PER_SECOND. With REDIS_URL the budget lives in Redis and is
 * shared by every gateway instance; an in-memory limiter takes over while Redis is unreachable.
 */
export function createRateLimiter(config: Config, logger: Logger): RateLimiter {
  const { perSecond, burst, redisUrl } = config.rateLimit;
  const options = { points: burst, duration: Math.max(1, Math.ceil(burst / perSecond)), keyPrefix: 'files-gateway:rate' };
  let redis: Redis | undefined;
  let limiter: RateLimiterAbstract;
  if (redisUrl) {
    redis = new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false });
    redis.on('error', (error) => logger.warn({ err: error }, 'Redis error in the rate limiter; using the in-memory limiter meanwhile'));
    limiter = new RateLimiterRedis({ ...options, storeClient: redis, insuranceLimiter: new RateLimiterMemory(options) });
  } else {
    limiter = new RateLimiterMemory(options);
  }

  const headersOf = (result: RateLimiterRes) => ({
    'RateLimit-Limit': String(burst),
    'RateLimit-Remaining': String(Math.max(0, result.remainingPoints)),
    'RateLimit-Reset': String(Math.ceil(result.msBeforeNext / 1000)),
  });

  return {
    consume: async (authorization) => {
      try {
        const result = await limiter.consume(budgetKey(authorization), 1);
        return { allowed: true, headers: headersOf(result) };
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        const retryAfter = String(Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)));
        return { allowed: false, headers: { ...headersOf(rejection), 'Retry-After': retryAfter } };
      }
    },
    refund: async (authorization) => {
      await limiter.reward(budgetKey(authorization), 1);
    },
    ready: async (timeoutMs = 3000) => {
      if (!redis || redis.status === 'ready') return;
      const connection = redis;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          logger.warn({ timeoutMs }, 'Redis not ready at start-up; rate limits are per instance until it connects');
          resolve();
        }, timeoutMs);
        connection.once('ready', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
    close: async () => {
      redis?.disconnect();
    },
  };
}
