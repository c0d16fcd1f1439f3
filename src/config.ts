import path from 'node:path';
import { z } from 'zod';

/** Maximum lifetime SigV4 allows for a pre-signed URL: 7 days, in seconds. */
export const MAX_URL_EXPIRES_SECONDS = 604_800;

const booleanString = z
  .enum(['true', 'false', '1', '0'], { message: 'expected one of true, false, 1, 0' })
  .transform((value) => value === 'true' || value === '1');

const positiveInt = (fallback: number, max?: number) => {
  let schema = z.coerce
    .number({ message: 'expected an integer' })
    .int({ message: 'expected an integer' })
    .positive({ message: 'expected an integer above 0' });
  if (max !== undefined) schema = schema.max(max, { message: `expected at most ${max}` });
  return schema.default(fallback);
};

const optionalUrl = z.url({ message: 'expected an absolute URL such as http://127.0.0.1:9000' }).optional();

const envSchema = z
  .object({
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, { message: 'expected a postgres:// or postgresql:// URL' })
      .optional(),
    DATA_DIR: z.string().min(1).default('./.data'),
    HOST: z.string().min(1).default('127.0.0.1'),
    PORT: z.coerce
      .number({ message: 'expected a port number from 0 to 65535' })
      .int({ message: 'expected a port number from 0 to 65535' })
      .min(0, { message: 'expected a port number from 0 to 65535' })
      .max(65_535, { message: 'expected a port number from 0 to 65535' })
      .default(4000),
    PUBLIC_URL: optionalUrl,
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

    S3_BUCKET: z.string().min(1).optional(),
    S3_REGION: z.string().min(1).optional(),
    S3_ENDPOINT: optionalUrl,
    S3_PUBLIC_ENDPOINT: optionalUrl,
    S3_FORCE_PATH_STYLE: booleanString.default(false),
    LOCAL_SIGNING_SECRET: z.string().min(32, { message: 'expected at least 32 characters' }).optional(),

    URL_EXPIRES_SECONDS: positiveInt(MAX_URL_EXPIRES_SECONDS, MAX_URL_EXPIRES_SECONDS),
    SIGNING_WINDOW_SECONDS: positiveInt(3600),
    SIGNED_URL_CACHE_MAX_ENTRIES: z.coerce.number().int().min(0).default(100_000),

    RATE_LIMIT_PER_SECOND: positiveInt(20),
    RATE_LIMIT_BURST: positiveInt(100),
    REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\//, { message: 'expected a redis:// or rediss:// URL' })
      .optional(),
    CORS_ORIGINS: z.string().default(''),

    GRAPHQL_MAX_DEPTH: positiveInt(10),
    GRAPHQL_MAX_ALIASES: positiveInt(15),
    GRAPHQL_MAX_TOKENS: positiveInt(2000),
    GRAPHQL_MAX_SIGNED_URLS: positiveInt(1000),
    SHUTDOWN_TIMEOUT_SECONDS: positiveInt(10),

    FFMPEG_PATH: z.string().min(1).optional(),
    FFPROBE_PATH: z.string().min(1).optional(),
  })
  .superRefine((env, ctx) => {
    if (env.S3_BUCKET && !env.S3_REGION) {
      ctx.addIssue({
        code: 'custom',
        path: ['S3_REGION'],
        message: 'is required when S3_BUCKET is set (use the bucket region, or us-east-1 for MinIO and s3rver)',
      });
    }
    if (env.SIGNING_WINDOW_SECONDS * 2 > env.URL_EXPIRES_SECONDS) {
      ctx.addIssue({
        code: 'custom',
        path: ['SIGNING_WINDOW_SECONDS'],
        message: `must be at most half of URL_EXPIRES_SECONDS (${env.URL_EXPIRES_SECONDS}), so every URL keeps most of its lifetime`,
      });
    }
  });

export type Env = z.infer<typeof envSchema>;

export interface S3Config {
  bucket: string;
  region: string;
  endpoint: string | undefined;
  publicEndpoint: string | undefined;
  forcePathStyle: boolean;
}

export interface Config {
  databaseUrl: string | undefined;
  dataDir: string;
  host: string;
  port: number;
  publicUrl: string;
  logLevel: Env['LOG_LEVEL'];
  storage: { driver: 's3'; s3: S3Config } | { driver: 'local'; signingSecret: string | undefined };
  urlExpiresSeconds: number;
  signingWindowSeconds: number;
  signedUrlCacheMaxEntries: number;
  rateLimit: { perSecond: number; burst: number; redisUrl: string | undefined };
  corsOrigins: string[];
  graphqlLimits: { maxDepth: number; maxAliases: number; maxTokens: number; maxSignedUrls: number };
  shutdownTimeoutSeconds: number;
  /** ffmpeg and ffprobe executables; unset means a system binary on PATH, else the npm builds. */
  media: { ffmpegPath: string | undefined; ffprobePath: string | undefined };
}

// Values that may hold a password or signing key are never echoed in configuration errors.
const SECRET_VARIABLES = new Set(['LOCAL_SIGNING_SECRET', 'DATABASE_URL', 'REDIS_URL']);

/** Invalid configuration; the message names every bad variable and what it accepts. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment once; `process.env` is read nowhere else. */
export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  // An empty variable counts as unset, as in most shells' `VAR=` usage.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const variable = String(issue.path[0] ?? 'environment');
      const value = SECRET_VARIABLES.has(variable) ? undefined : cleaned[variable];
      const valueText = value === undefined ? '' : ` (got ${JSON.stringify(value)})`;
      return `  ${variable}${valueText}: ${issue.message}`;
    });
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return toConfig(parsed.data);
}

function toConfig(env: Env): Config {
  const publicHost = env.HOST === '0.0.0.0' || env.HOST === '::' ? '127.0.0.1' : env.HOST;
  return {
    databaseUrl: env.DATABASE_URL,
    dataDir: path.resolve(env.DATA_DIR),
    host: env.HOST,
    port: env.PORT,
    publicUrl: (env.PUBLIC_URL ?? `http://${publicHost}:${env.PORT}`).replace(/\/+$/, ''),
    logLevel: env.LOG_LEVEL,
    storage: env.S3_BUCKET
      ? {
          driver: 's3',
          s3: {
            bucket: env.S3_BUCKET,
            region: env.S3_REGION ?? '',
            endpoint: env.S3_ENDPOINT,
            publicEndpoint: env.S3_PUBLIC_ENDPOINT,
            forcePathStyle: env.S3_FORCE_PATH_STYLE,
          },
        }
      : { driver: 'local', signingSecret: env.LOCAL_SIGNING_SECRET },
    urlExpiresSeconds: env.URL_EXPIRES_SECONDS,
    signingWindowSeconds: env.SIGNING_WINDOW_SECONDS,
    signedUrlCacheMaxEntries: env.SIGNED_URL_CACHE_MAX_ENTRIES,
    rateLimit: { perSecond: env.RATE_LIMIT_PER_SECOND, burst: env.RATE_LIMIT_BURST, redisUrl: env.REDIS_URL },
    corsOrigins: env.CORS_ORIGINS.split(',')
      .map((origin) => origin.trim())
      .filter(Boolean),
    graphqlLimits: {
      maxDepth: env.GRAPHQL_MAX_DEPTH,
      maxAliases: env.GRAPHQL_MAX_ALIASES,
      maxTokens: env.GRAPHQL_MAX_TOKENS,
      maxSignedUrls: env.GRAPHQL_MAX_SIGNED_URLS,
    },
    shutdownTimeoutSeconds: env.SHUTDOWN_TIMEOUT_SECONDS,
    media: { ffmpegPath: env.FFMPEG_PATH, ffprobePath: env.FFPROBE_PATH },
  };
}
