import { openDatabase } from '../../src/db/client.ts';

/** Migrates the PostgreSQL test database once, before any test file opens it. */
export default async function setup(): Promise<void> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) {
    console.warn('TEST_DATABASE_URL is not set: the PostgreSQL half of the suite is skipped; PGlite runs alone.');
    return;
  }
  const database = await openDatabase({ databaseUrl: url, pgliteDir: 'memory', maxConnections: 1 });
  try {
    await database.migrate();
  } finally {
    await database.close();
  }
}
