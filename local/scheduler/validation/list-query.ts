/** Validation of the query members of ListSchedules and ListScheduleGroups. */
import type { ScheduleState } from '../model.ts';
import { NAME_PATTERN, readEnum, readInteger, readString, Violations } from './rules.ts';

export interface ListQuery {
  readonly maxResults: number | undefined;
  readonly nextToken: string | undefined;
  readonly namePrefix: string | undefined;
}

/** MaxResults 1-100, NamePrefix 1-64 name characters, NextToken 1-2048 characters. */
export function validateListQuery(query: URLSearchParams): ListQuery {
  const v = new Violations();
  let maxResults: number | undefined;
  const maxText = query.get('MaxResults');
  if (maxText !== null) {
    const parsed = /^\d+$/.test(maxText) ? Number(maxText) : Number.NaN;
    maxResults = readInteger(v, { value: Number.isNaN(parsed) ? maxText : parsed }, 'value', 'MaxResults', {
      min: 1,
      max: 100,
    });
  }
  const nextToken = readString(v, { value: query.get('NextToken') }, 'value', 'NextToken', { max: 2048 });
  const namePrefix = readString(v, { value: query.get('NamePrefix') }, 'value', 'NamePrefix', {
    max: 64,
    pattern: NAME_PATTERN,
  });
  v.throwIfAny();
  return { maxResults, nextToken, namePrefix };
}

export function validateStateFilter(value: string | null): ScheduleState | undefined {
  const v = new Violations();
  const state = readEnum<ScheduleState>(v, { value }, 'value', 'State', ['ENABLED', 'DISABLED']);
  v.throwIfAny();
  return state;
}
