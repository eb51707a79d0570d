import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as codebuild from 'aws-cdk-lib/aws-codebuild';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/**
 * One series of the gate's own metrics (the functions' EMF lines, functions/handlers/metrics-emf.ts). `dimension` names
 * the one dimension the code emits the metric with (`TaskDecisions` by `decision`): a CloudWatch metric is one name and
 * one set of dimensions, so such a metric is drawn with a SEARCH expression, one line per value that occurred.
 */
export interface GateSeries {
  metric: string;
  dimension?: string;
  statistic: 'Sum' | 'Maximum' | 'p50' | 'p90' | 'p99';
  label: string;
}

interface GraphSpec {
  title: string;
  series: GateSeries[];
  /** Left axis label. */
  unit: string;
}

const PERIOD = Duration.minutes(5);

/**
 * What the dashboard shows, top to bottom. Metric names are the ones the handlers emit (`metrics.count(...)`,
 * `metrics.timing(...)`); test/infra/dashboard.test.ts reads the synthesised dashboard and checks every name and
 * dimension against the source, so a renamed metric cannot leave an empty graph behind.
 */
export const DASHBOARD_GRAPHS: readonly GraphSpec[] = [
  {
    title: 'Scans',
    unit: 'scans',
    series: [
      // One line per compute: scanProject, ec2Fallback (the fallback's causes are ScanComputeFallbacks' below).
      { metric: 'ScansStarted', dimension: 'compute', statistic: 'Sum', label: 'started' },
      { metric: 'ScansQueued', statistic: 'Sum', label: 'queued (CodeBuild full)' },
      // One line per cause: timed-out and failed-phase (outgrew Lambda compute), size (started on EC2 for the image's size),
      // lambda-full and lambda-refused (Lambda compute was full: functions/core/gate/lambda-overflow.ts).
      { metric: 'ScanComputeFallbacks', dimension: 'cause', statistic: 'Sum', label: 'on EC2 fallback' },
      { metric: 'ScansFinished', dimension: 'outcome', statistic: 'Sum', label: 'finished' },
      { metric: 'Rescans', statistic: 'Sum', label: 'rescans' },
    ],
  },
  {
    title: 'Verdicts by decision',
    unit: 'decisions',
    series: [
      { metric: 'TaskDecisions', dimension: 'decision', statistic: 'Sum', label: 'tasks' },
      { metric: 'HookDecisions', dimension: 'decision', statistic: 'Sum', label: 'deployments (hook)' },
    ],
  },
  {
    title: 'Enforcement actions',
    unit: 'actions',
    series: [{ metric: 'EnforcementActions', dimension: 'action', statistic: 'Sum', label: 'actions' }],
  },
  {
    title: 'Images in use (scheduled report)',
    unit: 'images',
    series: [
      { metric: 'ImagesInUseFailing', statistic: 'Maximum', label: 'failing (fail or error)' },
      { metric: 'ImagesInUse', statistic: 'Maximum', label: 'in use' },
    ],
  },
  {
    title: 'Drift: running images that turned failing',
    unit: 'findings',
    series: [
      { metric: 'DriftFindingsOpened', statistic: 'Sum', label: 'drifted findings opened' },
      { metric: 'FindingEvents', dimension: 'state', statistic: 'Sum', label: 'finding events' },
      { metric: 'Rejudgements', dimension: 'kind', statistic: 'Sum', label: 're-judgements (sbom or image scan)' },
      { metric: 'ExceptionsExpiringSoon', statistic: 'Maximum', label: 'exceptions expiring soon' },
    ],
  },
  {
    title: 'Time to verdict',
    unit: 'ms',
    series: [
      { metric: 'DecisionLatency', dimension: 'decision', statistic: 'p90', label: 'task start to decision, p90' },
      { metric: 'ScanDuration', statistic: 'p90', label: 'scan, p90' },
      { metric: 'ScanDuration', statistic: 'Maximum', label: 'scan, max' },
    ],
  },
  {
    title: 'Gate errors',
    unit: 'errors',
    series: [
      { metric: 'GateErrors', dimension: 'failure', statistic: 'Sum', label: 'errors' },
      { metric: 'VerdictEventsLost', statistic: 'Sum', label: 'verdict events lost' },
      { metric: 'FindingEventsLost', statistic: 'Sum', label: 'finding events lost' },
    ],
  },
];

export interface GateDashboardProps {
  metricsNamespace: string;
  /** The dead-letter queues whose depth is graphed (function failures, undeliverable events). */
  deadLetterQueues: readonly sqs.IQueue[];
  /** The scan projects (Lambda compute and its EC2 fallback, or EC2 alone) whose longest QUEUED phase is graphed. */
  scanProjects?: readonly codebuild.IProject[];
}

/**
 * The gate's CloudWatch dashboard: scans, verdicts by decision, enforcement actions, images in use that fail, drift,
 * time to verdict, errors, and the depth of the dead-letter queues (a message there is an event the gate never handled).
 */
export class GateDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: GateDashboardProps) {
    super(scope, id);
    // The stack name keeps two gates in one account and region apart (names are unique per account).
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `${Stack.of(this).stackName}-fargate-gate`,
      defaultInterval: Duration.days(1),
    });
    const graphs: cloudwatch.IWidget[] = DASHBOARD_GRAPHS.map((graph) =>
      graphWidget(graph.title, graph.unit, graph.series.map((series) => gateMetric(props.metricsNamespace, series))),
    );
    graphs.push(
      graphWidget(
        'Dead-letter queue depth',
        'messages',
        props.deadLetterQueues.map((queue) => queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: cloudwatch.Stats.MAXIMUM })),
      ),
    );
    if (props.scanProjects && props.scanProjects.length > 0) {
      // CodeBuild's QueuedDuration (cloudwatch_metrics-codebuild.html): a Lambda-compute build queues when
      // scanCompute.lambdaConcurrency is above the quota, another project uses the same compute type's quota, or the EC2
      // fallback is full too (ScanBuildsQueuedAlarm, infra/scan-queue-alarm.ts).
      graphs.push(
        graphWidget(
          'Scan builds queued in CodeBuild (longest QUEUED phase)',
          'seconds',
          props.scanProjects.map((project) => project.metric('QueuedDuration', { period: PERIOD, statistic: cloudwatch.Stats.MAXIMUM, label: project.node.id })),
        ),
      );
    }
    for (let i = 0; i < graphs.length; i += 2) this.dashboard.addWidgets(...graphs.slice(i, i + 2));
  }
}

/** Every graph of the dashboard: half the width (two a row), its left axis from 0 and labelled with `unit`, not CloudWatch's. */
function graphWidget(title: string, unit: string, left: cloudwatch.IMetric[]): cloudwatch.GraphWidget {
  return new cloudwatch.GraphWidget({ title, width: 12, height: 6, leftYAxis: { label: unit, showUnits: false, min: 0 }, left });
}

/**
 * A metric without dimensions is one CloudWatch metric; one emitted with a dimension is a metric per value, found with
 * SEARCH (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/search-expression-syntax.html):
 * `{Namespace,dimension} MetricName="Name"` matches exactly that dimension set.
 */
function gateMetric(namespace: string, series: GateSeries): cloudwatch.IMetric {
  if (series.dimension === undefined) {
    return new cloudwatch.Metric({ namespace, metricName: series.metric, statistic: series.statistic, period: PERIOD, label: series.label });
  }
  return new cloudwatch.MathExpression({
    expression: `SEARCH('{${namespace},${series.dimension}} MetricName="${series.metric}"', '${series.statistic}', ${PERIOD.toSeconds()})`,
    label: series.label,
    period: PERIOD,
  });
}
