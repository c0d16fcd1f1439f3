import { createRequire } from 'node:module';
import { type Command, InvalidArgumentError } from 'commander';
import { type Config, ConfigError } from '../config.ts';
import type { Database } from '../db/client.ts';
import { findJob } from '../db/queries/jobs.ts';
import { type IngestResult, ingestPaths } from '../ingest/ingest.ts';
import { findMissingInputs } from '../ingest/inputs.ts';
import { type Manifest, ManifestError, readManifest } from '../ingest/manifest.ts';
import type { Logger } from '../logger.ts';
import { checkMediaBinaries, resolveMediaBinaries } from '../media/binaries.ts';
import { describeAllowedTypes } from '../media/limits.ts';
import type { ObjectStore } from '../storage/types.ts';
import { UsageError } from './output.ts';

/** Parts of the application context that the ingest command uses. */
export interface IngestCommandContext {
  config: Config;
  database: Database;
  store: ObjectStore;
  logger: Logger;
  close(): Promise<void>;
}

interface IngestCommandOptions {
  job: string;
  rating?: number;
  manifest?: string;
  json?: boolean;
}

/** Exit code when at least one input was rejected and the others were ingested. */
export const EXIT_SOME_REJECTED = 2;

// cli-progress ships no type declarations; this is the part of its API used here.
interface ProgressBar {
  start(total: number, value: number): void;
  increment(): void;
  stop(): void;
}
type ProgressBarClass = new (options: Record<string, unknown>, preset: unknown) => ProgressBar;
const require = createRequire(import.meta.url);

function parseRating(value: string): number {
  const rating = Number(value);
  if (!/^\d+$/.test(value.trim()) || rating < 1 || rating > 5) throw new InvalidArgumentError('expected an integer from 1 to 5.');
  return rating;
}

async function loadManifest(manifestPath: string | undefined): Promise<Manifest | undefined> {
  if (manifestPath === undefined) return undefined;
  try {
    return await readManifest(manifestPath);
  } catch (error) {
    if (error instanceof ManifestError) throw new UsageError(error.message);
    throw error;
  }
}

function createProgressBar(enabled: boolean): ProgressBar | undefined {
  if (!enabled) return undefined;
  const progress = require('cli-progress') as { SingleBar: ProgressBarClass; Presets: { shades_classic: unknown } };
  return new progress.SingleBar(
    { stream: process.stderr, format: 'ingest [{bar}] {value}/{total} files | {eta_formatted} left', hideCursor: true },
    progress.Presets.shades_classic,
  );
}

function printJsonLine(result: IngestResult): void {
  const line = { path: result.path, status: result.status, file_id: result.fileId, error: result.error };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

function printSummary(jobId: string, results: readonly IngestResult[]): void {
  const count = (status: IngestResult['status']) => results.filter((result) => result.status === status).length;
  const noun = results.length === 1 ? 'file' : 'files';
  const lines = [
    `Ingested ${results.length} ${noun} into ${jobId}: ${count('created')} created, ${count('duplicate')} duplicate, ${count('rejected')} rejected.`,
  ];
  for (const result of results) {
    if (result.error) lines.push(`  rejected ${result.path}: ${result.error.code}: ${result.error.message}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function runIngest(paths: string[], options: IngestCommandOptions, openContext: () => Promise<IngestCommandContext>): Promise<void> {
  const manifest = await loadManifest(options.manifest);
  if (paths.length === 0 && !manifest) throw new UsageError('No input: give one or more PATH arguments, or --manifest FILE.jsonl.');
  const missing = await findMissingInputs(paths);
  if (missing.length > 0) throw new UsageError(`No such file or directory: ${missing.join(', ')}.`);

  const context = await openContext();
  try {
    const binaries = resolveMediaBinaries(context.config.media);
    const unusable = checkMediaBinaries(binaries);
    if (unusable) throw new ConfigError(unusable);

    const job = await findJob(context.database.db, options.job);
    if (!job) throw new UsageError(`Unknown job ${JSON.stringify(options.job)}: no job has this id in this database.`);

    const bar = createProgressBar(!options.json && process.stderr.isTTY === true);
    const results = await ingestPaths({
      db: context.database.db,
      store: context.store,
      jobId: job.id,
      organizationId: job.organizationId,
      inputs: paths,
      ...(options.rating === undefined ? {} : { defaultRating: options.rating }),
      ...(manifest ? { manifest } : {}),
      binaries,
      logger: context.logger.child({ module: 'ingest', jobId: job.id }),
      onInputsCollected: (total) => bar?.start(total, 0),
      onResult: (result) => (options.json ? printJsonLine(result) : bar?.increment()),
    });
    bar?.stop();

    if (!options.json) printSummary(job.id, results);
    if (results.some((result) => result.status === 'rejected')) process.exitCode = EXIT_SOME_REJECTED;
  } finally {
    await context.close();
  }
}

/**
 * Registers `files-gateway ingest`. Exit codes: 0 when every input was created or a duplicate,
 * 2 when any input was rejected (the others are still ingested), 1 for a usage or configuration
 * error, raised as UsageError or ConfigError for the caller to print.
 */
export function registerIngestCommand(program: Command, openContext: () => Promise<IngestCommandContext>): void {
  program
    .command('ingest')
    .description('ingest photos, audio and video into a job')
    .argument('[paths...]', 'files or folders (walked recursively, skipping dot entries); with none, the paths listed in --manifest')
    .requiredOption('--job <job_id>', 'job that receives the files')
    .option('--rating <n>', 'ai_star_rating (integer 1-5) for files whose manifest line gives none', parseRating)
    .option(
      '--manifest <file.jsonl>',
      'JSON Lines file, one object per line: path (relative paths resolve against the manifest folder) and any of ' +
        'submission_id, ai_star_rating, device_info, annotations, captured_at, worker_region; its values win over extracted ones',
    )
    .option('--json', 'print one JSON line per input: path, status, file_id, error')
    .addHelpText('after', `\nAccepted types (detected from content): ${describeAllowedTypes()}.`)
    .action(async (paths: string[], options: IngestCommandOptions) => runIngest(paths, options, openContext));
}
