/** The `eventBuses` capability: an EventBridge client, created once per container. */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { EventBridgeBuses } from '../../../shared/adapters/eventbridge/put-events.ts';
import type { CapabilityProvider } from './provider.ts';

export const eventBuses: CapabilityProvider<'eventBuses'> = () =>
  new EventBridgeBuses(new EventBridgeClient({}));
