import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_PATH } from './helpers/cli.ts';
import { freePort } from './helpers/net.ts';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((candidate) => fs.existsSync(candidate));
if (!CHROMIUM) console.warn('No Chromium at /usr/bin/chromium: the GraphiQL browser test is skipped (apt-get install chromium).');

describe.skipIf(!CHROMIUM)('GraphiQL in headless Chromium', () => {
  let demo: ChildProcess;
  let dataDir: string;
  let baseUrl: string;
  let output = '';

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'files-gateway-browser-'));
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    demo = spawn(process.execPath, [CLI_PATH, 'demo'], {
      env: { PATH: process.env.PATH, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    demo.stdout?.on('data', (chunk: Buffer) => {
      output += chunk;
    });
    demo.stderr?.on('data', (chunk: Buffer) => {
      output += chunk;
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`demo did not start within 120 s:\n${output}`)), 120_000);
      const poll = setInterval(() => {
        if (output.includes('files-gateway demo is running')) {
          clearInterval(poll);
          clearTimeout(timer);
          resolve();
        }
      }, 200);
    });
  }, 150_000);

  afterAll(async () => {
    if (demo && demo.exitCode === null) {
      demo.kill('SIGTERM');
      await new Promise((resolve) => demo.once('close', resolve));
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints curls that return files and bytes', async () => {
    const curl = /curl -s "([^"]+\/files[^"]*)" -H "Authorization: Bearer (fh_live_\w+)"/.exec(output);
    expect(curl).not.toBeNull();
    const [, url, key] = curl as unknown as [string, string, string];
    const list = (await (await fetch(url, { headers: { Authorization: `Bearer ${key}` } })).json()) as {
      data: Array<{ download_url: string; size_bytes: number }>;
    };
    expect(list.data.length).toBeGreaterThanOrEqual(5);
    const first = list.data[0];
    const download = await fetch(first?.download_url ?? '');
    expect(download.status).toBe(200);
    expect((await download.arrayBuffer()).byteLength).toBe(first?.size_bytes);
  });

  it('runs the example query and shows a file id', async () => {
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    try {
      const page = await browser.newPage();
      // Any request that leaves the gateway would fail offline; record them to prove the page needs none.
      const external: string[] = [];
      page.on('request', (request) => {
        if (!request.url().startsWith(baseUrl) && !request.url().startsWith('data:') && !request.url().startsWith('blob:'))
          external.push(request.url());
      });
      await page.goto(`${baseUrl}/graphql`, { waitUntil: 'load' });
      await page.locator('.graphiql-execute-button').click({ timeout: 30_000 });
      await expect.poll(async () => page.locator('.result-window').innerText(), { timeout: 30_000 }).toContain('file_');
      const result = await page.locator('.result-window').innerText();
      expect(result).toContain('aiStarRating');
      expect(result).toContain('keyframes');
      expect(external).toEqual([]);
      await page.screenshot({ path: path.join(dataDir, 'graphiql.png') });
    } finally {
      await browser.close();
    }
  });
});
