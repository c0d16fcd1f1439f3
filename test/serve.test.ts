import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI_PATH } from './helpers/cli.ts';

describe('serve process', () => {
  it('finishes in-flight requests on SIGTERM and exits 0', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'files-gateway-serve-'));
    const env = { PATH: process.env.PATH, DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'info' };
    const server = spawn(process.execPath, [CLI_PATH, 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    server.stdout.on('data', (chunk: Buffer) => {
      output += chunk;
    });
    const exited = new Promise<number | null>((resolve) => server.once('close', resolve));
    try {
      const address = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`serve did not start within 60 s:\n${output}`)), 60_000);
        server.stdout.on('data', () => {
          const match = /"address":"(http:\/\/[^"]+)"/.exec(output);
          if (match?.[1]) {
            clearTimeout(timer);
            resolve(match[1]);
          }
        });
      });
      const health = await fetch(`${address}/healthz`);
      expect(health.status).toBe(200);

      // The GraphiQL page is the largest response, so it is still in flight when the signal lands.
      const inFlight = fetch(`${address}/graphql`, { headers: { Accept: 'text/html' } }).then(async (response) => ({
        status: response.status,
        length: (await response.text()).length,
      }));
      await new Promise((resolve) => setTimeout(resolve, 20));
      server.kill('SIGTERM');

      const page = await inFlight;
      expect(page.status).toBe(200);
      expect(page.length).toBeGreaterThan(100_000);
      expect(await exited).toBe(0);
      expect(output).toContain('shutting down');
      expect(output).toContain('files-gateway stopped');
      expect(fs.existsSync(path.join(dataDir, 'pglite.lock'))).toBe(false);
    } finally {
      if (server.exitCode === null) server.kill('SIGKILL');
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
