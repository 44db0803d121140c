/**
 * Reads the JSON body of the routes that take one: the content type must be JSON (415), the body at
 * most `maxBytes` (413), valid JSON (400), an object (400), and within the rules every document keeps
 * (shared/validation.ts `checkJsonDocument`: nesting, Unicode, no `__proto__` key; 400 naming where).
 * Other routes ignore any body.
 */
import type middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { RouteKey } from '../../../shared/api/routes.ts';
import { checkJsonDocument } from '../../../shared/validation.ts';
import { type ApiEvent, type ApiResult, HttpRequestError } from '../http.ts';

export interface JsonBodyOptions {
  /** Routes whose body is a JSON object. */
  readonly routes: ReadonlySet<RouteKey>;
  /** Those of `routes` that may also come without a body (then the route sees none). */
  readonly optional?: ReadonlySet<RouteKey>;
  readonly maxBytes: number;
}

const JSON_CONTENT_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

export function jsonBody(options: JsonBodyOptions): middy.MiddlewareObj<ApiEvent, ApiResult, Error, Context> {
  return {
    name: 'jsonBody',
    before: (request) => {
      const event = request.event;
      const route = event.tickworkRoute;
      if (route === undefined || !options.routes.has(route.key)) return;
      const raw = event.body ?? '';
      if (raw === '' && options.optional?.has(route.key) === true) return;
      const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
      if (bytes.length > options.maxBytes) {
        throw new HttpRequestError(
          413,
          'PayloadTooLarge',
          `request body is ${bytes.length} bytes; the limit for ${route.key} is ${options.maxBytes} bytes`,
        );
      }
      const contentType = event.headers?.['content-type'];
      if (contentType === undefined || !JSON_CONTENT_TYPE.test(contentType)) {
        throw new HttpRequestError(
          415,
          'UnsupportedMediaType',
          `content-type must be application/json, got ${contentType === undefined ? 'none' : JSON.stringify(contentType)}`,
        );
      }
      const text = bytes.toString('utf8');
      if (text.trim() === '') {
        throw new HttpRequestError(
          400,
          'InvalidJson',
          `${route.key} needs a JSON object body; the body is empty`,
        );
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (error) {
        const detail = error instanceof SyntaxError ? `: ${error.message.slice(0, 200)}` : '';
        throw new HttpRequestError(400, 'InvalidJson', `request body is not valid JSON${detail}`);
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw new HttpRequestError(
          400,
          'InvalidJson',
          `request body must be a JSON object, got ${Array.isArray(parsed) ? 'an array' : parsed === null ? 'null' : typeof parsed}`,
        );
      }
      // Before any route walks the body: what passes here is bounded in depth for every recursive walk.
      checkJsonDocument(parsed);
      event.tickworkBody = parsed;
    },
  };
}
