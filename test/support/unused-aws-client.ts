/**
 * The client config for an AWS capability a test or bench wires but never calls (the telemetry kind's
 * CloudWatch clients under an http source, calibration's Bedrock and Lambda under an openai-compatible
 * provider): the real adapter on a closed loopback port with dummy keys, so a call it should not make
 * fails at once instead of reaching AWS.
 */
export const UNUSED_AWS_CLIENT = {
  region: 'us-east-1',
  endpoint: 'http://127.0.0.1:9',
  credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' },
  maxAttempts: 1,
} as const;
