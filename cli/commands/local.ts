/**
 * `tickwork local` (= `npm start`): runs the whole stack on this machine until SIGINT or SIGTERM.
 * Every option can also come from the environment; a flag wins over its variable.
 */
import { join } from 'node:path';
import { TokenFileError } from '../../local/api-front/token.ts';
import { type EngineSpec, EngineSpecError, parseEngineSpec } from '../../local/dynamodb/engine-spec.ts';
import { TableSchemaMismatchError } from '../../local/dynamodb/tables.ts';
import { EngineStartError } from '../../local/dynamodb/wait-ready.ts';
import { JournalCorruptError } from '../../local/journal/append-journal.ts';
import type { FunctionEntry } from '../../local/lambda/runtime.ts';
import {
  DataDirError,
  DataDirInUseError,
  ENDPOINTS_FILE,
  type LocalPart,
  type LocalStack,
  PortsInUseError,
  startLocalStack,
} from '../../local/runtime.ts';
import { createLogger, LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from '../../shared/logger.ts';
import { act, listOption, parseCommandLine } from '../command-line.ts';
import { projectDataDir } from '../data-dir.ts';
import type { Command } from '../main.ts';
import { COMMANDS } from '../summaries.ts';
import { UsageError } from '../usage-error.ts';
import { bannerLine, parseEventBuses, parseUserFunctions, userFunctionLines } from './local-functions.ts';
import { applyAtStart, jobsFileToApply, loadAtStart } from './local-jobs-file.ts';

/** Fixed default ports, so a browser tab or a script can keep pointing at the same URLs. */
export const DEFAULT_PORTS = { api: 3000, scheduler: 3001, dynamodb: 3002 } as const;
export const DEFAULT_DATA_DIR = '.tickwork';

export interface LocalOptions {
  readonly help: boolean;
  readonly dataDir: string;
  readonly apiPort: number;
  readonly schedulerPort: number;
  readonly dynamodbPort: number;
  readonly dynamodb: EngineSpec;
  readonly logLevel: LogLevel;
  readonly logFormat: LogFormat;
  /** The user's functions (`--function`), by name; absent when none was given. */
  readonly functions?: Readonly<Record<string, FunctionEntry>>;
  /** Event buses besides `default` (`--event-bus`); absent when none was given. */
  readonly eventBuses?: readonly string[];
  /** The jobs file to apply at start (`--jobs-file`); absent: the project's tickwork.jobs.yaml, if any. */
  readonly jobsFile?: string;
}

interface Option {
  readonly flag: string;
  readonly env: string;
}

const OPTIONS = {
  dataDir: { flag: '--data-dir', env: 'TICKWORK_DATA_DIR' },
  apiPort: { flag: '--api-port', env: 'TICKWORK_API_PORT' },
  schedulerPort: { flag: '--scheduler-port', env: 'TICKWORK_SCHEDULER_PORT' },
  dynamodbPort: { flag: '--dynamodb-port', env: 'TICKWORK_DYNAMODB_PORT' },
  dynamodb: { flag: '--dynamodb', env: 'TICKWORK_DYNAMODB' },
  logLevel: { flag: '--log-level', env: 'TICKWORK_LOG_LEVEL' },
  logFormat: { flag: '--log-format', env: 'TICKWORK_LOG_FORMAT' },
  jobsFile: { flag: '--jobs-file', env: 'TICKWORK_JOBS_FILE' },
} as const satisfies Record<string, Option>;

// The Invoke and EventBridge endpoints take any free port; endpoints.json names them.
const PART_OPTION: Record<Exclude<LocalPart, 'lambda' | 'eventbridge'>, Option> = {
  api: OPTIONS.apiPort,
  scheduler: OPTIONS.schedulerPort,
  dynamodb: OPTIONS.dynamodbPort,
};

export const LOCAL_USAGE = `usage: tickwork local [options]

Runs Tickwork on this machine: a DynamoDB engine, the EventBridge Scheduler emulator, the Lambda
runtime and the API. Stop it with Ctrl+C (SIGINT) or SIGTERM: running invocations may finish, each
until its timeout; a second signal exits at once. Data stays in the data directory, and a start after
a crash or a forced exit takes up what was left unfinished.

options (each also read from the environment variable in brackets; a flag wins):
  --data-dir <dir>        where data, the API token and endpoints.json live [TICKWORK_DATA_DIR]
                          (default ${DEFAULT_DATA_DIR}/ in the project: the nearest directory from
                          here up with a ${DEFAULT_DATA_DIR}/ or a package.json, else here)
  --api-port <port>       API port [TICKWORK_API_PORT] (default ${DEFAULT_PORTS.api})
  --scheduler-port <port> Scheduler emulator port [TICKWORK_SCHEDULER_PORT] (default ${DEFAULT_PORTS.scheduler})
  --dynamodb-port <port>  DynamoDB engine port [TICKWORK_DYNAMODB_PORT] (default ${DEFAULT_PORTS.dynamodb})
  --dynamodb <engine>     dynalite (default, embedded), dynamodb-local (needs Java 17+), or the
                          http://host:port of an engine that is already running [TICKWORK_DYNAMODB]
  --log-level <level>     debug, info (default), warn or error; debug adds a line per fire and
                          per invocation [TICKWORK_LOG_LEVEL]
  --log-format <format>   text (default) or json, one object per line [TICKWORK_LOG_FORMAT]
  --function <name>=<module>
                          a Lambda function of yours for task jobs: the module (.ts or .js) exports
                          handler; invoked as arn:aws:lambda:us-east-1:000000000000:function:<name>
                          (repeatable; flags only)
  --event-bus <name>      an event bus of the local EventBridge endpoint besides "default"
                          (repeatable; flags only)
  --jobs-file <path>      a jobs file (or directory of them) to apply at start; its plan is logged
                          (default tickwork.jobs.yaml in the project, when present) [TICKWORK_JOBS_FILE]
  -h, --help              show this help

A port of 0 means any free port; ${ENDPOINTS_FILE} in the data directory says which were taken.`;

/** Reads flags and environment; bad input throws UsageError naming the option, the value and the rule. */
export function parseLocalOptions(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): LocalOptions {
  const values = readFlags(args);
  const pick = (option: Option): { source: string; value: string } | undefined => {
    const flagValue = values[attributeName(option)];
    if (typeof flagValue === 'string') return { source: option.flag, value: flagValue };
    const envValue = env[option.env];
    return envValue === undefined || envValue === '' ? undefined : { source: option.env, value: envValue };
  };

  const dataDir = pick(OPTIONS.dataDir);
  if (dataDir !== undefined && dataDir.value.trim() === '') {
    throw new UsageError(`${dataDir.source} must name a directory; got an empty value`);
  }
  const port = (option: Option, fallback: number) => {
    const given = pick(option);
    return given === undefined ? fallback : parsePort(given.source, given.value);
  };
  const jobsFile = pick(OPTIONS.jobsFile);
  const engine = pick(OPTIONS.dynamodb);
  let dynamodb: EngineSpec;
  try {
    dynamodb = parseEngineSpec(engine?.value, engine?.source ?? OPTIONS.dynamodb.env);
  } catch (error) {
    if (error instanceof EngineSpecError) throw new UsageError(error.message);
    throw error;
  }

  const options: LocalOptions = {
    help: values.help === true,
    // The project's data directory, which the client commands find from any of its subdirectories.
    dataDir: dataDir?.value ?? projectDataDir(process.cwd()),
    apiPort: port(OPTIONS.apiPort, DEFAULT_PORTS.api),
    schedulerPort: port(OPTIONS.schedulerPort, DEFAULT_PORTS.scheduler),
    dynamodbPort: port(OPTIONS.dynamodbPort, DEFAULT_PORTS.dynamodb),
    dynamodb,
    logLevel: choice(pick(OPTIONS.logLevel), LOG_LEVELS, 'info'),
    logFormat: choice(pick(OPTIONS.logFormat), LOG_FORMATS, 'text'),
    ...userParts(values),
    ...(jobsFile === undefined ? {} : { jobsFile: jobsFile.value }),
  };
  const ports: Array<[Option, number]> = [
    [OPTIONS.apiPort, options.apiPort],
    [OPTIONS.schedulerPort, options.schedulerPort],
  ];
  // An external engine listens wherever it listens; its port option does not apply.
  if (dynamodb.kind !== 'external') ports.push([OPTIONS.dynamodbPort, options.dynamodbPort]);
  for (const [i, [option, value]] of ports.entries()) {
    const clash = ports.slice(i + 1).find(([, other]) => other === value && value !== 0);
    if (clash !== undefined) {
      throw new UsageError(
        `${option.flag} and ${clash[0].flag} are both ${value}; each part needs its own port`,
      );
    }
  }
  return options;
}

/** `--function` and `--event-bus`, present only when given. */
function userParts(values: Flags): Pick<LocalOptions, 'functions' | 'eventBuses'> {
  const functions = asList(values.function);
  const buses = asList(values.eventBus);
  return {
    ...(functions.length === 0 ? {} : { functions: parseUserFunctions(functions, process.cwd()) }),
    ...(buses.length === 0 ? {} : { eventBuses: parseEventBuses(buses) }),
  };
}

function asList(value: Flags[string]): string[] {
  return Array.isArray(value) ? value : [];
}

function choice<T extends string>(
  given: { source: string; value: string } | undefined,
  values: readonly T[],
  fallback: T,
): T {
  if (given === undefined) return fallback;
  const found = values.find((value) => value === given.value);
  if (found === undefined) {
    throw new UsageError(`${given.source} must be one of ${values.join(', ')}; got "${given.value}"`);
  }
  return found;
}

function parsePort(source: string, text: string): number {
  const value = /^\d{1,5}$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!Number.isInteger(value) || value > 65_535) {
    throw new UsageError(
      `${source} must be a whole number from 0 to 65535 (0 = any free port); got "${text}"`,
    );
  }
  return value;
}

/** `--api-port` → `apiPort`, the key commander gives the option's value. */
function attributeName(option: Option): string {
  return option.flag.slice(2).replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

type Flags = Record<string, string | string[] | boolean | undefined>;

/** The flags as given; `--help` is an ordinary switch here, reported in LocalOptions.help. */
function readFlags(args: readonly string[]): Flags {
  const parsed = parseCommandLine<Flags>(['local', ...args], (root, done) => {
    const local = root.command('local').summary(COMMANDS.local.summary).helpOption(false);
    // As before the move to commander, a repeated option here is not an error: the last one wins
    // (scripts append an override to a list of defaults).
    for (const option of Object.values(OPTIONS)) local.option(`${option.flag} <value>`, option.env);
    listOption(local, '--function <name=module>', 'a Lambda function of yours');
    listOption(local, '--event-bus <name>', 'an event bus besides default');
    local.option('-h, --help', 'show this help');
    act<Flags, Flags>(local, done, (_, flags) => flags);
  });
  return parsed as Flags;
}

/** Startup failures the user can fix, as one line each; the exit code says whose move it is. */
function explainStartFailure(error: unknown): { message: string; exitCode: number } | undefined {
  if (error instanceof PortsInUseError) {
    const options = error.conflicts.flatMap(({ part }) => {
      if (part === 'lambda' || part === 'eventbridge') return [];
      const option = PART_OPTION[part];
      return [`${option.flag} or ${option.env}`];
    });
    return { message: `${error.message} (${[...options, '0 = any free port'].join('; ')})`, exitCode: 2 };
  }
  if (error instanceof DataDirError || error instanceof DataDirInUseError) {
    return { message: `${error.message}; pass ${OPTIONS.dataDir.flag} with a usable directory`, exitCode: 2 };
  }
  if (
    error instanceof EngineStartError ||
    error instanceof TableSchemaMismatchError ||
    error instanceof TokenFileError ||
    error instanceof JournalCorruptError
  ) {
    return { message: error.message, exitCode: 1 };
  }
  return undefined;
}

async function run(args: string[]): Promise<number> {
  const options = parseLocalOptions(args, process.env);
  if (options.help) {
    process.stdout.write(`${LOCAL_USAGE}\n`);
    return 0;
  }
  const log = createLogger({ level: options.logLevel, format: options.logFormat });
  const local = log.child({ component: 'local' });
  // Checked before anything starts: a bad file stops the start with its file:line:col problems.
  const jobsFile = jobsFileToApply(options.jobsFile, process.cwd());
  const loaded = jobsFile === undefined ? undefined : loadAtStart(jobsFile);
  if (loaded !== undefined && 'exitCode' in loaded) return loaded.exitCode;

  // Listen for signals before starting anything: a signal during startup stops the stack once it is up,
  // instead of killing the process with a DynamoDB Local child left behind.
  let signalled: NodeJS.Signals | undefined;
  let onSignal: (signal: NodeJS.Signals) => void = () => {};
  const stopRequested = new Promise<NodeJS.Signals>((resolve) => {
    onSignal = (signal) => {
      // A second signal does not wait for running invocations: what they had not finished is in the
      // journals, as after a crash, and the next start takes it up.
      if (signalled !== undefined) {
        local.warn('signal again, exiting without waiting; the next start takes up unfinished work', {
          signal,
        });
        process.exit(1);
      }
      signalled = signal;
      resolve(signal);
    };
  });
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let stack: LocalStack;
  try {
    stack = await startLocalStack({
      dataDir: options.dataDir,
      apiPort: options.apiPort,
      schedulerPort: options.schedulerPort,
      dynamodbPort: options.dynamodbPort,
      dynamodb: options.dynamodb,
      log,
      functionLogs: { level: options.logLevel, format: options.logFormat },
      ...(options.functions === undefined ? {} : { functions: options.functions }),
      ...(options.eventBuses === undefined ? {} : { eventBuses: options.eventBuses }),
    });
  } catch (error) {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    const explained = explainStartFailure(error);
    if (explained === undefined) throw error;
    process.stderr.write(`tickwork local: ${explained.message}\n`);
    return explained.exitCode;
  }

  if (jobsFile !== undefined && loaded !== undefined) {
    const failed = await applyAtStart({
      file: jobsFile,
      jobs: loaded.jobs,
      dataDir: stack.dataDir,
      invoke: (name, event) => stack.runtime.invoke(name, event),
      log: local,
    });
    if (failed !== undefined) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await stack.close();
      return failed;
    }
  }
  const { endpoints, dataDir } = stack;
  process.stdout.write(
    [
      `tickwork local is running; data in ${dataDir}`,
      bannerLine('API', `${endpoints.apiUrl}  (send Authorization: Bearer <token>)`),
      // A one-time code, as a notebook server prints: `tickwork dashboard` prints a new one later.
      bannerLine('dashboard', stack.dashboardLoginUrl()),
      bannerLine(
        'Scheduler',
        `${endpoints.schedulerEndpoint}  (schedule groups ${Object.values(endpoints.scheduleGroups).join(', ')})`,
      ),
      bannerLine('DynamoDB', `${endpoints.dynamodbEndpoint}  (${stack.dynamodbEngine})`),
      bannerLine(
        'EventBridge',
        `${endpoints.eventbridgeEndpoint}  (buses ${['default', ...(options.eventBuses ?? [])].join(', ')}; tickwork events lists what they got)`,
      ),
      ...userFunctionLines(options.functions ?? {}),
      bannerLine('token', endpoints.token),
      bannerLine('endpoints', join(dataDir, ENDPOINTS_FILE)),
      'Press Ctrl+C to stop.',
      '',
    ].join('\n'),
  );

  const signal = await stopRequested;
  local.info('stopping; running invocations may finish, each until its timeout (signal again to exit now)', {
    signal,
  });
  await stack.close();
  local.info('stopped');
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  // Everything is closed; should a stray handle (a handler's timer, a socket) keep the event loop
  // alive, do not hang on it. Unreferenced, so a clean exit happens as soon as the loop is empty.
  setTimeout(() => process.exit(), 2_000).unref();
  return 0;
}

export const localCommand: Command = {
  summary: COMMANDS.local.summary,
  run,
};
