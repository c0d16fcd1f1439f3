import { Validator } from '@seriousme/openapi-schema-validator';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE } from '../src/errors.ts';
import { buildOpenApiDocument } from '../src/rest/openapi.ts';
import { MIN_SCORE, PAGE_SIZE } from '../src/schema/pagination.ts';
import { useTestApp } from './helpers/app.ts';
import { DRIVERS, useTestDatabase } from './helpers/databases.ts';
import { listFiles, refreshUrl, restRequest } from './helpers/rest.ts';
import { type SeededOrganization, seedFiles, seedOrganization } from './helpers/seed.ts';

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, { parameters?: unknown[]; responses: Record<string, unknown> }>>;
  components: { schemas: Record<string, unknown>; parameters: Record<string, { schema: Record<string, unknown> }> };
}

const SCHEMAS_ID = 'https://files-gateway.test/schemas';

/**
 * Compiles the document's component schemas with ajv's JSON Schema 2020-12 dialect (the one
 * OpenAPI 3.1 uses). The `#/components/schemas/` references are rewritten to `$defs`, so the
 * schemas resolve without the rest of the document.
 */
function compileSchemas(document: OpenApiDocument) {
  const ajv = new Ajv2020.default({ strict: true, allErrors: true });
  addFormats.default(ajv);
  const text = JSON.stringify(document.components.schemas).replaceAll('#/components/schemas/', `${SCHEMAS_ID}#/$defs/`);
  ajv.addSchema({ $id: SCHEMAS_ID, $defs: JSON.parse(text) });
  return (name: string) => {
    const validate = ajv.getSchema(`${SCHEMAS_ID}#/$defs/${name}`);
    if (!validate) throw new Error(`no schema ${name} in the document`);
    return (value: unknown) => {
      const valid = validate(value);
      return { valid, errors: ajv.errorsText(validate.errors) };
    };
  };
}

describe('OpenAPI document', () => {
  const document = buildOpenApiDocument() as unknown as OpenApiDocument;

  it('is valid OpenAPI 3.1', async () => {
    const validator = new Validator();
    const result = await validator.validate(buildOpenApiDocument());
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('fails validation for a parameter in the body', async () => {
    const broken = buildOpenApiDocument() as unknown as OpenApiDocument;
    // OpenAPI 2.0 had body parameters; 3.x allows only query, header, path and cookie.
    Object.assign(broken.components.parameters.Limit ?? {}, { in: 'body' });
    const result = await new Validator().validate(broken as unknown as Record<string, unknown>);
    expect(result.valid).toBe(false);
  });

  it('states the page bounds the handlers enforce', () => {
    const { Limit, MinScore } = document.components.parameters;
    expect(Limit?.schema).toMatchObject({ minimum: 1, maximum: PAGE_SIZE.max, default: PAGE_SIZE.default });
    expect(MinScore?.schema).toMatchObject({ minimum: MIN_SCORE.min, maximum: MIN_SCORE.max, default: MIN_SCORE.default });
  });

  it('documents every catalogued status of refresh_url', () => {
    const responses = document.paths['/v1/files/{file_id}/refresh_url']?.post?.responses ?? {};
    for (const status of ['200', '400', '401', '403', '404', '405', '409', '422', '429', '500'])
      expect(responses, status).toHaveProperty(status);
  });

  it('lists every REST error type', () => {
    const text = JSON.stringify(document.components.schemas.Error);
    for (const entry of Object.values(ERROR_CATALOGUE)) expect(text).toContain(entry.restType);
  });
});

describe.each(DRIVERS)('OpenAPI responses on %s', (driver) => {
  const handle = useTestDatabase(driver);
  const testApp = useTestApp(handle);
  let seed: SeededOrganization;
  let fileIds: string[];
  let schemaFor: ReturnType<typeof compileSchemas>;

  beforeAll(async () => {
    seed = await seedOrganization(handle.database.db);
    fileIds = await seedFiles(handle.database.db, seed, 8);
    const served = await restRequest<OpenApiDocument>(testApp.app, 'GET', '/v1/openapi.json');
    schemaFor = compileSchemas(served.body);
  });

  it('serves the document without a key', async () => {
    const result = await restRequest<OpenApiDocument>(testApp.app, 'GET', '/v1/openapi.json');
    expect(result.status).toBe(200);
    expect(result.body).toEqual(buildOpenApiDocument());
    expect(result.headers.get('request-id')).toMatch(/^req_/);
  });

  it('matches a list page', async () => {
    const result = await listFiles(testApp.app, seed.readKey, seed.jobId, 'limit=5');
    expect(result.body.data.some((file) => file.keyframes !== null)).toBe(true);
    expect(schemaFor('FileList')(result.body)).toEqual({ valid: true, errors: 'No errors' });
  });

  it('sends the documented headers', async () => {
    const result = await listFiles(testApp.app, seed.readKey, seed.jobId, 'limit=1');
    for (const name of ['request-id', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset']) {
      expect(result.headers.get(name), name).not.toBeNull();
    }
  });

  it('matches the last list page', async () => {
    const first = await listFiles(testApp.app, seed.readKey, seed.jobId, 'limit=5');
    const last = await listFiles(testApp.app, seed.readKey, seed.jobId, `limit=5&cursor=${first.body.next_cursor}`);
    expect(last.body.next_cursor).toBeNull();
    expect(schemaFor('FileList')(last.body)).toEqual({ valid: true, errors: 'No errors' });
  });

  it('matches a refresh response', async () => {
    const result = await refreshUrl(testApp.app, seed.readKey, fileIds[0] as string, `openapi-${Date.now()}`);
    expect(result.status).toBe(200);
    expect(schemaFor('RefreshedUrl')(result.body)).toEqual({ valid: true, errors: 'No errors' });
  });

  it('matches error responses', async () => {
    const errors = [
      await listFiles(testApp.app, seed.readKey, seed.jobId, 'limit=0'),
      await listFiles(testApp.app, undefined, seed.jobId),
      await refreshUrl(testApp.app, seed.readKey, 'file_01JQ0000000000000000000000'),
      await restRequest(testApp.app, 'DELETE', '/v1/openapi.json'),
    ];
    for (const result of errors) {
      expect(result.status).toBeGreaterThanOrEqual(400);
      expect(schemaFor('Error')(result.body)).toEqual({ valid: true, errors: 'No errors' });
    }
  });

  it('rejects a file with an extra field', () => {
    const extra = { object: 'list', data: [], has_more: false, next_cursor: null, total: 3 };
    expect(schemaFor('FileList')(extra).valid).toBe(false);
  });
});
