/**
 * A small SNS endpoint for testing the alerts topic through the unmodified SNS client over HTTP. SNS
 * speaks the AWS Query protocol: `POST /` with a SigV4-signed form body (`Action=Publish&Version=
 * 2010-03-31&TopicArn=...&Message=...&Subject=...&MessageAttributes.entry.N.Name=...&
 * MessageAttributes.entry.N.Value.DataType=String&MessageAttributes.entry.N.Value.StringValue=...`),
 * answered with XML: `<PublishResponse><PublishResult><MessageId>`, or an `<ErrorResponse>` with the
 * error's Type, Code and Message and the status SNS uses for it. Requests pass the same guard as the
 * local stack's listeners (signature with the test credentials).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import { createRequestGuard } from '../../local/http/guard.ts';
import { type HttpListener, listenHttp } from '../../local/http/server.ts';
import { SignatureError } from '../../local/http/sigv4.ts';
import { TEST_REGION } from './aws-json-server.ts';
import { TEST_CREDENTIALS } from './sigv4.ts';

const XMLNS = 'http://sns.amazonaws.com/doc/2010-03-31/';

/** A message the server accepted. */
export interface PublishedMessage {
  readonly messageId: string;
  readonly topicArn: string;
  readonly subject: string | undefined;
  readonly message: string;
  readonly attributes: Readonly<Record<string, { readonly dataType: string; readonly value: string }>>;
}

/** An error as SNS answers it: `Code` (e.g. `NotFound`), HTTP status, `Sender` or `Receiver`. */
export interface SnsFault {
  readonly code: string;
  readonly message: string;
  readonly status: number;
  readonly type?: 'Sender' | 'Receiver';
}

export interface SnsServer {
  readonly endpoint: string;
  /** Every message accepted, in order. */
  readonly published: PublishedMessage[];
  /** Topics that exist; a Publish to another answers NotFound (404), as SNS does. */
  readonly topics: Set<string>;
  /** The next Publish calls answer these faults, one each, in order. */
  failNext(...faults: SnsFault[]): void;
  close(): Promise<void>;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

export async function startSnsServer(topics: readonly string[]): Promise<SnsServer> {
  const guard = createRequestGuard({
    credentials: TEST_CREDENTIALS,
    region: TEST_REGION,
    service: 'sns',
    maxBodyBytes: 512 * 1024,
  });
  const published: PublishedMessage[] = [];
  const topicSet = new Set(topics);
  const faults: SnsFault[] = [];
  const answer = (response: ServerResponse, status: number, xml: string) => {
    response.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': randomUUID() });
    response.end(`<?xml version="1.0"?>\n${xml}`);
  };
  const fail = (response: ServerResponse, fault: SnsFault) =>
    answer(
      response,
      fault.status,
      `<ErrorResponse xmlns="${XMLNS}"><Error><Type>${fault.type ?? 'Sender'}</Type><Code>${escapeXml(fault.code)}</Code><Message>${escapeXml(fault.message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
    );

  const server = createServer((request, response) => {
    void (async () => {
      try {
        const form = new URLSearchParams((await guard(request)).toString('utf8'));
        if (form.get('Action') !== 'Publish') {
          return fail(response, {
            code: 'InvalidAction',
            message: `The action ${form.get('Action')} is not valid for this web service.`,
            status: 400,
          });
        }
        const fault = faults.shift();
        if (fault !== undefined) return fail(response, fault);
        const topicArn = form.get('TopicArn') ?? '';
        if (!topicSet.has(topicArn)) {
          return fail(response, { code: 'NotFound', message: 'Topic does not exist', status: 404 });
        }
        const message = form.get('Message');
        if (message === null || message === '') {
          return fail(response, {
            code: 'InvalidParameter',
            message: 'Invalid parameter: Empty message',
            status: 400,
          });
        }
        const attributes: Record<string, { dataType: string; value: string }> = {};
        for (let n = 1; form.has(`MessageAttributes.entry.${n}.Name`); n++) {
          const prefix = `MessageAttributes.entry.${n}`;
          attributes[form.get(`${prefix}.Name`) ?? ''] = {
            dataType: form.get(`${prefix}.Value.DataType`) ?? '',
            value: form.get(`${prefix}.Value.StringValue`) ?? '',
          };
        }
        const messageId = randomUUID();
        published.push({
          messageId,
          topicArn,
          subject: form.get('Subject') ?? undefined,
          message,
          attributes,
        });
        answer(
          response,
          200,
          `<PublishResponse xmlns="${XMLNS}"><PublishResult><MessageId>${messageId}</MessageId></PublishResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`,
        );
      } catch (error) {
        if (response.destroyed) return;
        if (error instanceof SignatureError) {
          fail(response, { code: error.code, message: error.message, status: 403 });
        } else {
          fail(response, { code: 'InternalError', message: String(error), status: 500, type: 'Receiver' });
        }
      }
    })();
  });
  const listener: HttpListener = await listenHttp(server, { port: 0 });
  return {
    endpoint: listener.url,
    published,
    topics: topicSet,
    failNext: (...next) => faults.push(...next),
    close: async () => {
      await listener.close(0);
    },
  };
}
