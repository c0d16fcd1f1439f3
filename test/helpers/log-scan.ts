import fs from 'node:fs';
import path from 'node:path';

/** What must never appear in a log line: API key secrets, URL signatures, pre-signed URLs. */
export const SECRET_PATTERNS = [/fh_live_[0-9A-Za-z]{8,}/, /X-Amz-Signature=/i, /[?&]signature=[0-9A-Za-z_-]{16,}/, /X-Amz-Credential=/i];

/** Returns `file:line: pattern` for every log line in `dir` that matches a secret pattern. */
export function findSecretsInLogs(dir: string): string[] {
  const findings: string[] = [];
  for (const name of fs.readdirSync(dir)) {
    const lines = fs.readFileSync(path.join(dir, name), 'utf8').split('\n');
    lines.forEach((line, index) => {
      const hit = SECRET_PATTERNS.find((pattern) => pattern.test(line));
      if (hit) findings.push(`${name}:${index + 1}: matches ${hit} in ${line.slice(0, 200)}`);
    });
  }
  return findings;
}
