import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config.ts';
import { PgliteLockedError } from '../db/pglite-lock.ts';
import { registerAdminCommands } from './admin.ts';
import { openContext } from './context.ts';
import { registerDemoCommand } from './demo.ts';
import { registerIngestCommand } from './ingest.ts';
import { UsageError } from './output.ts';
import { registerServeCommand } from './serve.ts';

const program = new Command('files-gateway')
  .description('Serve the files of data-collection jobs over GraphQL and REST, and manage them.')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

registerAdminCommands(program);
registerServeCommand(program);
registerIngestCommand(program, () => openContext({ logToStderr: true }));
registerDemoCommand(program);

/** Errors a user can cause and fix; they print as one message without a stack trace. */
const EXPECTED_ERRORS = [UsageError, ConfigError, PgliteLockedError];

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Commander already printed its message; help and version output end with code 0.
    process.exitCode = error.exitCode === 0 ? 0 : 1;
  } else if (EXPECTED_ERRORS.some((type) => error instanceof type)) {
    process.stderr.write(`files-gateway: ${(error as Error).message}\n`);
    process.exitCode = 1;
  } else {
    process.stderr.write(`files-gateway: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  }
}
