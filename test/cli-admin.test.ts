import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_PATH, runCli } from './helpers/cli.ts';
import { DRIVERS } from './helpers/databases.ts';

describe.each(DRIVERS)('admin CLI on %s', (driver) => {
  let env: Record<string, string | undefined>;
  let dataDir: string;

  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'files-gateway-cli-'));
    env = { DATA_DIR: dataDir, DATABASE_URL: driver === 'postgres' ? process.env.TEST_DATABASE_URL : undefined };
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  const json = async (args: string[]) => {
    const result = await runCli([...args, '--json'], env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return JSON.parse(result.stdout) as Record<string, unknown>;
  };

  it('runs the whole admin flow', async () => {
    expect(await json(['migrate'])).toMatchObject({ migrated: true });

    const org = await json(['orgs', 'create', '--name', 'Acme Research']);
    expect(org.id).toMatch(/^org_[0-9A-Z]{26}$/);

    const key = await json(['keys', 'create', '--org', String(org.id), '--scopes', 'jobs:read,jobs:write', '--name', 'pipeline']);
    expect(key.id).toMatch(/^key_[0-9A-Z]{26}$/);
    expect(key.key).toMatch(/^fh_live_[0-9A-Za-z]{32,}$/);
    expect(key.scopes).toEqual(['jobs:read', 'jobs:write']);

    const job = await json(['jobs', 'create', '--org', String(org.id), '--name', 'Street signs']);
    expect(job).toMatchObject({ name: 'Street signs', status: 'open' });

    const list = await json(['jobs', 'list', '--org', String(org.id)]);
    expect(list.data).toEqual([expect.objectContaining({ id: job.id, name: 'Street signs' })]);

    const revoked = await json(['keys', 'revoke', String(key.id)]);
    expect(revoked.revoked_at).toMatch(/^\d{4}-/);
  });

  it('prints readable text without --json', async () => {
    const result = await runCli(['orgs', 'create', '--name', 'Plain'], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Created organization org_/);
  });

  it('names an unknown organization', async () => {
    const result = await runCli(['jobs', 'create', '--org', 'org_01JQ0000000000000000000000', '--name', 'x'], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Unknown organization "org_01JQ0000000000000000000000"');
  });

  it('names an unknown scope', async () => {
    const org = await json(['orgs', 'create', '--name', 'Scopes']);
    const result = await runCli(['keys', 'create', '--org', String(org.id), '--scopes', 'jobs:read,files:delete'], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Unknown scope "files:delete"');
    expect(result.stderr).toContain('jobs:read, jobs:write');
  });

  it('names a missing flag', async () => {
    const result = await runCli(['jobs', 'create', '--name', 'x'], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--org');
  });
});

describe('embedded database lock', () => {
  it('refuses a second process on one PGlite directory', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'files-gateway-lock-'));
    const env = { PATH: process.env.PATH, DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'info' };
    const server = spawn(process.execPath, [CLI_PATH, 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('serve did not start within 60 s')), 60_000);
        server.stdout.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('files-gateway listening')) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      const second = await runCli(['migrate'], { DATA_DIR: dataDir });
      expect(second.code).toBe(1);
      expect(second.stderr).toContain(`already open in process ${server.pid}`);
      expect(second.stderr).toContain('DATABASE_URL');
    } finally {
      server.kill('SIGTERM');
      await new Promise((resolve) => server.once('close', resolve));
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
