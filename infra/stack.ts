import { CfnOutput, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { FargateGate, SCAN_DEADLINE_MARGIN_MINUTES, type FargateGateProps } from './fargate-gate';
import { pauseHookMinimumTimeoutMinutes } from './pause-hook-timeout';

export interface FargateGateStackProps extends StackProps {
  readonly gate?: FargateGateProps;
  /** An existing SNS topic (by ARN) for verdict notifications and alarms; its policy must let EventBridge publish. */
  readonly notificationTopicArn?: string;
}

/** The deployable app's stack: one FargateGate and the outputs a service team needs to attach the hook. */
export class FargateGateStack extends Stack {
  readonly gate: FargateGate;

  constructor(scope: Construct, id: string, props: FargateGateStackProps = {}) {
    super(scope, id, { description: 'fargate-gate: scan every Fargate image digest once, judge it against a policy, stop or roll back what fails', ...props });
    if (props.notificationTopicArn && props.gate?.notificationTopic) {
      throw new Error('notificationTopicArn and gate.notificationTopic exclude each other: give the existing topic once');
    }
    const notificationTopic = props.notificationTopicArn ? sns.Topic.fromTopicArn(this, 'NotificationTopic', props.notificationTopicArn) : undefined;
    this.gate = new FargateGate(this, 'Gate', { ...props.gate, notificationTopic: props.gate?.notificationTopic ?? notificationTopic });

    if (this.gate.hookFunction && this.gate.hookInvokeRole) {
      new CfnOutput(this, 'HookFunctionArn', {
        description: 'lifecycleHooks[].hookTargetArn for ECS services (PRE_SCALE_UP)',
        value: this.gate.hookFunction.functionArn,
      });
      new CfnOutput(this, 'HookInvokeRoleArn', {
        description: 'lifecycleHooks[].roleArn: the role ECS assumes to invoke the hook',
        value: this.gate.hookInvokeRole.roleArn,
      });
    }
    // docs/deploy.md "Attach to a rolling service": a PAUSE hook's timeoutInMinutes must exceed this.
    new CfnOutput(this, 'PauseHookMinimumTimeoutMinutes', {
      description: 'lifecycleHooks[].timeoutConfiguration.timeoutInMinutes of a PAUSE hook must exceed this: the scan deadline, plus the EC2 fallback deadline when there is one, plus one sweep interval',
      value: String(pauseHookMinimumTimeoutMinutes(this.gate.settings, SCAN_DEADLINE_MARGIN_MINUTES)),
    });
    new CfnOutput(this, 'ReportGroupArn', { description: 'CodeBuild report group with one test report per scan', value: this.gate.reportGroup.reportGroupArn });
    new CfnOutput(this, 'ReportBucketName', { description: 'Raw scan reports (reports/) and exported test reports (junit/)', value: this.gate.reportBucket.bucketName });
    new CfnOutput(this, 'ScanProjectName', { description: 'CodeBuild project that runs the scans', value: this.gate.scanProject.projectName });
    new CfnOutput(this, 'StateTableName', { description: 'DynamoDB table of verdicts, scans and waiting tasks', value: this.gate.table.tableName });
    if (this.gate.organisation) {
      new CfnOutput(this, 'OrganisationBusArn', { description: 'CentralEventBusArn of the member StackSet', value: this.gate.organisation.bus.eventBusArn });
      new CfnOutput(this, 'MemberTrustedRoleArns', { description: 'CentralRoleArns of the member StackSet', value: Fn.join(',', this.gate.organisation.memberRoleAssumerArns) });
    }
    new CfnOutput(this, 'PolicyHash', { description: `sha256 of the deployed policy "${this.gate.policy.name}"`, value: this.gate.policy.hash });
  }
}
