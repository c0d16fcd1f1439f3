import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.ts';
import { captureLogs } from './helpers/app.ts';
import { findSecretsInLogs } from './helpers/log-scan.ts';

describe('log secret scan', () => {
  it('finds a planted API key and signature', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'files-gateway-scan-'));
    fs.writeFileSync(path.join(dir, 'a.log'), '{"msg":"ok"}\n{"msg":"oops fh_live_abcdefghijklmnop"}\n');
    fs.writeFileSync(path.join(dir, 'b.log'), '{"u":"https://s3/x?X-Amz-Signature=abc"}\n');
    const findings = findSecretsInLogs(dir);
    fs.rmSync(dir, { recursive: true, force: true });
    expect(findings).toHaveLength(2);
    expect(findings[0]).toContain('a.log:2');
  });

  it('redacts URL and authorization fields in log objects', () => {
    const { logs, stream } = captureLogs();
    const logger = createLogger('info', stream);
    logger.info({ url: 'http://x/objects/k?signature=0123456789abcdef0123', authorization: 'Bearer fh_live_secret' }, 'request');
    expect(logs.lines[0]).not.toContain('signature=');
    expect(logs.lines[0]).not.toContain('fh_live_');
    expect(logs.lines[0]).toContain('[redacted]');
  });
});
