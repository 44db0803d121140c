/**
 * `tickwork/cdk`: Tickwork as a construct for a team's own CDK app, with typed jobs.
 *
 * @example
 * const tickwork = new Tickwork(stack, 'Tickwork', { stage: 'prod' });
 * tickwork.addJob('nightly-eval', {
 *   kind: 'task', schedule: 'daily', timezone: 'Europe/Berlin', target: TaskTarget.lambda(evalFn),
 * });
 */

export { TaskTarget } from '../shared/kinds/task/as-code.ts';
export { type AlertPublisher, AlertsTopic, type AlertsTopicProps } from './alerts.ts';
export { type JobOptions, type KindConfig, TickworkJobError, type TickworkJobProps } from './jobs.ts';
export { MAX_JOBS_PROPERTY_BYTES } from './jobs-resource.ts';
export { type TickworkAlarms, type TickworkProps, TickworkPropsError } from './props.ts';
export { addTables, type TickworkTables } from './tables.ts';
export { Tickwork } from './tickwork.ts';
