import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../../src/db/client.ts';
import { findSecretsInLogs } from './log-scan.ts';

/**
 * Migrates the PostgreSQL test database once before any test file opens it, and collects the
 * log lines of every test app in one folder that is searched for secrets after the run.
 */
export default async function setup(): Promise<() => void> {
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'files-gateway-test-logs-'));
  // Workers start after this function returns, so they inherit the variable.
  process.env.FILES_GATEWAY_TEST_LOG_DIR = logDir;

  const url = process.env.TEST_DATABASE_URL;
  if (!url) {
    console.warn('TEST_DATABASE_URL is not set: the PostgreSQL half of the suite is skipped; PGlite runs alone.');
  } else {
    const database = await openDatabase({ databaseUrl: url, pgliteDir: 'memory', maxConnections: 1 });
    try {
      await database.migrate();
    } finally {
      await database.close();
    }
  }

  return () => {
    const findings = findSecretsInLogs(logDir);
    fs.rmSync(logDir, { recursive: true, force: true });
    if (findings.length > 0) {
      throw new Error(`Test logs contain secrets (an API key, a URL signature or a signed URL):\n${findings.join('\n')}`);
    }
  };
}
