/**
 * The API's error answers in the CLI's terms. The API speaks HTTP ("use PUT /jobs/x to replace it",
 * "runId in the path …"); a CLI user needs the flag or command that fixes it. Answers are mapped by
 * their `type` (and a problem's `field`), never by reading the message text, so a reworded API
 * message cannot break the mapping; types not listed here keep the API's own message.
 */
import type { ApiError, ApiProblem } from './api-client.ts';

/** What the failed command was about, for messages that name it. */
export interface ErrorContext {
  /** The command path, e.g. `jobs add`. */
  readonly command: string;
  readonly job?: string;
  readonly runId?: string;
  /** The request body was built from flags (not `--file`), so a field can be named by its flag. */
  readonly fromFlags?: boolean;
}

/** The flag that sets each API field of a job or a run, for problems the API reports by field. */
const FLAG_OF_FIELD: Readonly<Record<string, string>> = {
  kind: '--kind',
  schedule: '--schedule',
  timezone: '--tz',
  description: '--description',
  enabled: '--disabled',
  runImmediately: '--run-immediately',
  overlap: '--overlap',
  flexibleWindowMinutes: '--flexible-window',
  startDate: '--start',
  endDate: '--end',
  tags: '--tag',
  config: '--config',
  params: '--params',
};

const PAST_TENSE: Readonly<Record<string, string>> = {
  'jobs pause': 'paused',
  'jobs resume': 'resumed',
  run: 'run',
};

/** An example command line that recreates the job, for messages about a job that must be added again. */
function addAgain(job: string): string {
  return `tickwork jobs add ${job} --replace --kind KIND --schedule EXPR …`;
}

/** The one-line message for an answer whose `type` has a CLI wording in this context, if any. */
function messageForType(error: ApiError, context: ErrorContext): string | undefined {
  const { job, runId, command } = context;
  switch (error.type) {
    case 'JobAlreadyExists':
      return job === undefined ? undefined : `job "${job}" already exists; use --replace`;
    case 'JobNotFound':
      return job === undefined ? undefined : `job "${job}" does not exist`;
    case 'RunNotFound':
      return runId === undefined ? undefined : `run "${runId}" does not exist`;
    case 'JobConflict': {
      if (job === undefined) return undefined;
      // PATCH refuses both a one-time job whose time has passed and one that was deleted (kept as history).
      if (command === 'jobs update') {
        return `job "${job}" is a one-time job that already ran or was deleted; give it a new --schedule, or create it again with \`${addAgain(job)}\``;
      }
      const verb = PAST_TENSE[command];
      return verb === undefined
        ? undefined
        : `job "${job}" was deleted (a one-time job kept as history) and cannot be ${verb}; create it again with \`${addAgain(job)}\``;
    }
    case 'JobChainedTo': {
      // The API's remedy names its query parameter; the CLI's is the flag.
      if (job === undefined) return undefined;
      const [refused] = error.message.split('; ');
      return `${refused}; remove those links first, or run \`tickwork jobs delete ${job} --unlink-chains\` to remove them with the job`;
    }
    case 'PayloadTooLarge':
      return command === 'run'
        ? 'the --params object is larger than the API accepts; send fewer or shorter parameters'
        : 'the job definition is larger than the API accepts; shorten its --config or --description';
    case 'RouteNotFound':
    case 'MethodNotAllowed':
      return `the API does not offer \`tickwork ${command}\` (it answered ${error.type}); it may run an older version of Tickwork`;
    default:
      return undefined;
  }
}

/** One problem of a refused request, in the CLI's terms where its field says which flag it was. */
function problemText(problem: ApiProblem, context: ErrorContext): string {
  const field = problem.field.split(/[.[]/)[0] ?? '';
  if (field === 'runImmediately' && context.command === 'jobs update' && context.job !== undefined) {
    return `--run-immediately takes effect only when the update changes --schedule, --tz or --start; to run job "${context.job}" now, use \`tickwork run ${context.job}\``;
  }
  const flag = context.fromFlags === true ? FLAG_OF_FIELD[field] : undefined;
  return flag === undefined ? problem.message : `${problem.message} (${flag})`;
}

/**
 * The lines to print for an error answer: the message, then, when the API reported several problems,
 * each further one on its own line.
 */
export function describeApiError(error: ApiError, context: ErrorContext): string[] {
  const message = messageForType(error, context);
  if (message !== undefined) return [message];
  const [first, ...rest] = error.details;
  const lead =
    first !== undefined && first.message === error.message ? problemText(first, context) : error.message;
  const further = (first !== undefined && first.message === error.message ? rest : error.details).map(
    (problem) => problemText(problem, context),
  );
  return [lead, ...further];
}
