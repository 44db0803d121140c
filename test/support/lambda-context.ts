/** A Lambda context as the nodejs24.x runtime passes it, for handler wrappers that read it (Powertools). */
import type { Context } from 'aws-lambda';

export function lambdaContext(awsRequestId: string, functionName = 'tickwork-test-prompt'): Context {
  const unsupported = () => {
    throw new Error('callback-style completion is not supported by nodejs24.x');
  };
  return {
    awsRequestId,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '256',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/03/01/[$LATEST]0123456789abcdef',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 60_000,
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}
