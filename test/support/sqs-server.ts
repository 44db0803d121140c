/**
 * A small SQS for tests: the operations `tickwork dead-letters` sends, answered in the protocol the
 * pinned @aws-sdk/client-sqs speaks (AWS JSON 1.0: `POST /`, `X-Amz-Target: AmazonSQS.<Operation>`, errors
 * with `__type` and the query-compatible `x-amzn-query-error` header), so the unmodified client talks to it
 * over HTTP. Visibility is modelled without a clock: a received message stays hidden until it is made
 * visible again (ChangeMessageVisibility 0) or deleted, which is what the tests check.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StoredMessage {
  readonly id: string;
  readonly body: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly sentTimestamp: number;
  /** The handle of the last receive; only it works. */
  handle?: string;
  hidden: boolean;
  receives: number;
}

export interface FakeSqs {
  readonly endpoint: string;
  /** Queue name to its messages. */
  readonly queues: Map<string, StoredMessage[]>;
  /** Every request: its operation and the access key id that signed it. */
  readonly requests: { operation: string; accessKeyId: string | undefined }[];
  queueUrl(name: string): string;
  add(
    queue: string,
    body: string,
    attributes?: Record<string, string>,
    sentTimestamp?: number,
  ): StoredMessage;
  close(): Promise<void>;
}

class SqsFault extends Error {
  constructor(
    readonly type: string,
    readonly queryCode: string,
    message: string,
  ) {
    super(message);
    this.name = 'SqsFault';
  }
}

function md5(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startFakeSqs(): Promise<FakeSqs> {
  const queues = new Map<string, StoredMessage[]>();
  const requests: FakeSqs['requests'] = [];
  let endpoint = '';
  const queueOf = (url: unknown): StoredMessage[] => {
    const name = typeof url === 'string' ? url.split('/').at(-1) : undefined;
    const queue = name === undefined ? undefined : queues.get(name);
    if (queue === undefined) {
      throw new SqsFault(
        'QueueDoesNotExist',
        'AWS.SimpleQueueService.NonExistentQueue',
        'The specified queue does not exist.',
      );
    }
    return queue;
  };
  const operations: Record<string, (input: Record<string, unknown>) => unknown> = {
    ListQueues: (input) => ({
      QueueUrls: [...queues.keys()]
        .filter((name) => name.startsWith(String(input.QueueNamePrefix ?? '')))
        .map((name) => `${endpoint}/000000000000/${name}`),
    }),
    GetQueueUrl: (input) => {
      queueOf(`/${String(input.QueueName)}`);
      return { QueueUrl: `${endpoint}/000000000000/${String(input.QueueName)}` };
    },
    ReceiveMessage: (input) => {
      const max = Number(input.MaxNumberOfMessages ?? 1);
      const visible = queueOf(input.QueueUrl)
        .filter((message) => !message.hidden)
        .slice(0, max);
      return {
        Messages: visible.map((message) => {
          message.hidden = Number(input.VisibilityTimeout ?? 30) > 0;
          message.receives++;
          message.handle = randomUUID();
          return {
            MessageId: message.id,
            ReceiptHandle: message.handle,
            MD5OfBody: md5(message.body),
            Body: message.body,
            Attributes: {
              SentTimestamp: String(message.sentTimestamp),
              ApproximateReceiveCount: String(message.receives),
            },
            MessageAttributes: Object.fromEntries(
              Object.entries(message.attributes).map(([name, value]) => [
                name,
                { StringValue: value, DataType: /^\d+$/.test(value) ? 'Number' : 'String' },
              ]),
            ),
          };
        }),
      };
    },
    ChangeMessageVisibilityBatch: (input) => {
      const queue = queueOf(input.QueueUrl);
      const entries = (input.Entries ?? []) as {
        Id: string;
        ReceiptHandle: string;
        VisibilityTimeout: number;
      }[];
      for (const entry of entries) {
        const message = queue.find((each) => each.handle === entry.ReceiptHandle);
        if (message !== undefined) message.hidden = entry.VisibilityTimeout > 0;
      }
      return { Successful: entries.map((entry) => ({ Id: entry.Id })), Failed: [] };
    },
    DeleteMessage: (input) => {
      const queue = queueOf(input.QueueUrl);
      const index = queue.findIndex((each) => each.handle === input.ReceiptHandle);
      if (index >= 0) queue.splice(index, 1);
      return {};
    },
  };
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    void (async () => {
      const target = String(request.headers['x-amz-target'] ?? '');
      const operation = target.replace(/^AmazonSQS\./, '');
      const accessKeyId = /Credential=([^/]+)\//.exec(String(request.headers.authorization ?? ''))?.[1];
      requests.push({ operation, accessKeyId });
      const body = await readBody(request);
      try {
        const handler = operations[operation];
        if (handler === undefined)
          throw new SqsFault('InvalidAction', 'InvalidAction', `${operation} is not served here`);
        const answer = handler(body === '' ? {} : (JSON.parse(body) as Record<string, unknown>));
        response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
        response.end(JSON.stringify(answer));
      } catch (error) {
        const fault =
          error instanceof SqsFault ? error : new SqsFault('InternalError', 'InternalError', String(error));
        response.writeHead(400, {
          'content-type': 'application/x-amz-json-1.0',
          'x-amzn-query-error': `${fault.queryCode};Sender`,
        });
        response.end(JSON.stringify({ __type: `com.amazonaws.sqs#${fault.type}`, message: fault.message }));
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    queues,
    requests,
    queueUrl: (name) => `${endpoint}/000000000000/${name}`,
    add(queue, body, attributes = {}, sentTimestamp = Date.parse('2026-01-31T10:00:00Z')) {
      const message: StoredMessage = {
        id: randomUUID(),
        body,
        attributes,
        sentTimestamp,
        hidden: false,
        receives: 0,
      };
      queues.set(queue, [...(queues.get(queue) ?? []), message]);
      return message;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
