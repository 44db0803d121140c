/** The `metrics` capability: CloudWatch GetMetricData (the endpoint from `AWS_ENDPOINT_URL_CLOUDWATCH` when set). */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchMetricData } from '../../../shared/adapters/cloudwatch/metric-data.ts';
import type { CapabilityProvider } from './provider.ts';

export const metrics: CapabilityProvider<'metrics'> = () =>
  new CloudWatchMetricData(new CloudWatchClient({}));
