import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as codebuild from 'aws-cdk-lib/aws-codebuild';

/**
 * Longest a scan build may wait in CodeBuild's queue before `ScanBuildsQueuedAlarm` fires: 5 minutes, as long as a
 * whole scan takes on Lambda compute (bench Part E). With `scanCompute.lambdaConcurrency` equal to the account's quota
 * and the quota the gate's alone, a Lambda-compute scan queues only when the EC2 fallback refuses too (the gate then
 * counts it: functions/core/gate/lambda-overflow.ts). A queued build otherwise says the setting is above the quota, or
 * another project on the same compute type uses the quota (CodeBuild queues past the quota, it does not refuse:
 * https://docs.aws.amazon.com/codebuild/latest/userguide/builds-working.html); on the EC2 fallback it says the EC2
 * quota is too low for the overflow.
 */
export const SCAN_QUEUED_ALARM_THRESHOLD = Duration.minutes(5);

/**
 * The alarm's metric: the longest QUEUED phase of a build of any scan project, from CodeBuild's `QueuedDuration`
 * ("Measures the duration of the build's QUEUED phase. Units: Seconds", per project: CodeBuild CloudWatch metrics,
 * https://docs.aws.amazon.com/codebuild/latest/userguide/cloudwatch_metrics-codebuild.html). CodeBuild publishes it
 * when the phase ends, so the alarm fires when a queued build starts (or leaves the queue at its queued timeout).
 */
export function scanQueuedAlarmSpec(projects: readonly codebuild.IProject[], period: Duration): { description: string; metric: cloudwatch.IMetric; thresholdSeconds: number } {
  if (projects.length === 0) throw new Error('scanQueuedAlarmSpec: no scan project');
  const queued = (project: codebuild.IProject) => project.metric('QueuedDuration', { period, statistic: cloudwatch.Stats.MAXIMUM });
  const metric =
    projects.length === 1
      ? queued(projects[0])
      : new cloudwatch.MathExpression({
          // MAX of an array: the larger value at each point (CloudWatch metric math functions).
          expression: `MAX([${projects.map((_, index) => `q${index}`).join(', ')}])`,
          usingMetrics: Object.fromEntries(projects.map((project, index) => [`q${index}`, queued(project)])),
          period,
          label: 'longest QUEUED phase of a scan build (s)',
        });
  return {
    description:
      `fargate-gate: a scan build waited more than ${SCAN_QUEUED_ALARM_THRESHOLD.toMinutes()} minutes in CodeBuild's queue. On the Lambda-compute scan project: ` +
      'either scanCompute.lambdaConcurrency is set above the account\'s quota for its compute type (raise the quota, or lower the setting to it), ' +
      'or another project on the same compute type uses that quota and makes the gate\'s builds queue (give the gate its own quota headroom, or lower the setting by what the other project runs); ' +
      'it also happens while the EC2 fallback is full and scans wait for Lambda compute. ' +
      'On the EC2 fallback project: raise the quota of its EC2 compute type.',
    metric,
    thresholdSeconds: SCAN_QUEUED_ALARM_THRESHOLD.toSeconds(),
  };
}
