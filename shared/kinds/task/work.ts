/**
 * The `task` kind's work: build the run's TaskEvent and hand it to the target, right after the run's
 * point of no return (a cancel accepted before it stops the run; the target may act on the call
 * whatever happens next). What the target answers is the run's result; how it fails is the run's error.
 */
import type { KindRunContext, KindWork } from '../kind.ts';
import type { taskKind } from './definition.ts';
import type { TaskEvent } from './event.ts';
import { callEventBus, callFunction, callHttp } from './targets.ts';

type TaskRunContext = KindRunContext<typeof taskKind>;

export const taskWork: KindWork<typeof taskKind> = async (context) => {
  const event = taskEvent(context);
  const { target } = context.config;
  switch (target.type) {
    case 'lambda':
      return callFunction(context, target, event);
    case 'http':
      return callHttp(context, target, event);
    case 'eventbridge':
      return callEventBus(context, target, event);
  }
};

/**
 * The event of this run. The payload is the job's, then a fan-out child's context over it, then a manual
 * run's `params.payload` over that, key by key: the most specific word wins.
 */
export function taskEvent({ job, run, config, params }: TaskRunContext): TaskEvent {
  return {
    job: job.name,
    runId: run.runId,
    scheduledFor: run.scheduledFor,
    attempt: run.attempt,
    trigger: run.trigger,
    params: run.params ?? {},
    payload: { ...config.payload, ...run.context, ...params.payload },
    ...(run.upstream === undefined ? {} : { upstream: run.upstream }),
  };
}
