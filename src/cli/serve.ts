import type { Command } from 'commander';
import { type App, createApp } from '../http/app.ts';
import { listen } from '../http/server.ts';
import type { GraphiQLDefaults } from '../http/yoga.ts';
import { createRestHandler } from '../rest/router.ts';
import { type AppContext, openContext } from './context.ts';

/** Serves the gateway until SIGTERM or SIGINT, then drains in-flight requests and exits 0. */
export async function serve(context: AppContext, graphiql?: GraphiQLDefaults, onListening?: (url: string) => void): Promise<void> {
  const { config, logger, database, store } = context;
  const services = { config, database, store, logger };
  // The REST handler runs its operations on the GraphQL server that createApp builds.
  const app: App = createApp(services, { graphiql, rest: createRestHandler(() => app.graphql, services) });
  await app.ready();
  const running = await listen(app.fetch, config.host, config.port);
  logger.info(
    { address: running.url, publicUrl: config.publicUrl, database: database.kind, storage: store.driver, node: process.version },
    'files-gateway listening',
  );
  onListening?.(running.url);

  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      logger.info({ signal }, 'shutting down: no new connections, finishing in-flight requests');
      void running
        .close(config.shutdownTimeoutSeconds * 1000)
        .then(() => app.close())
        .then(() => context.close())
        .then(() => {
          logger.info('files-gateway stopped');
          resolve();
        });
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('apply pending migrations, then serve GraphQL on /graphql and REST on /v1')
    .action(async () => {
      const context = await openContext();
      await serve(context);
    });
}
