/**
 * The `sync` kind's config: the connectors to sync (each an HTTP source of paged records, see
 * connector.ts for the contract), the signed sink the records go to, the page size and the bounds of a
 * run. Secrets (a source's bearer token, the sink's signing secret) are given by NAME. A manual run may
 * pass a subset of the connectors and ask for a full resync.
 */
import * as z from 'zod/mini';
import type { Problem } from '../../errors.ts';
import { maxStepSeconds } from '../../runs/deadline.ts';
import { describeValue } from '../../validation.ts';
import { httpUrlField, secondsField, secretNameField } from '../fields.ts';
import type { ConfigCheckOptions, SecretReference } from '../kind.ts';

/** Five minutes: many pages; a run that cannot finish stops cleanly and the next one continues. */
export const SYNC_FUNCTION_TIMEOUT_SECONDS = 300;
export const MAX_CONNECTORS = 50;
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1_000;
export const DEFAULT_MAX_PAGES_PER_RUN = 100;
export const MAX_MAX_PAGES_PER_RUN = 10_000;
export const DEFAULT_CONCURRENCY = 2;
export const MAX_CONCURRENCY = 10;
export const DEFAULT_SINK_TIMEOUT_SECONDS = 30;
export const MAX_SINK_TIMEOUT_SECONDS = maxStepSeconds(SYNC_FUNCTION_TIMEOUT_SECONDS);
/**
 * A connector id names its checkpoint item (`<job>#checkpoint#<id>`), a path segment of the API
 * (`/jobs/{name}/checkpoints/{connector}`) and a CLI argument: letters, digits, `_` and `-`, no `#`.
 */
export const CONNECTOR_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const CONNECTOR_ID_RULE = 'must be a connector id: 1–64 of A-Z a-z 0-9 _ -, starting with a letter or digit';

const count = (what: string, min: number, max: number) =>
  z
    .int({ error: (issue) => `must be a whole number of ${what}; got ${describeValue(issue.input)}` })
    .check(
      z.minimum(min, { error: (issue) => `must be at least ${min}; got ${describeValue(issue.input)}` }),
      z.maximum(max, { error: (issue) => `must be at most ${max}; got ${describeValue(issue.input)}` }),
    );

export const connectorIdField = z.lazy(() =>
  z.string({ error: (issue) => `${CONNECTOR_ID_RULE}; got ${describeValue(issue.input)}` }).check(
    z.regex(CONNECTOR_ID_PATTERN, {
      error: (issue) => `${CONNECTOR_ID_RULE}; got ${describeValue(issue.input)}`,
    }),
  ),
);

/** `http`: the connector contract of connector.ts. `authSecret` names the secret sent as a bearer token. */
const httpSource = z.lazy(() =>
  z.strictObject(
    {
      type: z.literal('http'),
      url: httpUrlField({ signingSecretField: 'the source authSecret' }),
      authSecret: z.optional(secretNameField),
    },
    {
      error: (issue) =>
        `must be an object {type: "http", url, authSecret?}; got ${describeValue(issue.input)}`,
    },
  ),
);

const connector = z.lazy(() =>
  z.strictObject(
    {
      id: connectorIdField,
      source: httpSource,
      /** Answering 2xx means connected; without one the connector is taken as connected. */
      healthUrl: z.optional(httpUrlField({ signingSecretField: 'the source authSecret' })),
      /** @default true */
      enabled: z.optional(
        z.boolean({ error: (issue) => `must be true or false; got ${describeValue(issue.input)}` }),
      ),
    },
    {
      error: (issue) =>
        `must be an object {id, source, healthUrl?, enabled?}; got ${describeValue(issue.input)}`,
    },
  ),
);

/** The ids of a list of connectors (or of connector ids), as given. */
function idsOf(list: unknown): string[] {
  return (list as readonly unknown[]).map((item) =>
    typeof item === 'string' ? item : String((item as { id?: unknown }).id),
  );
}

const uniqueIds = <T>(what: string) =>
  z.refine<T[]>(
    (list) => {
      const ids = idsOf(list);
      return new Set(ids).size === ids.length;
    },
    {
      error: (issue) => {
        const ids = idsOf(issue.input);
        const repeated = [...new Set(ids.filter((id, index) => ids.indexOf(id) !== index))];
        return `must not name a ${what} twice; got ${repeated.map((id) => describeValue(id)).join(', ')} more than once`;
      },
    },
  );

type ConnectorInput = z.infer<typeof connector>;

export const syncConfigSchema = z.lazy(() =>
  z.strictObject({
    connectors: z
      .array(connector, {
        error: (issue) => `must be a list of connectors; got ${describeValue(issue.input)}`,
      })
      .check(
        z.minLength(1, { error: 'must list at least 1 connector' }),
        z.maxLength(MAX_CONNECTORS, {
          error: (issue) =>
            `must list at most ${MAX_CONNECTORS} connectors; got ${String((issue.input as unknown[] | undefined)?.length)}`,
        }),
        uniqueIds<ConnectorInput>('connector id'),
      ),
    sink: z.strictObject(
      {
        url: httpUrlField({ signingSecretField: 'config.sink.signingSecret' }),
        signingSecret: secretNameField,
        /** @default DEFAULT_SINK_TIMEOUT_SECONDS */
        timeoutSeconds: z.optional(secondsField(MAX_SINK_TIMEOUT_SECONDS)),
      },
      {
        error: (issue) =>
          `must be an object {url, signingSecret, timeoutSeconds?}; got ${describeValue(issue.input)}`,
      },
    ),
    /** Records asked for per page. @default DEFAULT_PAGE_SIZE */
    pageSize: z.optional(count('records', 1, MAX_PAGE_SIZE)),
    /** Pages per connector per run. @default DEFAULT_MAX_PAGES_PER_RUN */
    maxPagesPerRun: z.optional(count('pages', 1, MAX_MAX_PAGES_PER_RUN)),
    /** Connectors synced at once. @default DEFAULT_CONCURRENCY */
    concurrency: z.optional(count('connectors', 1, MAX_CONCURRENCY)),
  }),
);

export type SyncConfig = z.infer<typeof syncConfigSchema>;
export type ConnectorConfig = SyncConfig['connectors'][number];

/**
 * A manual run's parameters: `connectors`, the ids to sync (each in the config; checkSyncParams), and
 * `fullResync`, to read those connectors from the beginning again (their checkpoints start a new
 * generation, so the sink gets every record again under new idempotency keys).
 */
export const syncParamsSchema = z.lazy(() =>
  z.strictObject({
    connectors: z.optional(
      z
        .array(connectorIdField, {
          error: (issue) => `must be a list of connector ids; got ${describeValue(issue.input)}`,
        })
        .check(
          z.minLength(1, { error: 'must name at least 1 connector (leave it out to sync all of them)' }),
          z.maxLength(MAX_CONNECTORS, { error: `must name at most ${MAX_CONNECTORS} connectors` }),
          uniqueIds<string>('connector'),
        ),
    ),
    fullResync: z.optional(
      z.boolean({ error: (issue) => `must be true or false; got ${describeValue(issue.input)}` }),
    ),
  }),
);

export type SyncParams = z.infer<typeof syncParamsSchema>;

/** A deployed stack sends records and tokens over https only. */
export function checkSyncConfig(config: SyncConfig, options: ConfigCheckOptions): Problem[] {
  if (options.mode !== 'aws') return [];
  const urls: [string, string][] = [
    ['config.sink.url', config.sink.url],
    ...config.connectors.flatMap((entry, index): [string, string][] => [
      [`config.connectors.${index}.source.url`, entry.source.url],
      ...(entry.healthUrl === undefined
        ? []
        : [[`config.connectors.${index}.healthUrl`, entry.healthUrl] as [string, string]]),
    ]),
  ];
  return urls
    .filter(([, url]) => new URL(url).protocol !== 'https:')
    .map(([field, url]) => ({
      field,
      message: `${field} must be an https URL in a deployed stack; got ${describeValue(url)}`,
    }));
}

/** The connectors a run asks for must be the job's. */
export function checkSyncParams(params: SyncParams, config: SyncConfig): Problem[] {
  const known = config.connectors.map((entry) => entry.id);
  const unknown = (params.connectors ?? []).filter((id) => !known.includes(id));
  if (unknown.length === 0) return [];
  return [
    {
      field: 'params.connectors',
      message: `params.connectors must name connectors of the job (${known.join(', ')}); got ${unknown.map((id) => describeValue(id)).join(', ')}`,
    },
  ];
}

export function syncSecrets(config: SyncConfig): SecretReference[] {
  return [
    ...config.connectors.flatMap((entry, index) =>
      entry.source.authSecret === undefined
        ? []
        : [{ field: `config.connectors.${index}.source.authSecret`, name: entry.source.authSecret }],
    ),
    { field: 'config.sink.signingSecret', name: config.sink.signingSecret },
  ];
}

/** The keys of the job's keyed checkpoints: one per connector. */
export function syncCheckpointKeys(config: SyncConfig): string[] {
  return config.connectors.map((entry) => entry.id);
}
