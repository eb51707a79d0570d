import type { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as codebuild from 'aws-cdk-lib/aws-codebuild';

/** The gate's own count of scans that ended in error (functions/handlers/scans/completion.ts), by its one dimension. */
export const SCAN_ERRORS_METRIC = { metricName: 'ScansFinished', dimensionsMap: { outcome: 'error' } } as const;

export interface ScanFailuresAlarmProps {
  scanProject: codebuild.IProject;
  /** The EC2 fallback project of a scan project on Lambda compute, when the stack has one. */
  ec2FallbackScanProject?: codebuild.IProject;
  /** Where the gate functions write their metrics (EMF, functions/handlers/metrics-emf.ts: no default dimensions). */
  metricsNamespace: string;
  period: Duration;
}

/**
 * What `ScanFailuresAlarm` watches, and what it says.
 *
 * Without a fallback project, the scan project's `FailedBuilds`: a build that failed is a scan that failed.
 *
 * With one (the scan project on Lambda compute), `FailedBuilds` also counts every build that timed out or ran out of
 * memory or disk on Lambda compute ("builds that failed because of client error or because of a timeout", CodeBuild
 * CloudWatch metrics, https://docs.aws.amazon.com/codebuild/latest/userguide/cloudwatch_metrics-codebuild.html), although
 * the gate then retries the scan on EC2 and usually gets a verdict: an alarm on it would fire for every such move.
 * The gate's own `ScansFinished{outcome=error}` counts instead what the alarm means, a scan that ended in error
 * (onScanError decides), wherever it ran; a scan that moved to EC2 is counted once, when the retry ends. (Metric math
 * `FailedBuilds - ScanComputeFallbacks` would tie the alarm to the dimensions of `ScanComputeFallbacks`, and would
 * miss errors that are not failed builds: a deadline passed, a start refused for good, a report that cannot be read.)
 */
export function scanFailuresAlarmSpec(props: ScanFailuresAlarmProps): { description: string; metric: cloudwatch.IMetric } {
  if (!props.ec2FallbackScanProject) {
    return {
      description: 'fargate-gate: a scan build FAILED (the image could not be scanned; the policy onScanError decides). A policy failure is not a build failure.',
      metric: props.scanProject.metricFailedBuilds({ period: props.period, statistic: cloudwatch.Stats.SUM }),
    };
  }
  return {
    description:
      'fargate-gate: a scan ended in error (the image could not be scanned, on Lambda compute or on its EC2 retry; the policy onScanError decides). ' +
      'A scan that outgrew Lambda compute and moved to EC2 is not an error (ScanComputeFallbacks counts those); a policy failure is not one either.',
    metric: new cloudwatch.Metric({ namespace: props.metricsNamespace, ...SCAN_ERRORS_METRIC, period: props.period, statistic: cloudwatch.Stats.SUM }),
  };
}
