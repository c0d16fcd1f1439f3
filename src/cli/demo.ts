import path from 'node:path';
import type { Command } from 'commander';
import { listJobFilesPage } from '../db/queries/files.ts';
import { generateSampleMedia } from '../demo/sample-media.ts';
import { ensureDemoState } from '../demo/state.ts';
import { ingestPaths } from '../ingest/ingest.ts';
import { readManifest } from '../ingest/manifest.ts';
import { checkMediaBinaries, resolveMediaBinaries } from '../media/binaries.ts';
import { openContext } from './context.ts';
import { UsageError } from './output.ts';
import { serve } from './serve.ts';

/** The query GraphiQL opens with in demo mode: the first click shows files, ratings and keyframe URLs. */
export const DEMO_QUERY = (jobId: string) => `# The demo job's files rated 3 stars or more, oldest first.
query DemoJobFiles {
  job(id: "${jobId}") {
    name
    files(first: 10, minScore: 3) {
      totalCount
      edges {
        node {
          id
          contentType
          aiStarRating
          width
          height
          durationSeconds
          contentHash
          downloadUrl
          keyframes { index timestampSeconds downloadUrl }
        }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
}
`;

function printWelcome(baseUrl: string, apiKey: string, jobId: string, fileId: string | undefined): void {
  const lines = [
    '',
    'files-gateway demo is running.',
    '',
    `  GraphiQL:  ${baseUrl}/graphql   (opens with the API key and an example query filled in)`,
    `  API key:   ${apiKey}`,
    `  Job:       ${jobId}`,
    '',
    'List the job over REST:',
    `  curl -s "${baseUrl}/v1/jobs/${jobId}/files?min_score=3&limit=20" -H "Authorization: Bearer ${apiKey}"`,
  ];
  if (fileId) {
    lines.push(
      '',
      'Refresh one download URL:',
      `  curl -s -X POST "${baseUrl}/v1/files/${fileId}/refresh_url" -H "Authorization: Bearer ${apiKey}" -H "Idempotency-Key: demo-refresh-${Date.now()}"`,
    );
  }
  lines.push('', 'Each download_url in the responses returns the file itself. Stop the demo with Ctrl-C.', '');
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function runDemo(options: { media?: string }): Promise<void> {
  const binaries = resolveMediaBinaries();
  const problem = checkMediaBinaries(binaries);
  if (problem) throw new UsageError(problem);

  const context = await openContext();
  const { config, database, store, logger } = context;
  const state = await ensureDemoState(database, config.dataDir);

  const sampleDir = path.join(config.dataDir, 'demo-media');
  logger.info({ dir: sampleDir }, 'preparing demo media (ffmpeg generates any sample that is missing)');
  const manifestPath = await generateSampleMedia(sampleDir, binaries);
  const manifest = await readManifest(manifestPath);
  const common = { db: database.db, store, jobId: state.jobId, organizationId: state.organizationId, binaries, logger };
  const results = await ingestPaths({ ...common, inputs: [], manifest });
  if (options.media) results.push(...(await ingestPaths({ ...common, inputs: [path.resolve(options.media)], defaultRating: 4 })));
  for (const result of results.filter((r) => r.status === 'rejected')) {
    logger.warn({ path: result.path, error: result.error }, 'demo ingest rejected a file');
  }
  logger.info(
    { created: results.filter((r) => r.status === 'created').length, duplicate: results.filter((r) => r.status === 'duplicate').length },
    'demo media ingested',
  );

  const firstPage = await listJobFilesPage(database.db, { jobId: state.jobId, minScore: 3, limit: 1, direction: 'forward' });
  const graphiql = { headers: JSON.stringify({ Authorization: `Bearer ${state.apiKey}` }), defaultQuery: DEMO_QUERY(state.jobId) };
  await serve(context, graphiql, () => printWelcome(config.publicUrl, state.apiKey, state.jobId, firstPage.rows[0]?.id));
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('create a demo organization, key and job, ingest generated sample media, and serve on the embedded database')
    .option('--media <dir>', 'also ingest the photos, audio and video in this folder (rating 4)')
    .action(runDemo);
}
