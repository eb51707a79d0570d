import { Duration, Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import { SCAN_QUEUED_ALARM_THRESHOLD, scanQueuedAlarmSpec } from '../../infra/scan-queue-alarm';
import { synthGate } from '../support/gate-stack';

type Alarm = { Properties: Record<string, any> };

function queuedAlarm(props: Parameters<typeof synthGate>[0]): Record<string, any> {
  const { template } = synthGate(props);
  const found = Object.entries(template.findResources('AWS::CloudWatch::Alarm') as Record<string, Alarm>).filter(([id]) => id.startsWith('GateScanBuildsQueuedAlarm'));
  expect(found).toHaveLength(1);
  return found[0][1].Properties;
}

describe('ScanBuildsQueuedAlarm', () => {
  it('on Lambda compute with the EC2 fallback, fires when a build of either project waited 5 minutes or more in the queue (QueuedDuration, Maximum)', () => {
    const alarm = queuedAlarm({ scanCompute: { mode: 'lambda' } });
    expect(alarm.Threshold).toBe(300);
    expect(alarm.ComparisonOperator).toBe('GreaterThanOrEqualToThreshold');
    const [expression, ...queued] = alarm.Metrics as { Id: string; Expression?: string; MetricStat?: { Metric: { MetricName: string; Namespace: string }; Stat: string } }[];
    expect(expression.Expression).toBe('MAX([q0, q1])');
    expect(queued.map((m) => [m.Id, m.MetricStat?.Metric.Namespace, m.MetricStat?.Metric.MetricName, m.MetricStat?.Stat])).toEqual([
      ['q0', 'AWS/CodeBuild', 'QueuedDuration', 'Maximum'],
      ['q1', 'AWS/CodeBuild', 'QueuedDuration', 'Maximum'],
    ]);
    expect(alarm.AlarmDescription).toContain('scanCompute.lambdaConcurrency');
  });

  it('on EC2 compute, watches the scan project alone', () => {
    const alarm = queuedAlarm({ scanCompute: { mode: 'ec2' } });
    expect(alarm).toMatchObject({ Namespace: 'AWS/CodeBuild', MetricName: 'QueuedDuration', Statistic: 'Maximum', Threshold: SCAN_QUEUED_ALARM_THRESHOLD.toSeconds() });
  });

  it("names the real causes of a queued Lambda build: the setting above the quota, and another project using the same compute type's quota", () => {
    const project = codebuild.Project.fromProjectName(new Stack(), 'P', 'p');
    const { description } = scanQueuedAlarmSpec([project], Duration.minutes(5));
    expect(description).toContain("scanCompute.lambdaConcurrency is set above the account's quota for its compute type");
    expect(description).toContain("another project on the same compute type uses that quota and makes the gate's builds queue");
    expect(description).toContain('while the EC2 fallback is full');
  });

  it('refuses to build an alarm on no project', () => {
    expect(() => scanQueuedAlarmSpec([], Duration.minutes(5))).toThrow(/no scan project/);
    const project = codebuild.Project.fromProjectName(new Stack(), 'P', 'p');
    expect(scanQueuedAlarmSpec([project], Duration.minutes(5)).thresholdSeconds).toBe(300);
  });
});
