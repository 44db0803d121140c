/**
 * AlertTopic on SNS: one Publish per alert to the stack's topic, the change as the message, with the
 * attributes as String message attributes so a subscription's filter policy can pick jobs or healths
 * (e.g. `{"health": ["failing"]}`). The client is created once per container by the composition root.
 */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { AlertTopic, TopicMessage } from '../../alerts/ports.ts';

export class SnsAlertTopic implements AlertTopic {
  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
  ) {}

  async publish(message: TopicMessage): Promise<void> {
    await this.client.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        Subject: message.subject,
        Message: message.body,
        MessageAttributes: Object.fromEntries(
          Object.entries(message.attributes).map(([name, value]) => [
            name,
            { DataType: 'String', StringValue: value },
          ]),
        ),
      }),
    );
  }
}
