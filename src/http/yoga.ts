import { useGraphQlJit } from '@envelop/graphql-jit';
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { authenticate } from '../auth.ts';
import { createLoaders } from '../loaders.ts';
import type { AppServices, GraphQLContext } from '../schema/context.ts';
import { schema } from '../schema/index.ts';
import { createMaskError } from './graphql-errors.ts';
import { currentRequestScope } from './request-scope.ts';
import { signedUrlBudgetPlugin } from './signed-url-budget.ts';

export type GraphQLServer = YogaServerInstance<Record<string, unknown>, GraphQLContext>;

export interface GraphiQLDefaults {
  /** Headers GraphiQL opens with, as JSON text (the demo fills in its API key). */
  headers?: string;
  defaultQuery?: string;
}

/** Every operation here reads files, so every one needs `jobs:read`. */
const REQUIRED_SCOPE = 'jobs:read';

export interface GraphQLServerHooks {
  onDatabaseError?: () => void;
}

export function createGraphQLServer(services: AppServices, graphiql: GraphiQLDefaults = {}, hooks: GraphQLServerHooks = {}): GraphQLServer {
  const { logger, config } = services;
  const limits = config.graphqlLimits;
  return createYoga<Record<string, unknown>, GraphQLContext>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    logging: false,
    renderGraphiQL,
    // One operation per request: a batched array would multiply the work behind one rate-limit token.
    batching: false,
    // The app rejects bodies over MAX_REQUEST_BODY_BYTES by their Content-Length before Yoga
    // reads them, so Yoga's byte-counting stream around every POST body is not needed.
    maxRequestBodySize: false,
    cors: config.corsOrigins.length > 0 ? { origin: config.corsOrigins, credentials: false } : false,
    plugins: [
      // Cross-site simple requests (GET with a query string, form posts) must carry this header or
      // a JSON content type, which a browser cannot send cross-site without a CORS preflight.
      useCSRFPrevention({ requestHeaders: ['x-graphql-csrf'] }),
      maxTokensPlugin({ n: limits.maxTokens }),
      maxDepthPlugin({ n: limits.maxDepth, flattenFragments: true }),
      maxAliasesPlugin({ n: limits.maxAliases }),
      signedUrlBudgetPlugin(limits.maxSignedUrls),
      useGraphQlJit(),
      {
        onParams({ params }) {
          const scope = currentRequestScope();
          if (scope && !scope.operation) scope.operation = params.operationName ?? 'anonymous operation';
        },
      },
    ],
    graphiql: { title: 'files-gateway', shouldPersistHeaders: false, ...graphiql },
    context: async ({ request }): Promise<GraphQLContext> => {
      const scope = currentRequestScope();
      const principal = await authenticate(services.database.db, request.headers.get('authorization'), REQUIRED_SCOPE);
      if (scope) scope.apiKeyId = principal.apiKeyId;
      const requestId = scope?.requestId ?? 'none';
      const cachedUrls = await services.store.cachedUrls();
      return {
        requestId,
        principal,
        loaders: createLoaders(services, principal.organizationId, cachedUrls),
        services,
        logger: logger.child({ requestId }),
      };
    },
    maskedErrors: { maskError: createMaskError(logger, hooks.onDatabaseError) },
  });
}
