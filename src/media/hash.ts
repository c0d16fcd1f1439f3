import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';

export interface FileDigest {
  /** Lowercase hex SHA-256 of the bytes. */
  contentHash: string;
  /** Bytes actually read, which can differ from an earlier stat when the file changed since. */
  sizeBytes: number;
}

/** Computes the SHA-256 of a file while streaming it, so memory use does not grow with the file. */
export async function hashFile(filePath: string): Promise<FileDigest> {
  const hash = createHash('sha256');
  let sizeBytes = 0;
  await pipeline(fs.createReadStream(filePath), async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) {
      sizeBytes += chunk.length;
      hash.update(chunk);
    }
  });
  return { contentHash: hash.digest('hex'), sizeBytes };
}
