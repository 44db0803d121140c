/**
 * The Scheduler API's wire protocol (restJson1, as `@aws-sdk/client-scheduler` speaks it) over
 * node:http: routes to store operations, epoch-second timestamps, and the one error boundary that
 * maps the emulator's typed errors to the service's codes (`x-amzn-errortype` header plus a
 * `{"Message"}` body). Every request passes the listener guard first (no `Origin`, a SigV4 signature
 * with the stack's credentials); the emulator has no IAM beyond that one identity.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLargeError, BrowserRequestError, type RequestGuard } from '../http/guard.ts';
import { SignatureError } from '../http/sigv4.ts';
import {
  SchedulerConflictError,
  SchedulerNotFoundError,
  SchedulerQuotaError,
  SchedulerValidationError,
  UnknownOperationError,
} from './errors.ts';
import type { GroupRecord, ScheduleRecord, Tag } from './model.ts';
import type { SchedulerStore } from './store.ts';
import { validateListQuery, validateStateFilter } from './validation/list-query.ts';
import { validateOptionalGroupName } from './validation/members.ts';

/** Target.Input may be 256 KB; anything far beyond that is not a Scheduler request. */
export const MAX_BODY_BYTES = 1024 * 1024;

type JsonBody = Record<string, unknown>;

interface Route {
  readonly resource: string;
  /** Decoded path label, if the path has one. */
  readonly label: string | undefined;
}

export type ErrorReporter = (error: unknown) => void;

/** Builds the request listener for `http.createServer`; `guard` admits each request and reads its body. */
export function createRequestListener(
  store: SchedulerStore,
  guard: RequestGuard,
  reportInternal: ErrorReporter,
) {
  return (request: IncomingMessage, response: ServerResponse): void => {
    handle(store, guard, request, response).catch((error: unknown) => {
      const mapped = mapError(error);
      if (mapped.code === 'InternalServerException') reportInternal(error);
      send(response, mapped.status, { Message: mapped.message, __type: mapped.code }, mapped.code);
    });
  };
}

async function handle(
  store: SchedulerStore,
  guard: RequestGuard,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const raw = await guard(request);
  const url = new URL(request.url ?? '/', 'http://scheduler.local');
  const route = parseRoute(url.pathname);
  const method = request.method ?? 'GET';
  const query = url.searchParams;
  const body = method === 'POST' || method === 'PUT' ? parseJson(raw) : undefined;

  switch (`${method} ${route.resource}${route.label === undefined ? '' : '/{}'}`) {
    case 'POST schedules/{}':
      return send(response, 200, { ScheduleArn: await store.schedules.create(labelOf(route), body) });
    case 'PUT schedules/{}':
      return send(response, 200, { ScheduleArn: await store.schedules.update(labelOf(route), body) });
    case 'GET schedules/{}': {
      const found = store.schedules.get(labelOf(route), query.get('groupName') ?? undefined);
      return send(response, 200, scheduleToWire(found.record, found.arn));
    }
    case 'DELETE schedules/{}':
      await store.schedules.delete(
        labelOf(route),
        query.get('groupName') ?? undefined,
        query.get('clientToken') ?? undefined,
      );
      return send(response, 200, {});
    case 'GET schedules': {
      const page = store.schedules.list({
        ...validateListQuery(query),
        groupName: validateOptionalGroupName(query.get('ScheduleGroup') ?? undefined, 'ScheduleGroup'),
        state: validateStateFilter(query.get('State')),
      });
      return send(response, 200, {
        Schedules: page.items.map(({ record, arn }) => ({
          Arn: arn,
          Name: record.name,
          GroupName: record.groupName,
          State: record.state,
          CreationDate: seconds(record.creationDate),
          LastModificationDate: seconds(record.lastModificationDate),
          Target: { Arn: record.target.arn },
        })),
        ...(page.nextToken === undefined ? {} : { NextToken: page.nextToken }),
      });
    }
    case 'POST schedule-groups/{}':
      return send(response, 200, { ScheduleGroupArn: await store.groups.create(labelOf(route), body) });
    case 'GET schedule-groups/{}':
      return send(response, 200, groupToWire(store, store.groups.get(labelOf(route))));
    case 'DELETE schedule-groups/{}':
      await store.groups.delete(labelOf(route), query.get('clientToken') ?? undefined);
      return send(response, 200, {});
    case 'GET schedule-groups': {
      const page = store.groups.list(validateListQuery(query));
      return send(response, 200, {
        ScheduleGroups: page.items.map((group) => groupToWire(store, group)),
        ...(page.nextToken === undefined ? {} : { NextToken: page.nextToken }),
      });
    }
    case 'POST tags/{}':
      await store.groups.tag(labelOf(route), body);
      return send(response, 200, {});
    case 'DELETE tags/{}':
      await store.groups.untag(labelOf(route), query.getAll('TagKeys'));
      return send(response, 200, {});
    case 'GET tags/{}':
      return send(response, 200, { Tags: store.groups.listTags(labelOf(route)).map(tagToWire) });
    default:
      throw new UnknownOperationError(`No Scheduler operation matches ${method} ${url.pathname}`);
  }
}

function parseRoute(pathname: string): Route {
  const segments = pathname.split('/').filter((segment) => segment !== '');
  const [resource = '', rawLabel, ...rest] = segments;
  if (rest.length > 0) return { resource: `${resource}/${rawLabel}/${rest.join('/')}`, label: undefined };
  if (rawLabel === undefined) return { resource, label: undefined };
  let label: string;
  try {
    label = decodeURIComponent(rawLabel);
  } catch {
    throw new SchedulerValidationError(`The path label '${rawLabel}' is not valid percent-encoding`);
  }
  return { resource, label };
}

function labelOf(route: Route): string {
  return route.label ?? '';
}

function parseJson(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    throw new SchedulerValidationError('The request body is not valid JSON');
  }
}

function send(response: ServerResponse, status: number, body: JsonBody, errorType?: string): void {
  const payload = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
    'x-amzn-requestid': randomUUID(),
    ...(errorType === undefined ? {} : { 'x-amzn-errortype': errorType }),
  });
  response.end(payload);
}

interface MappedError {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

/** The one place where errors become the service's codes; anything unknown is a generic 500. */
function mapError(error: unknown): MappedError {
  // What the service answers an unauthenticated request with (restJson: 403 and the code).
  if (error instanceof SignatureError) return { status: 403, code: error.code, message: error.message };
  if (error instanceof BrowserRequestError)
    return { status: 403, code: 'AccessDeniedException', message: error.message };
  if (error instanceof BodyTooLargeError) {
    return {
      status: 400,
      code: 'ValidationException',
      message: `The request body is larger than ${error.limit} bytes`,
    };
  }
  if (error instanceof SchedulerValidationError)
    return { status: 400, code: 'ValidationException', message: error.message };
  if (error instanceof SchedulerNotFoundError) {
    return { status: 404, code: 'ResourceNotFoundException', message: error.message };
  }
  if (error instanceof SchedulerConflictError)
    return { status: 409, code: 'ConflictException', message: error.message };
  if (error instanceof SchedulerQuotaError) {
    return { status: 402, code: 'ServiceQuotaExceededException', message: error.message };
  }
  if (error instanceof UnknownOperationError) {
    return { status: 404, code: 'UnknownOperationException', message: error.message };
  }
  return {
    status: 500,
    code: 'InternalServerException',
    message: 'The scheduler emulator failed to handle the request',
  };
}

function seconds(ms: number): number {
  return ms / 1000;
}

export function scheduleToWire(record: ScheduleRecord, arn: string): JsonBody {
  const target = record.target;
  return {
    Arn: arn,
    GroupName: record.groupName,
    Name: record.name,
    ScheduleExpression: record.expression,
    ScheduleExpressionTimezone: record.timezone,
    ...(record.startDate === undefined ? {} : { StartDate: seconds(record.startDate) }),
    ...(record.endDate === undefined ? {} : { EndDate: seconds(record.endDate) }),
    ...(record.description === undefined ? {} : { Description: record.description }),
    State: record.state,
    CreationDate: seconds(record.creationDate),
    LastModificationDate: seconds(record.lastModificationDate),
    ...(record.kmsKeyArn === undefined ? {} : { KmsKeyArn: record.kmsKeyArn }),
    Target: {
      ...target.parameters,
      Arn: target.arn,
      RoleArn: target.roleArn,
      ...(target.input === undefined ? {} : { Input: target.input }),
      RetryPolicy: {
        MaximumEventAgeInSeconds: target.retryPolicy.maximumEventAgeInSeconds,
        MaximumRetryAttempts: target.retryPolicy.maximumRetryAttempts,
      },
      ...(target.deadLetterArn === undefined ? {} : { DeadLetterConfig: { Arn: target.deadLetterArn } }),
    },
    FlexibleTimeWindow: {
      Mode: record.flexibleTimeWindow.mode,
      ...(record.flexibleTimeWindow.maximumWindowInMinutes === undefined
        ? {}
        : { MaximumWindowInMinutes: record.flexibleTimeWindow.maximumWindowInMinutes }),
    },
    ActionAfterCompletion: record.actionAfterCompletion,
  };
}

function groupToWire(store: SchedulerStore, group: GroupRecord): JsonBody {
  return {
    Arn: store.groups.arn(group.name),
    Name: group.name,
    State: 'ACTIVE',
    CreationDate: seconds(group.creationDate),
    LastModificationDate: seconds(group.lastModificationDate),
  };
}

function tagToWire(tag: Tag): JsonBody {
  return { Key: tag.key, Value: tag.value };
}
