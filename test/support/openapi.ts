/**
 * Checks real answers of the API against its OpenAPI document (`GET /openapi.json`): the status must be
 * one the operation documents, and a JSON body must match the schema documented for that status. The API
 * test harness runs it on every answer, so every integration test of the API is also a test of the
 * document.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { openApiDocument } from '../../functions/api/openapi.ts';
import { apiRoutes } from '../../shared/api/routes.ts';

const DOCUMENT_ID = 'tickwork:openapi';

type Operation = { responses: Record<string, { content?: { 'application/json'?: { schema: unknown } } }> };

const document = openApiDocument() as { paths: Record<string, Record<string, Operation>> };
// OpenAPI's own keywords (info, paths, ...) are not JSON Schema keywords: not strict about them.
const ajv = new Ajv2020({ strict: false, allErrors: true });
(addFormats as unknown as (ajv: Ajv2020) => void)(ajv);
ajv.addSchema({ ...document, $id: DOCUMENT_ID });

const routes = apiRoutes.map((route) => ({
  ...route,
  pattern: new RegExp(`^${route.path.replace(/\{\w+\}/g, '[^/]+').replaceAll('.', '\\.')}$`),
}));

/**
 * Throws when `answer` is not what the document says `method path` answers. Requests outside the route
 * table (an unknown path, a method a path does not take) are the front's answers, not an operation's.
 */
export function checkAgainstOpenApi(
  method: string,
  url: string,
  answer: { readonly status: number; readonly json: unknown; readonly text: string },
): void {
  const path = new URL(url, 'http://api.invalid').pathname;
  const route = routes.find((candidate) => candidate.method === method && candidate.pattern.test(path));
  if (route === undefined) return;
  const operation = document.paths[route.path]?.[method.toLowerCase()];
  const documented = operation?.responses[String(answer.status)];
  if (documented === undefined) {
    throw new Error(
      `OpenAPI: ${method} ${route.path} answered ${answer.status}, which its operation does not document (${Object.keys(operation?.responses ?? {}).join(', ')}): ${answer.text.slice(0, 300)}`,
    );
  }
  if (documented.content?.['application/json'] === undefined) {
    if (answer.text !== '')
      throw new Error(`OpenAPI: ${method} ${route.path} ${answer.status} documents no body`);
    return;
  }
  const pointer = `${DOCUMENT_ID}#/paths/${route.path.replaceAll('~', '~0').replaceAll('/', '~1')}/${method.toLowerCase()}/responses/${answer.status}/content/application~1json/schema`;
  const validate = ajv.getSchema(pointer);
  if (validate === undefined) throw new Error(`OpenAPI: no schema at ${pointer}`);
  if (!validate(answer.json)) {
    throw new Error(
      `OpenAPI: ${method} ${route.path} ${answer.status} does not match its schema: ${ajv.errorsText(validate.errors)}; body ${answer.text.slice(0, 500)}`,
    );
  }
}
