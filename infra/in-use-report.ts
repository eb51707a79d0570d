import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, type IConstruct } from 'constructs';
import { DEFAULT_EXCEPTION_WINDOW_DAYS, isExceptionWindowDays } from '../functions/core/posture/expiring-exceptions';
import { IN_USE_REPORT_PREFIX } from '../functions/handlers/posture/in-use-report';
import { grantWithReasons } from './nag-suppressions';

/** The scheduled in-use report (FargateGateProps.inUseReport). */
export interface InUseReportSettings {
  /** Write the report to the reports bucket on a schedule. @default true */
  readonly enabled?: boolean;
  /** How often, in whole hours. @default 24 hours */
  readonly interval?: Duration;
  /**
   * Days ahead an exception counts as expiring soon: in the report, and in the posture sweep's notices (one setting,
   * `GATE_EXCEPTION_WINDOW_DAYS` on every function, whether or not the report is enabled). @default 14
   */
  readonly exceptionWindowDays?: number;
}

export const DEFAULT_IN_USE_REPORT_INTERVAL = Duration.hours(24);
export const DEFAULT_IN_USE_EXCEPTION_WINDOW_DAYS = DEFAULT_EXCEPTION_WINDOW_DAYS;

export interface ResolvedInUseReportSettings {
  enabled: boolean;
  interval: Duration;
  exceptionWindowDays: number;
}

/** Defaults filled in and bounds checked at synth, with the prop named. */
export function resolveInUseReportSettings(settings: InUseReportSettings = {}): ResolvedInUseReportSettings {
  const interval = settings.interval ?? DEFAULT_IN_USE_REPORT_INTERVAL;
  const hours = interval.toHours({ integral: false });
  if (!Number.isInteger(hours) || hours < 1 || hours > 24 * 7) throw new Error(`inUseReport.interval must be whole hours from 1 to 168, got ${interval.toHumanString()}`);
  const window = settings.exceptionWindowDays ?? DEFAULT_IN_USE_EXCEPTION_WINDOW_DAYS;
  if (!isExceptionWindowDays(window)) throw new Error(`inUseReport.exceptionWindowDays must be whole days from 0 to 366, got ${window}`);
  return { enabled: settings.enabled ?? true, interval, exceptionWindowDays: window };
}

export interface InUseReportProps {
  /** The report function (created like the gate's other functions, with their environment). */
  readonly fn: IFunction & IConstruct;
  readonly reportBucket: s3.Bucket;
  readonly tableArn: string;
  /** The table's indexes the inventory queries (its sparse index of open task uses). */
  readonly indexNames: readonly string[];
  readonly interval: Duration;
  /** Where a schedule invocation that could not be delivered ends up. */
  readonly deadLetterQueue: sqs.IQueue;
  /** How long reports are kept (the bucket's lifecycle rule for the prefix). */
  readonly retention: Duration;
}

const RULE_RETRY_ATTEMPTS = 8;
const RULE_MAX_EVENT_AGE = Duration.hours(1);

/**
 * The scheduled in-use report: an EventBridge schedule invokes the report function, which reads the inventory and the
 * verdicts (DynamoDB reads only) and writes JSON, CSV and HTML under `in-use/` in the reports bucket (PutObject on that
 * prefix only: it cannot touch the raw reports the verdicts rest on). The prefix expires with the other reports.
 */
export class InUseReport extends Construct {
  readonly schedule: events.Rule;

  constructor(scope: Construct, id: string, props: InUseReportProps) {
    super(scope, id);
    grantWithReasons(props.fn, [
      {
        statement: new iam.PolicyStatement({
          sid: 'WriteInUseReports',
          actions: ['s3:PutObject'],
          resources: [props.reportBucket.arnForObjects(`${IN_USE_REPORT_PREFIX}*`)],
        }),
        wildcardReason: `One folder per day (${IN_USE_REPORT_PREFIX}<date>/) and ${IN_USE_REPORT_PREFIX}latest/: keys are dated at run time; writes are limited to the ${IN_USE_REPORT_PREFIX} prefix of the gate's own bucket.`,
      },
      {
        statement: new iam.PolicyStatement({
          sid: 'ReadInventoryAndVerdicts',
          actions: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
          resources: [props.tableArn, ...props.indexNames.map((name) => `${props.tableArn}/index/${name}`)],
        }),
      },
    ]);
    props.reportBucket.addLifecycleRule({ id: 'expire-in-use-reports', prefix: IN_USE_REPORT_PREFIX, expiration: props.retention, noncurrentVersionExpiration: Duration.days(30) });
    this.schedule = new events.Rule(this, 'Schedule', {
      description: `fargate-gate: the in-use report (images running now, their decision, expiring exceptions), every ${props.interval.toHumanString()}`,
      schedule: events.Schedule.rate(props.interval),
      targets: [new targets.LambdaFunction(props.fn, { deadLetterQueue: props.deadLetterQueue, retryAttempts: RULE_RETRY_ATTEMPTS, maxEventAge: RULE_MAX_EVENT_AGE })],
    });
  }
}
