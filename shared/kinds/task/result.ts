/**
 * A target's answer as the run's result: a JSON object as it is, any other value as `{value}`, bounded
 * so it fits the run's item (DynamoDB: 400 KB, 32 levels of nesting, no empty attribute name).
 */
import * as z from 'zod/mini';
import type { RunResult } from '../../runs/context.ts';
import { isPlainObject, problemsFromZod } from '../../validation.ts';
import { metadataField } from '../fields.ts';
import { TaskTargetError } from './errors.ts';

/** 64 KB of JSON: what a Lambda target may answer, and what is read of an HTTP target's answer. */
export const MAX_RESULT_BYTES = 64 * 1024;
/** The result sits one level down in the run item; DynamoDB stores 32. */
export const MAX_RESULT_DEPTH = 16;

const storable = z.lazy(() => metadataField({ maxDepth: MAX_RESULT_DEPTH, maxBytes: MAX_RESULT_BYTES }));

export function runResultOf(answer: unknown, target: string): RunResult {
  const result = isPlainObject(answer) ? answer : { value: answer };
  const checked = storable.safeParse(result);
  if (!checked.success) {
    const first = problemsFromZod(checked.error, { root: 'result', what: 'the result' })[0];
    throw new TaskTargetError(
      `${target} answered a result that cannot be kept with the run: ${first?.message ?? 'not storable'}`,
    );
  }
  return result;
}
