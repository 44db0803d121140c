/**
 * The deployment's alerts topic: every job's health changes are published here (shared/alerts/), and
 * the stack's CloudWatch alarms use it as their action. Subscribe people and systems to it (email,
 * chat, an incident tool); a subscription's filter policy can pick by the message attributes `job` and
 * `health`.
 *
 * Encrypted with a customer-managed KMS key, not SNS's AWS-managed one: CloudWatch alarms cannot publish
 * to a topic under `aws/sns` (its key policy cannot be changed to let cloudwatch.amazonaws.com use it),
 * and the alarms are meant to use this topic. The topic policy refuses any request not made over TLS.
 */
import { Stack } from 'aws-cdk-lib';
import { type IGrantable, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { type IKey, Key } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { alertsTopicName } from '../infra/naming.ts';
import { ENV } from '../shared/config.ts';

export interface AlertsTopicProps {
  /** The deployment stage: the topic is `tickwork-<stage>-alerts`. */
  readonly stage: string;
  /**
   * The key the topic's messages are encrypted with at rest. It must let `cloudwatch.amazonaws.com` use
   * it (kms:Decrypt, kms:GenerateDataKey*) for the alarms to publish.
   * @default a new key with yearly rotation, usable by CloudWatch of this account
   */
  readonly masterKey?: IKey;
}

/** A function that publishes alerts: its role and its environment. */
export interface AlertPublisher extends IGrantable {
  addEnvironment: LambdaFunction['addEnvironment'];
}

export class AlertsTopic extends Construct {
  readonly topic: Topic;
  readonly masterKey: IKey;

  constructor(scope: Construct, id: string, props: AlertsTopicProps) {
    super(scope, id);
    const stack = Stack.of(this);
    if (props.masterKey === undefined) {
      const key = new Key(this, 'Key', {
        description: `Encrypts the Tickwork ${props.stage} alerts topic`,
        enableKeyRotation: true,
      });
      // CloudWatch alarms of this account publish to the topic: they encrypt with the key.
      key.grant(
        new ServicePrincipal('cloudwatch.amazonaws.com', {
          conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
        }),
        'kms:Decrypt',
        'kms:GenerateDataKey*',
      );
      this.masterKey = key;
    } else {
      this.masterKey = props.masterKey;
    }
    this.topic = new Topic(this, 'Topic', {
      topicName: alertsTopicName(props.stage),
      displayName: `Tickwork ${props.stage} alerts`,
      masterKey: this.masterKey,
      enforceSSL: true,
    });
  }

  /**
   * Lets `fn` publish alerts: sns:Publish on exactly this topic (and kms:GenerateDataKey and kms:Decrypt
   * on exactly its key), and the topic's ARN in its environment, which the alerts' composition root
   * reads once at cold start.
   */
  grantAlerts(fn: AlertPublisher): void {
    // Exact actions, not grantPublish: that one names `kms:GenerateDataKey*`, and no Tickwork role has a
    // wildcard action. A publisher to an encrypted topic needs the key's data key and decrypt, on that key.
    fn.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['sns:Publish'], resources: [this.topic.topicArn] }),
    );
    this.masterKey.grant(fn, 'kms:GenerateDataKey', 'kms:Decrypt');
    fn.addEnvironment(ENV.alertsTopicArn, this.topic.topicArn);
  }
}
