/**
 * The demo platform as a fan-out's expansion source: `GET /sessions` answers the platform's open agent
 * sessions as contexts (`{"contexts": [{"key", "name", "team"}, ...]}`), three by default or `?count=N`
 * (1-1,000) generated ones. It needs no token: an expansion URL carries no credentials (a job stores
 * and shows it), so the source it names is one that answers without them.
 */
import { ValidationError } from '../../shared/errors.ts';

const SESSIONS = [
  { key: 'sess-ada', name: 'Ada', team: 'research' },
  { key: 'sess-grace', name: 'Grace', team: 'platform' },
  { key: 'sess-linus', name: 'Linus', team: 'support' },
] as const;

export const MAX_SESSIONS = 1_000;

export function sessionContexts(query: URLSearchParams): { contexts: Array<Record<string, string>> } {
  const count = query.get('count');
  if (count === null) return { contexts: SESSIONS.map((session) => ({ ...session })) };
  const n = Number(count);
  if (!/^\d+$/.test(count) || n < 1 || n > MAX_SESSIONS) {
    throw new ValidationError(
      'count',
      `count must be a whole number from 1 to ${MAX_SESSIONS}; got "${count}"`,
    );
  }
  return {
    contexts: Array.from({ length: n }, (_, index) => ({
      key: `sess-${String(index).padStart(4, '0')}`,
      name: `agent-${index}`,
      team: SESSIONS[index % SESSIONS.length]?.team ?? 'research',
    })),
  };
}
