import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Reconciler, type ReconcilerProps } from './reconciler.ts';

export interface ReconcilerStackProps extends StackProps, ReconcilerProps {}

/** The reconciler, deployed once per account and region, with its alarm topic exported for other stacks. */
export class ReconcilerStack extends Stack {
  public readonly reconciler: Reconciler;

  constructor(scope: Construct, id: string, props: ReconcilerStackProps = {}) {
    super(scope, id, {
      description:
        'vpce-target-sync: keeps opted-in ALB ip target groups equal to their VPC endpoint ENI IPs',
      ...props,
    });
    this.reconciler = new Reconciler(this, 'Reconciler', props);
    new CfnOutput(this, 'AlarmTopicArn', {
      description: 'The SNS topic the vpce-target-sync alarms notify',
      value: this.reconciler.alarmTopic.topicArn,
      exportName: `${this.stackName}-AlarmTopicArn`,
    });
    new CfnOutput(this, 'FunctionName', {
      description: 'The reconciler function (invoke it to run a full pass now)',
      value: this.reconciler.function.functionName,
    });
    new CfnOutput(this, 'DeadLetterQueueUrl', {
      description: 'Events that could not be processed',
      value: this.reconciler.deadLetterQueue.queueUrl,
    });
  }
}
