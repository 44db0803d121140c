/**
 * The alerts' dependencies for a function that records health changes (every job function, the
 * sweeper): the topic from TICKWORK_ALERTS_TOPIC_ARN (read once, at cold start; unset locally, where
 * there is no SNS and only the webhooks are sent), the jobs table's alert records, the webhook through
 * the outbound guard, the signing secret through the secrets capability.
 */
import { SNSClient } from '@aws-sdk/client-sns';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoAlertStore } from '../../shared/adapters/dynamodb/alert-store.ts';
import { DynamoJobStore } from '../../shared/adapters/dynamodb/job-store.ts';
import { SnsAlertTopic } from '../../shared/adapters/sns/alert-topic.ts';
import type { AlertsDeps } from '../../shared/alerts/alerts.ts';
import { loadAlertsConfig } from '../../shared/config.ts';
import type { Logger } from '../../shared/logger.ts';
import { http } from './capabilities/http.ts';
import type { ProviderContext } from './capabilities/provider.ts';
import { secrets } from './capabilities/secrets.ts';

export interface AlertsRootContext extends ProviderContext {
  readonly doc: DynamoDBDocumentClient;
  readonly log: Logger;
}

export function createAlertsDeps(context: AlertsRootContext): AlertsDeps {
  const { env, config, clock, doc, log } = context;
  const { topicArn } = loadAlertsConfig(env);
  return {
    store: new DynamoAlertStore(doc, config.jobsTable),
    jobs: new DynamoJobStore(doc, config.jobsTable, clock),
    ...(topicArn === undefined ? {} : { topic: new SnsAlertTopic(new SNSClient({}), topicArn) }),
    http: http(context),
    secrets: secrets(context),
    clock,
    log: log.child({ component: 'alerts' }),
  };
}
