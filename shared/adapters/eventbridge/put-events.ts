/**
 * EventBuses on EventBridge: one `PutEvents` call with one entry. The service answers 200 even when it
 * refused the entry (`FailedEntryCount` > 0, the entry's `ErrorCode` and `ErrorMessage`), so a refusal
 * is a result, not an exception; a failed call (throttled, access denied, no such bus) throws the SDK's
 * error, whose name the run records. Locally the same client reaches the stack's EventBridge endpoint
 * through AWS_ENDPOINT_URL_EVENTBRIDGE.
 */
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { BusEvent, EventBuses, PutEventOptions, PutEventResult } from '../../kinds/targets.ts';

/** An event bus that took no answer in time: the event may or may not be on the bus. */
export class EventBusTimeoutError extends Error {
  constructor(eventBusName: string, timeoutMs: number, options?: ErrorOptions) {
    super(`event bus ${eventBusName}: no answer to PutEvents within ${timeoutMs / 1000} s`, options);
    this.name = 'EventBusTimeoutError';
  }
}

export class EventBridgeBuses implements EventBuses {
  constructor(private readonly client: EventBridgeClient) {}

  async put(event: BusEvent, options: PutEventOptions): Promise<PutEventResult> {
    const timeout = AbortSignal.timeout(options.timeoutMs);
    let entries: readonly { EventId?: string; ErrorCode?: string; ErrorMessage?: string }[];
    try {
      const output = await this.client.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: event.eventBusName,
              Source: event.source,
              DetailType: event.detailType,
              Detail: event.detail,
            },
          ],
        }),
        { abortSignal: AbortSignal.any([options.signal, timeout]) },
      );
      entries = output.Entries ?? [];
    } catch (error) {
      if (options.signal.aborted) throw options.signal.reason;
      if (timeout.aborted)
        throw new EventBusTimeoutError(event.eventBusName, options.timeoutMs, { cause: error });
      throw error;
    }
    const entry = entries[0];
    if (entry?.ErrorCode !== undefined) {
      return { kind: 'failed', errorCode: entry.ErrorCode, errorMessage: entry.ErrorMessage ?? '' };
    }
    if (entry?.EventId === undefined) {
      // Not what the service answers: one result entry per request entry, an EventId or an ErrorCode.
      return {
        kind: 'failed',
        errorCode: 'MissingResultEntry',
        errorMessage: 'PutEvents answered without an EventId or an ErrorCode for the entry',
      };
    }
    return { kind: 'put', eventId: entry.EventId };
  }
}
