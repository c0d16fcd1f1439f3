import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll } from 'vitest';
import { type Config, loadConfig } from '../../src/config.ts';
import { runCountingStatements } from '../../src/db/statement-counter.ts';
import { type App, createApp } from '../../src/http/app.ts';
import { createLogger } from '../../src/logger.ts';
import { createRestHandler } from '../../src/rest/router.ts';
import type { AppServices } from '../../src/schema/context.ts';
import { createObjectStore } from '../../src/storage/index.ts';
import type { TestDatabase } from './databases.ts';

/** Every log line the test app writes, kept so tests can search them. */
export interface CapturedLogs {
  lines: string[];
}

export interface TestApp {
  app: App;
  services: AppServices;
  config: Config;
  logs: CapturedLogs;
  dataDir: string;
}

/** Keeps log lines in memory and appends them to this run's log folder, which is searched for secrets afterwards. */
export function captureLogs(): { logs: CapturedLogs; stream: Writable } {
  const logs: CapturedLogs = { lines: [] };
  const dir = process.env.FILES_GATEWAY_TEST_LOG_DIR;
  const file = dir ? path.join(dir, `${process.pid}-${Math.random().toString(36).slice(2)}.log`) : undefined;
  const stream = new Writable({
    write(chunk, _encoding, done) {
      logs.lines.push(String(chunk));
      if (file) fs.appendFileSync(file, String(chunk));
      done();
    },
  });
  return { logs, stream };
}

/**
 * Builds the gateway in-process over a test database and a local object store in a temp
 * directory. Extra environment variables override the defaults.
 */
/** `now` replaces the object store's clock, so a test can move through signing windows. */
export function useTestApp(handle: TestDatabase, env: Record<string, string> = {}, now?: () => number): TestApp {
  const testApp = {} as TestApp;
  beforeAll(async () => {
    testApp.dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'files-gateway-test-'));
    testApp.config = loadConfig({ DATA_DIR: testApp.dataDir, PORT: '4000', LOG_LEVEL: 'info', ...env });
    const { logs, stream } = captureLogs();
    testApp.logs = logs;
    const logger = createLogger('info', stream);
    const store = await createObjectStore(testApp.config, logger, now ? { now } : {});
    testApp.services = { config: testApp.config, database: handle.database, store, logger };
    testApp.app = createApp(testApp.services, { rest: createRestHandler(() => testApp.app.graphql, testApp.services) });
  });
  afterAll(async () => {
    await testApp.app?.close();
    await testApp.services?.store.close();
    if (testApp.dataDir) fs.rmSync(testApp.dataDir, { recursive: true, force: true });
  });
  return testApp;
}

export interface GraphQLResult {
  status: number;
  body: {
    data?: Record<string, unknown> | null;
    errors?: Array<{ message: string; path?: string[]; extensions?: Record<string, unknown> }>;
  };
  headers: Headers;
  /** SQL statements the request sent. */
  statements: number;
}

/** POSTs a GraphQL operation through the app in-process and counts its SQL statements. */
export async function graphqlRequest(
  app: App,
  key: string | undefined,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GraphQLResult> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (key !== undefined) headers.Authorization = `Bearer ${key}`;
  const counter = { count: 0 };
  const response = await runCountingStatements(counter, () =>
    app.fetch(new Request('http://gateway.test/graphql', { method: 'POST', headers, body: JSON.stringify({ query, variables }) })),
  );
  return {
    status: response.status,
    body: (await response.json()) as GraphQLResult['body'],
    headers: response.headers,
    statements: counter.count,
  };
}

/** Returns `data[field]` of a GraphQL result, failing with the errors when it is missing. */
export function dataField<T>(result: GraphQLResult, field: string): T {
  const value = result.body.data?.[field];
  if (value === undefined || value === null) throw new Error(`response has no data.${field}: ${JSON.stringify(result.body.errors)}`);
  return value as T;
}
