/**
 * Validation of the tag operations (TagResource, UntagResource, ListTagsForResource) and of the Tags
 * of CreateScheduleGroup. Only schedule groups carry tags in EventBridge Scheduler.
 */
import type { Tag } from '../model.ts';
import { isObject, readString, Violations } from './rules.ts';

const GROUP_ARN_PATTERN = /^arn:aws(-[a-z]+)?:scheduler:[a-z0-9-]+:\d{12}:schedule-group\/[0-9a-zA-Z\-_.]+$/;

/** Tags of CreateScheduleGroup / TagResource: 1-200 entries, Key 1-128 and Value 0-256 characters. */
export function validateTags(value: unknown, path: string, required: boolean): Tag[] {
  const v = new Violations();
  if (value === undefined || value === null) {
    if (required) v.missing(path);
    v.throwIfAny();
    return [];
  }
  if (!Array.isArray(value)) {
    v.constraint(path, value, 'be a list of {Key, Value}');
    v.throwIfAny();
    return [];
  }
  if (value.length < (required ? 1 : 0) || value.length > 200) {
    v.constraint(path, value, `have length between ${required ? 1 : 0} and 200`);
  }
  const tags: Tag[] = [];
  value.forEach((entry: unknown, index) => {
    const at = `${path}.${index + 1}`;
    if (!isObject(entry)) {
      v.constraint(at, entry, 'be an object {Key, Value}');
      return;
    }
    const key = readString(v, entry, 'Key', `${at}.member.Key`, { required: true, max: 128 });
    const tagValue = readString(v, entry, 'Value', `${at}.member.Value`, {
      required: true,
      min: 0,
      max: 256,
    });
    if (key !== undefined && tagValue !== undefined) tags.push({ key, value: tagValue });
  });
  v.throwIfAny();
  return tags;
}

export function validateTagKeys(keys: readonly string[]): string[] {
  const v = new Violations();
  if (keys.length < 1 || keys.length > 200) v.constraint('TagKeys', keys, 'have length between 1 and 200');
  keys.forEach((key, index) => {
    readString(v, { key }, 'key', `TagKeys.${index + 1}`, { required: true, max: 128 });
  });
  v.throwIfAny();
  return [...keys];
}

/** A ResourceArn of the tag operations; only schedule groups carry tags in EventBridge Scheduler. */
export function validateGroupArn(value: string): string {
  const v = new Violations();
  readString(v, { value }, 'value', 'ResourceArn', { required: true, max: 1011, pattern: GROUP_ARN_PATTERN });
  v.throwIfAny();
  return value;
}
