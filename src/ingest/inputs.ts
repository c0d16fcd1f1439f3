import fs from 'node:fs/promises';
import path from 'node:path';
import type { Manifest } from './manifest.ts';

/** Deepest folder nesting walked below an input directory; deeper folders are not read. */
const MAX_DEPTH = 32;

async function walkDirectory(dir: string, depth: number, found: string[]): Promise<void> {
  if (depth > MAX_DEPTH) return;
  const entries = await fs.readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name, 'en'));
  for (const entry of entries) {
    // Dot entries are operating-system and tool metadata (.DS_Store, .git), not captured media.
    if (entry.name.startsWith('.')) continue;
    const child = path.join(dir, entry.name);
    if (entry.isDirectory()) await walkDirectory(child, depth + 1, found);
    // Symbolic links to files are followed; links to folders are not, so a link cycle cannot loop.
    else if (entry.isFile() || (entry.isSymbolicLink() && (await isFile(child)))) found.push(child);
  }
}

async function isFile(filePath: string): Promise<boolean> {
  try {
    return (await fs.stat(filePath)).isFile();
  } catch {
    return false;
  }
}

/**
 * Expands input paths into the files to ingest, in a stable order: files as given, folders
 * walked recursively in name order, skipping dot entries. A path that does not exist is kept,
 * so the ingest reports it. With no inputs, the manifest's paths are the inputs. The same file
 * reached twice is listed once.
 */
export async function collectInputFiles(inputs: readonly string[], manifest?: Manifest): Promise<string[]> {
  const sources = inputs.length > 0 ? inputs : [...(manifest?.keys() ?? [])];
  const files: string[] = [];
  for (const input of sources) {
    const stat = await fs.stat(input).catch(() => undefined);
    if (stat?.isDirectory()) await walkDirectory(input, 0, files);
    else files.push(input);
  }

  const seen = new Set<string>();
  return files.filter((file) => {
    const absolute = path.resolve(file);
    if (seen.has(absolute)) return false;
    seen.add(absolute);
    return true;
  });
}

/** Returns the inputs given on the command line that do not exist, to report before any work starts. */
export async function findMissingInputs(inputs: readonly string[]): Promise<string[]> {
  const missing: string[] = [];
  for (const input of inputs) {
    const exists = await fs.stat(input).then(
      () => true,
      () => false,
    );
    if (!exists) missing.push(input);
  }
  return missing;
}
