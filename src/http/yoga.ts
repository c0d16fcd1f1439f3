import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { GraphQLError } from 'graphql';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { authenticate } from '../auth.ts';
import { apiError } from '../errors.ts';
import { createLoaders } from '../loaders.ts';
import type { AppServices, GraphQLContext } from '../schema/context.ts';
import { schema } from '../schema/index.ts';
import { currentRequestScope } from './request-scope.ts';

export type GraphQLServer = YogaServerInstance<Record<string, unknown>, GraphQLContext>;

export interface GraphiQLDefaults {
  /** Headers GraphiQL opens with, as JSON text (the demo fills in its API key). */
  headers?: string;
  defaultQuery?: string;
}

/** Every operation here reads files, so every one needs `jobs:read`. */
const REQUIRED_SCOPE = 'jobs:read';

export function createGraphQLServer(services: AppServices, graphiql: GraphiQLDefaults = {}): GraphQLServer {
  const { logger } = services;
  return createYoga<Record<string, unknown>, GraphQLContext>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    logging: false,
    renderGraphiQL,
    graphiql: { title: 'files-gateway', shouldPersistHeaders: false, ...graphiql },
    context: async ({ request }): Promise<GraphQLContext> => {
      const scope = currentRequestScope();
      const principal = await authenticate(services.database.db, request.headers.get('authorization'), REQUIRED_SCOPE);
      if (scope) scope.apiKeyId = principal.apiKeyId;
      const requestId = scope?.requestId ?? 'none';
      return {
        requestId,
        principal,
        loaders: createLoaders(services, principal.organizationId),
        services,
        logger: logger.child({ requestId }),
      };
    },
    maskedErrors: {
      maskError: (error, message) => {
        const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
        if (original instanceof GraphQLError && original.extensions?.code) return error as Error;
        // Not from the error catalogue: log it once here, show the caller a generic error.
        const requestId = currentRequestScope()?.requestId;
        logger.error({ err: original, requestId }, 'unexpected error while executing a GraphQL operation');
        return apiError('INTERNAL_SERVER_ERROR', `${message} Quote request id ${requestId ?? 'unknown'} when reporting it.`);
      },
    },
  });
}
