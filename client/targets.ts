/**
 * Where the client sends its requests: a deployed API (SigV4 for `execute-api` with the default AWS
 * credential chain, as API Gateway's IAM authorization expects) or the local stack (its address and
 * bearer token from `<data-dir>/endpoints.json`, found from the current directory up).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DATA_DIR_NAME, ENDPOINTS_FILE_NAME, findRunningStackDataDir } from './data-dir.ts';
import { excerpt, isRecord, TargetError } from './errors.ts';
import type { ApiTarget, Authorizer } from './http.ts';
import type { AwsCredentials } from './sigv4.ts';

export interface TargetOptions {
  /** A deployed API's base URL; when set, requests are SigV4-signed. */
  readonly url?: string;
  readonly region?: string;
  /**
   * The local stack's data directory holding endpoints.json, when `--data-dir` or TICKWORK_DATA_DIR
   * names it; otherwise the nearest running stack is looked for from the current directory up.
   */
  readonly dataDir?: string;
}

/** The endpoints the local stack writes when it is ready (issue 3 §4). */
export interface LocalEndpoints {
  readonly apiUrl: string;
  readonly token: string;
  readonly schedulerEndpoint?: string;
  readonly dynamodbEndpoint?: string;
  /** The schedule group of each job kind. */
  readonly scheduleGroups?: Readonly<Record<string, string>>;
}

/** Reads `<dataDir>/endpoints.json`; TargetError names the file and what is wrong with it. */
export async function readLocalEndpoints(dataDir: string): Promise<LocalEndpoints> {
  const path = join(dataDir, ENDPOINTS_FILE_NAME);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new TargetError(`no local stack found at ${path}; start it with \`npm start\` or pass --url`);
    }
    throw new TargetError(`cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new TargetError(`${path} is not JSON; restart the local stack (\`npm start\`) to rewrite it`);
  }
  if (!isRecord(parsed)) throw new TargetError(`${path} must hold a JSON object, got ${excerpt(text)}`);
  for (const field of ['apiUrl', 'token'] as const) {
    if (typeof parsed[field] !== 'string' || parsed[field] === '') {
      throw new TargetError(
        `${path} has no "${field}" string; restart the local stack (\`npm start\`) to rewrite it`,
      );
    }
  }
  return parsed as unknown as LocalEndpoints;
}

export function bearerAuthorizer(token: string): Authorizer {
  return async () => ({ authorization: `Bearer ${token}` });
}

/** The region in an API Gateway URL such as `https://abc123.execute-api.eu-west-1.amazonaws.com/prod`. */
export function regionFromApiUrl(url: URL): string | undefined {
  return /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/.exec(url.hostname)?.[1];
}

/**
 * The local stack's data directory: the one named, else the nearest running stack's at or above
 * `cwd`. TargetError says where it looked and how to start a stack when there is none.
 */
export function localStackDataDir(named: string | undefined, cwd: string): string {
  if (named !== undefined) return named;
  const found = findRunningStackDataDir(cwd);
  if (found === undefined) {
    throw new TargetError(
      `no local stack found: no ${DATA_DIR_NAME}/${ENDPOINTS_FILE_NAME} in ${cwd} or any directory above it; start one with \`npm start\` in the project, or pass --url (or --data-dir)`,
    );
  }
  return found;
}

/**
 * Chooses the target: `--url` (a deployed API, SigV4 with the default credential chain) or the
 * local stack described by endpoints.json.
 */
export async function resolveTarget(options: TargetOptions, cwd: string = process.cwd()): Promise<ApiTarget> {
  if (options.url !== undefined) {
    let baseUrl: URL;
    try {
      baseUrl = new URL(options.url);
    } catch {
      throw new InvalidTargetError(`--url must be an absolute http(s) URL, got "${options.url}"`);
    }
    if (baseUrl.protocol !== 'https:' && baseUrl.protocol !== 'http:') {
      throw new InvalidTargetError(`--url must be an http(s) URL, got "${options.url}"`);
    }
    const region = options.region ?? regionFromApiUrl(baseUrl);
    if (region === undefined) {
      throw new InvalidTargetError(
        `cannot tell the AWS Region of ${baseUrl.host}; pass --region or set AWS_REGION`,
      );
    }
    // Loaded only for deployed targets: the credential chain and the signer are a large module graph.
    const [{ defaultProvider }, { sigV4Authorizer }] = await Promise.all([
      import('@aws-sdk/credential-provider-node'),
      import('./sigv4.ts'),
    ]);
    const provider = defaultProvider();
    const credentials = async (): Promise<AwsCredentials> => {
      try {
        return await provider();
      } catch (error) {
        throw new TargetError(
          `no AWS credentials to sign requests to ${baseUrl.host}: ${(error as Error).message}`,
          { cause: error },
        );
      }
    };
    return {
      baseUrl,
      authorize: sigV4Authorizer({ region, credentials }),
      description: `the API at ${baseUrl.origin}`,
    };
  }
  const dataDir = localStackDataDir(options.dataDir, cwd);
  const endpoints = await readLocalEndpoints(dataDir);
  let baseUrl: URL;
  try {
    baseUrl = new URL(endpoints.apiUrl);
  } catch {
    throw new TargetError(
      `apiUrl "${endpoints.apiUrl}" in ${join(dataDir, ENDPOINTS_FILE_NAME)} is not a URL; restart the local stack`,
    );
  }
  return {
    baseUrl,
    authorize: bearerAuthorizer(endpoints.token),
    description: `the local stack at ${baseUrl.origin}`,
    unreachableHint: 'is `npm start` running?',
  };
}

/** `url` or `region` given to the client is not usable (the CLI reports it as a usage error). */
export class InvalidTargetError extends TargetError {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidTargetError';
  }
}
