/**
 * The InvocationMeta the emulator hands its TargetInvoker for one attempt of a slot's event.
 */
import { randomUUID } from 'node:crypto';
import type { ScheduleRecord } from './model.ts';
import type { InvocationMeta } from './target-invoker.ts';

/** What an attempt's meta is read from: the slot's delivery (delivery.ts). */
export interface AttemptSource {
  readonly live: { readonly arn: string };
  readonly record: ScheduleRecord;
  readonly slot: number;
}

/**
 * The InvocationMeta of one attempt, read from its delivery. The execution id is drawn when first
 * read and then kept: most successful attempts never read it (neither the Lambda target nor an input
 * without `<aws.scheduler.execution-id>` does), and a UUID per fire is a visible share of a burst.
 */
export class AttemptMeta implements InvocationMeta {
  readonly attemptNumber: number;
  readonly #delivery: AttemptSource;
  #executionId: string | undefined;

  constructor(delivery: AttemptSource, attemptNumber: number) {
    this.#delivery = delivery;
    this.attemptNumber = attemptNumber;
  }

  get scheduleArn(): string {
    return this.#delivery.live.arn;
  }

  get groupName(): string {
    return this.#delivery.record.groupName;
  }

  get scheduleName(): string {
    return this.#delivery.record.name;
  }

  get roleArn(): string {
    return this.#delivery.record.target.roleArn;
  }

  get scheduledTime(): Date {
    return new Date(this.#delivery.slot);
  }

  get executionId(): string {
    this.#executionId ??= randomUUID();
    return this.#executionId;
  }
}
