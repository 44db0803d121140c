/** The demo platform's routes: what the server serves and what `tickwork demo-platform` prints at start. */
import { CONNECTOR_ROUTES } from './connectors.ts';

export type Auth = 'none' | 'bearer' | 'signature';

/** The routes, as the command prints them at start. */
export const DEMO_ROUTES: ReadonlyArray<{
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly query?: string;
  readonly auth: Auth;
  readonly what: string;
}> = [
  {
    method: 'GET',
    path: '/telemetry',
    query: '?from=<ISO>&to=<ISO>&table=<name>&limit=<n>',
    auth: 'bearer',
    what: "telemetry rows of the window [from, to) (a telemetry job's http source)",
  },
  {
    method: 'GET',
    path: '/calibration/prompts',
    auth: 'bearer',
    what: 'prompts of the current calibration run still to answer (flows.responses.promptsUrl)',
  },
  {
    method: 'POST',
    path: '/calibration/responses',
    auth: 'bearer',
    what: 'takes the answers (flows.responses.submitUrl)',
  },
  {
    method: 'GET',
    path: '/registry/prompts',
    query: '?model=<name>&version=<v>',
    auth: 'bearer',
    what: "a model version's registry prompts (flows.registry.promptsUrl)",
  },
  {
    method: 'POST',
    path: '/ingest',
    auth: 'signature',
    what: 'signed deliveries: telemetry chunks, registry answers, connector records (sink.url, flows.registry.ingestUrl)',
  },
  {
    method: 'POST',
    path: '/v1/chat/completions',
    auth: 'bearer',
    what: 'an OpenAI-compatible model (provider openai-compatible, baseUrl <url>/v1)',
  },
  {
    method: 'GET',
    path: '/sessions',
    query: '?count=<n>',
    auth: 'none',
    what: "open agent sessions as fan-out contexts (a job's expand.url)",
  },
  ...CONNECTOR_ROUTES,
  { method: 'GET', path: '/demo/received', auth: 'bearer', what: 'what arrived so far' },
  { method: 'GET', path: '/health', auth: 'none', what: 'liveness' },
];

/** `GET /telemetry?from=…` as printed: the method, the path and its query. */
export function routeLine(route: (typeof DEMO_ROUTES)[number]): string {
  return `${route.method} ${route.path}${route.query ?? ''}`;
}
