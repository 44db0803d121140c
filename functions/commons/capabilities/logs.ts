/** The `logs` capability: Logs Insights queries (the endpoint from `AWS_ENDPOINT_URL_CLOUDWATCH_LOGS` when set). */
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { CloudWatchLogsQueries } from '../../../shared/adapters/cloudwatch/logs-queries.ts';
import type { CapabilityProvider } from './provider.ts';

export const logs: CapabilityProvider<'logs'> = () => new CloudWatchLogsQueries(new CloudWatchLogsClient({}));
