/**
 * Settings shared by the benchmark and load-test scripts. The scripts read their own BENCH_* and
 * LOADTEST_* variables here only, and start every server with an environment built from scratch,
 * so nothing from the caller's shell (DATABASE_URL, AWS_PROFILE) leaks into a measurement.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BENCH_DATA_DIR = path.join(REPO_ROOT, '.data', 'bench');
export const SEED_FILE = path.join(BENCH_DATA_DIR, 'seed.json');

/**
 * Returns the Node flags that `npm start` passes before bin/files-gateway.js (the young-generation
 * size), read from package.json so the benchmark runs the gateway exactly as `npm start` does. The
 * floor gets the same flags, so both servers run on the same heap settings.
 */
export function serverNodeFlags(): string[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const match = /^node((?: --[\w-]+(?:=\S+)?)*) bin\/files-gateway\.js serve$/.exec(manifest.scripts.start ?? '');
  if (!match)
    throw new Error(
      `Unexpected start script ${JSON.stringify(manifest.scripts.start)}: expected "node [flags] bin/files-gateway.js serve".`,
    );
  return (match[1] ?? '').split(' ').filter(Boolean);
}

export const DEFAULT_BENCH_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/files_gateway_bench';

/** Fixed fake credentials: SigV4 presigning is computed offline, so they never reach AWS. */
export const FAKE_S3_CREDENTIALS = {
  accessKeyId: 'AKIABENCHMARK0000000',
  secretAccessKey: 'bench-secret-access-key-0000000000000000',
};

/** High enough that the gateway's rate limiter never rejects a benchmark request. */
const UNLIMITED_RATE = '1000000000';

/** Reads a positive integer variable, or returns `fallback` when it is unset or empty. */
export function readPositiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = /^\d{1,10}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new Error(`Invalid ${name}=${JSON.stringify(raw)}: expected a positive integer, or unset it for the default ${fallback}.`);
  }
  return value;
}

export function readFlag(name: string): boolean {
  const raw = process.env[name];
  return raw === '1' || raw === 'true';
}

export function benchDatabaseUrl(): string {
  return process.env.BENCH_DATABASE_URL || DEFAULT_BENCH_DATABASE_URL;
}

/** Strips the password from a database URL before it is printed. */
export function describeDatabaseUrl(url: string): string {
  const parsed = new URL(url);
  parsed.password = '';
  return parsed.toString();
}

export interface ServerEnvOptions {
  /** Unset for embedded PGlite under `dataDir`. */
  databaseUrl: string | undefined;
  port: number;
  dataDir: string;
  /** The S3 endpoint that URLs are signed for. The servers send it no request. */
  s3Endpoint: string;
  /** SIGNED_URL_CACHE_MAX_ENTRIES, or undefined for the gateway's default. */
  signedUrlCacheMaxEntries?: number;
  extra?: Record<string, string>;
}

/**
 * Builds the environment of a gateway or floor process: loopback only, S3 signing offline with
 * fixed credentials, the rate limiter out of the way and warnings-only logging. The AWS config
 * and credential files point at paths that do not exist, so the SDK reads nothing from ~/.aws.
 */
export function serverEnv(options: ServerEnvOptions): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    TZ: 'UTC',
    HOST: '127.0.0.1',
    PORT: String(options.port),
    DATA_DIR: options.dataDir,
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_SECOND: UNLIMITED_RATE,
    RATE_LIMIT_BURST: UNLIMITED_RATE,
    S3_BUCKET: 'bench',
    S3_REGION: 'us-east-1',
    S3_ENDPOINT: options.s3Endpoint,
    S3_FORCE_PATH_STYLE: 'true',
    AWS_ACCESS_KEY_ID: FAKE_S3_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: FAKE_S3_CREDENTIALS.secretAccessKey,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: path.join(options.dataDir, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(options.dataDir, 'no-aws-credentials'),
    ...options.extra,
  };
  if (options.databaseUrl !== undefined) env.DATABASE_URL = options.databaseUrl;
  // Lets a run cap the server's heap, e.g. BENCH_SERVER_NODE_OPTIONS=--max-old-space-size=256.
  if (process.env.BENCH_SERVER_NODE_OPTIONS) env.NODE_OPTIONS = process.env.BENCH_SERVER_NODE_OPTIONS;
  if (options.signedUrlCacheMaxEntries !== undefined) env.SIGNED_URL_CACHE_MAX_ENTRIES = String(options.signedUrlCacheMaxEntries);
  return env;
}
