/**
 * PutEvents' request checked as the service checks it: the whole request (1 to 10 entries, at most
 * 256 KB in all) is refused with a ValidationException; each entry is checked on its own and a bad one
 * gets its ErrorCode and ErrorMessage in the answer while the others are put (a partial failure).
 */
import { utf8Length } from '../../shared/validation.ts';

/** PutEvents takes at most 10 entries per request. */
export const MAX_ENTRIES = 10;
/** The size of a request's entries, counted as the service documents it. */
export const MAX_ENTRIES_BYTES = 256 * 1024;

/** A refusal of the whole request. */
export class PutEventsValidationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PutEventsValidationError';
  }
}

/** An entry as received; every field may be missing or of the wrong type. */
export interface RequestEntry {
  readonly Time?: unknown;
  readonly Source?: unknown;
  readonly Resources?: unknown;
  readonly DetailType?: unknown;
  readonly Detail?: unknown;
  readonly EventBusName?: unknown;
  readonly TraceHeader?: unknown;
}

export interface AcceptedEntry {
  readonly ok: true;
  readonly bus: string;
  readonly source: string;
  readonly detailType: string;
  readonly detail: Record<string, unknown>;
  readonly resources: readonly string[];
  /** Epoch milliseconds, when the entry named a time. */
  readonly timeMs?: number;
}

export interface RefusedEntry {
  readonly ok: false;
  readonly errorCode: string;
  readonly errorMessage: string;
}

/** The request's entries, or PutEventsValidationError for a request the service refuses whole. */
export function requestEntries(body: unknown): RequestEntry[] {
  const entries = (body as { Entries?: unknown } | null)?.Entries;
  if (!Array.isArray(entries) || entries.length === 0) {
    throw new PutEventsValidationError(
      "1 validation error detected: Value null at 'entries' failed to satisfy constraint: Member must not be null and must have length greater than or equal to 1",
    );
  }
  if (entries.length > MAX_ENTRIES) {
    throw new PutEventsValidationError(
      `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to ${MAX_ENTRIES}`,
    );
  }
  const typed = entries.map((entry: unknown) =>
    typeof entry === 'object' && entry !== null ? (entry as RequestEntry) : {},
  );
  const size = typed.reduce((sum, entry) => sum + entrySize(entry), 0);
  if (size > MAX_ENTRIES_BYTES) {
    throw new PutEventsValidationError('Total size of the entries in the request is over the limit.');
  }
  return typed;
}

/** The service's size rule: 14 bytes for a Time, and the UTF-8 bytes of the text fields and resources. */
function entrySize(entry: RequestEntry): number {
  const text = (value: unknown) => (typeof value === 'string' ? utf8Length(value) : 0);
  const resources = Array.isArray(entry.Resources) ? entry.Resources.reduce((sum, r) => sum + text(r), 0) : 0;
  return (
    (entry.Time === undefined ? 0 : 14) +
    text(entry.Source) +
    text(entry.DetailType) +
    text(entry.Detail) +
    resources
  );
}

export interface BusDirectory {
  readonly region: string;
  readonly accountId: string;
  /** The buses that exist (`default` among them). */
  readonly buses: ReadonlySet<string>;
}

/** One entry: accepted with what is kept of it, or refused with the service's code and message. */
export function checkEntry(entry: RequestEntry, directory: BusDirectory): AcceptedEntry | RefusedEntry {
  const missing = (['Source', 'DetailType', 'Detail'] as const).find(
    (field) => typeof entry[field] !== 'string' || entry[field] === '',
  );
  if (missing !== undefined) {
    return refuse(
      'InvalidArgument',
      `Parameter ${missing} is not valid. Reason: ${missing} is a required argument.`,
    );
  }
  const source = entry.Source as string;
  if (source.startsWith('aws.')) {
    return refuse('NotAuthorizedForSourceException', `Not authorized for the source ${source}.`);
  }
  let detail: unknown;
  try {
    detail = JSON.parse(entry.Detail as string);
  } catch {
    detail = undefined;
  }
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
    return refuse('MalformedDetail', 'Detail is malformed.');
  }
  const bus = busName(entry.EventBusName, directory);
  if (bus === undefined || !directory.buses.has(bus)) {
    const named = typeof entry.EventBusName === 'string' ? entry.EventBusName : 'default';
    return refuse('ResourceNotFoundException', `Event bus ${named} does not exist.`);
  }
  const resources = Array.isArray(entry.Resources)
    ? entry.Resources.filter((resource): resource is string => typeof resource === 'string')
    : [];
  const timeMs = typeof entry.Time === 'number' ? entry.Time * 1000 : undefined;
  return {
    ok: true,
    bus,
    source,
    detailType: entry.DetailType as string,
    detail: detail as Record<string, unknown>,
    resources,
    ...(timeMs === undefined || !Number.isFinite(timeMs) ? {} : { timeMs }),
  };
}

/** The bus a name or ARN names in this Region and account; undefined for another account's ARN. */
function busName(value: unknown, directory: BusDirectory): string | undefined {
  if (value === undefined || value === '') return 'default';
  if (typeof value !== 'string') return undefined;
  const arn = /^arn:aws[a-z-]*:events:([a-z0-9-]+):(\d{12}):event-bus\/(.+)$/.exec(value);
  if (arn === null) return value;
  return arn[1] === directory.region && arn[2] === directory.accountId ? arn[3] : undefined;
}

function refuse(errorCode: string, errorMessage: string): RefusedEntry {
  return { ok: false, errorCode, errorMessage };
}
