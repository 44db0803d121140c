/**
 * The CLI's exit codes, by outcome, in one table (the README's CLI section documents the same):
 * a script can tell "the run failed" from "I typed it wrong" from "that job does not exist".
 */
import { ApiError, ApiUnreachableError, InvalidTargetError, TargetError } from './api-client.ts';
import { UsageError } from './usage-error.ts';

export const EXIT = {
  /** Done as asked. */
  success: 0,
  /**
   * The run did not succeed (failed, timed out, cancelled, skipped); `reconcile` found drift or could
   * not repair it; the API or the local stack is unreachable, answered 5xx, or still throttled after a retry.
   */
  failed: 1,
  /** `apply --dry-run`: the jobs differ from the file (something would change); 0 when they do not. */
  drift: 1,
  /** A usage error, or the API refused the input (400 and the other 4xx not listed below). */
  usage: 2,
  /** 404: the job or run does not exist. */
  notFound: 3,
  /** 409: the job or run is in a state that does not allow it (a taken name, a finished run). */
  conflict: 4,
  /** `run --wait` gave up after `--timeout` with the run still going. */
  timedOut: 5,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** One line per exit code, for `tickwork --help`. */
export const EXIT_CODE_HELP = [
  'exit codes:',
  '  0  success',
  '  1  the run failed; drift found (reconcile --dry-run, apply --dry-run); the API or local stack',
  '     unreachable or answered 5xx',
  '  2  usage or validation error (the API answered 400)',
  '  3  not found (the job or run does not exist)',
  '  4  conflict (e.g. the job name is taken, the run already finished)',
  '  5  timed out waiting (run --wait --timeout)',
].join('\n');

/** API answers that mean "this API cannot do that" (an older or other version), not "no such job". */
const UNSUPPORTED_TYPES = new Set(['RouteNotFound', 'MethodNotAllowed']);

/** The exit code of an API error answer. */
export function exitCodeForAnswer(error: ApiError): ExitCode {
  if (error.status >= 500 || error.status === 429 || UNSUPPORTED_TYPES.has(error.type)) return EXIT.failed;
  if (error.status === 404) return EXIT.notFound;
  if (error.status === 409) return EXIT.conflict;
  return EXIT.usage;
}

/** Exit code for a failure the CLI expects; undefined for anything else (a bug: reported as such). */
export function exitCodeFor(error: unknown): ExitCode | undefined {
  // A target the user named badly (`--url`, `--region`), found when the typed client first resolves it.
  if (error instanceof UsageError || error instanceof InvalidTargetError) return EXIT.usage;
  if (error instanceof ApiError) return exitCodeForAnswer(error);
  if (error instanceof ApiUnreachableError || error instanceof TargetError) return EXIT.failed;
  return undefined;
}
