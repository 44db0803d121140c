/**
 * Every outbound HTTP request a run makes carries its run id in `X-Tickwork-Run-Id`: the webhooks and
 * sinks it delivers to, and the APIs it reads. A receiver can then name the run in its own logs, and an
 * operator follows one run from Tickwork's log lines and metrics (the same id) to the receiver's. Added
 * here, around the run's `http` capability, so no kind can forget it. The id is an opaque ULID: nothing
 * about the job or its secrets.
 */
import type { Capabilities, OutboundHttp, OutboundRequests, OutboundSession } from './capabilities.ts';

export const RUN_ID_HEADER = 'X-Tickwork-Run-Id';

/** The capabilities of one run: `http` (when the kind has it) adds the run id to each request's headers. */
export function withRunIdHeader<Caps extends Partial<Capabilities>>(capabilities: Caps, runId: string): Caps {
  const { http } = capabilities;
  if (http === undefined) return capabilities;
  return { ...capabilities, http: runIdHttp(http, runId) };
}

function runIdRequests(requests: OutboundRequests, runId: string): OutboundRequests {
  return {
    post: (url, body, headers, options) =>
      requests.post(url, body, { ...headers, [RUN_ID_HEADER]: runId }, options),
    request: (request) =>
      requests.request({ ...request, headers: { ...request.headers, [RUN_ID_HEADER]: runId } }),
    stream: (request) =>
      requests.stream({ ...request, headers: { ...request.headers, [RUN_ID_HEADER]: runId } }),
  };
}

function runIdHttp(http: OutboundHttp, runId: string): OutboundHttp {
  return {
    ...runIdRequests(http, runId),
    session: (): OutboundSession => {
      const session = http.session();
      return { ...runIdRequests(session, runId), close: () => session.close() };
    },
  };
}
