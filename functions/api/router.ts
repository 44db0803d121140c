/**
 * Matches a request to the route table the stack deploys (shared/api/routes.ts). In AWS each route
 * is its own API Gateway route; locally every request arrives as `$default`, so the function always
 * matches method and path itself.
 */
import { apiRoutes, type HttpMethod, type RouteKey } from '../../shared/api/routes.ts';
import { HttpRequestError } from './http.ts';

export interface RouteMatch {
  readonly key: RouteKey;
  readonly params: Readonly<Record<string, string>>;
}

interface CompiledRoute {
  readonly key: RouteKey;
  readonly method: HttpMethod;
  readonly segments: readonly string[];
}

const compiled: readonly CompiledRoute[] = apiRoutes.map((route) => ({
  key: `${route.method} ${route.path}` as RouteKey,
  method: route.method,
  segments: route.path.split('/').slice(1),
}));

/**
 * The route for `method` and `rawPath` (still percent-encoded); path parameters are decoded.
 * @throws {HttpRequestError} 404 when no route has the path, 405 (with Allow) when none has the method,
 *   400 for a malformed percent-encoding.
 */
export function matchRoute(method: string, rawPath: string): RouteMatch {
  const segments = rawPath.split('/').slice(1);
  const allowed: HttpMethod[] = [];
  for (const route of compiled) {
    const params = matchSegments(route.segments, segments, rawPath);
    if (params === undefined) continue;
    if (route.method === method.toUpperCase()) return { key: route.key, params };
    allowed.push(route.method);
  }
  if (allowed.length === 0) {
    throw new HttpRequestError(404, 'RouteNotFound', `no route for ${method.toUpperCase()} ${rawPath}`);
  }
  throw new HttpRequestError(
    405,
    'MethodNotAllowed',
    `method ${method.toUpperCase()} is not allowed on ${rawPath}; allowed: ${allowed.join(', ')}`,
    { allow: allowed.join(', ') },
  );
}

function matchSegments(
  template: readonly string[],
  actual: readonly string[],
  rawPath: string,
): Record<string, string> | undefined {
  if (template.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < template.length; i++) {
    const expected = template[i] ?? '';
    const segment = actual[i] ?? '';
    if (expected.startsWith('{') && expected.endsWith('}')) {
      if (segment === '') return undefined;
      params[expected.slice(1, -1)] = decodeSegment(segment, rawPath);
    } else if (expected !== segment) {
      return undefined;
    }
  }
  return params;
}

function decodeSegment(segment: string, rawPath: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpRequestError(400, 'InvalidPath', `path ${rawPath} has a malformed percent-encoding`);
  }
}
