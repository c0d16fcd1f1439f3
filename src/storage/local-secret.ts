import { randomBytes } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../logger.ts';

const SECRET_FILE_NAME = 'signing-secret';
const SECRET_FILE_PATTERN = /^[0-9a-f]{64}$/;

function isErrorCode(error: unknown, code: string): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === code;
}

/**
 * Returns the HMAC key of local download URLs: LOCAL_SIGNING_SECRET when set, otherwise 32 random
 * bytes generated on the first start and kept in `$DATA_DIR/signing-secret` (mode 0600), so URLs
 * stay valid across restarts.
 */
export async function loadLocalSigningSecret(configured: string | undefined, dataDir: string, logger: Logger): Promise<Buffer> {
  if (configured !== undefined) return Buffer.from(configured, 'utf8');

  const file = path.join(dataDir, SECRET_FILE_NAME);
  const existing = await readSecretFile(file, logger);
  if (existing) return existing;

  await mkdir(dataDir, { recursive: true });
  try {
    // 'wx' fails when another process created the file first; that process's secret then wins.
    await writeFile(file, `${randomBytes(32).toString('hex')}\n`, { flag: 'wx', mode: 0o600, flush: true });
    logger.info({ file }, 'generated a new local signing secret');
  } catch (error) {
    if (!isErrorCode(error, 'EEXIST')) throw error;
  }

  const created = await readSecretFile(file, logger);
  if (!created) throw new Error(`Signing secret file ${file} disappeared right after it was created; start again.`);
  return created;
}

async function readSecretFile(file: string, logger: Logger): Promise<Buffer | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (isErrorCode(error, 'ENOENT')) return undefined;
    throw error;
  }

  const hex = text.trim();
  if (!SECRET_FILE_PATTERN.test(hex)) {
    throw new Error(
      `Invalid signing secret in ${file}: expected 64 hex characters. Delete the file to generate a new one ` +
        '(every URL signed with the old one stops working) or set LOCAL_SIGNING_SECRET.',
    );
  }

  const { mode } = await stat(file);
  if ((mode & 0o077) !== 0) {
    logger.warn({ file, mode: (mode & 0o777).toString(8) }, 'signing secret file is readable by other users; run chmod 600 on it');
  }
  return Buffer.from(hex, 'hex');
}
