import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, type IConstruct } from 'constructs';
import { join } from 'node:path';
import { KEV_CATALOGUE_KEY } from '../functions/adapters/s3-kev-catalogue';
import { GATE_ENV } from '../functions/handlers/environment';
import { KEV_METRICS } from '../functions/handlers/kev/refresh';
import { KEV_ENV } from '../functions/handlers/lambda/kev-refresh';
import { bundlingProject } from './bundling';
import { FUNCTION_HANDLER, functionCode } from './function-bundling';
import { REASONS, acknowledge, grantWithReasons, type ReasonedStatement } from './nag-suppressions';

/** CISA's Known Exploited Vulnerabilities feed (JSON), the default source of the catalogue. */
export const CISA_KEV_FEED_URL = 'https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json';
export const KEV_REFRESH_HANDLER_ENTRY = 'functions/handlers/lambda/kev-refresh.ts';

export interface KevCatalogueProps {
  /** The reports bucket: the catalogue is kept at KEV_CATALOGUE_KEY in it. */
  readonly bucket: s3.IBucket;
  /** Where the feed is downloaded from (https), e.g. a mirror inside an air-gapped account's reach. @default CISA's feed */
  readonly feedUrl?: string;
  /** How often it is refreshed. CISA updates the catalogue on working days. @default 1 day */
  readonly refreshInterval?: Duration;
  /** The catalogue age (since its dateReleased) at which the stale alarm fires. @default 4 days (a long weekend, and a failed run) */
  readonly alarmAfter?: Duration;
  readonly metricsNamespace: string;
  readonly logLevel: string;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  /** Dead-letter queue of the schedule's deliveries. */
  readonly deadLetterQueue: sqs.IQueue;
  /** The project to bundle from and the policy the bundling step copies (the function does not read it). */
  readonly projectRoot: string;
  readonly policyPath: string;
}

/**
 * The KEV catalogue the stack keeps current: a small function on a daily EventBridge schedule downloads the feed,
 * checks it (the `evaluate --kev` parser, a size bound, not empty, not shrunk by more than 10%, not released in the
 * future) and only then overwrites one object of the reports bucket. A stale catalogue (no refresh for `alarmAfter`,
 * or no age published at all) and a failed refresh each raise an alarm: never a silent pass.
 */
export class KevCatalogue extends Construct {
  readonly refreshFunction: lambda.Function;
  readonly schedule: events.Rule;
  readonly alarms: cloudwatch.Alarm[];
  readonly objectKey = KEV_CATALOGUE_KEY;

  constructor(scope: Construct, id: string, props: KevCatalogueProps) {
    super(scope, id);
    const feedUrl = props.feedUrl ?? CISA_KEV_FEED_URL;
    if (!/^https:\/\/[^\s]+$/i.test(feedUrl)) throw new Error(`the KEV feed URL must be an https URL, got ${JSON.stringify(feedUrl)}`);
    const alarmAfter = props.alarmAfter ?? Duration.days(4);

    const logGroup = new logs.LogGroup(this, 'RefreshLogs', { retention: props.logRetention, removalPolicy: props.removalPolicy });
    const role = new iam.Role(this, 'RefreshRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description: 'fargate-gate KEV catalogue refresh' });
    logGroup.grantWrite(role);
    this.refreshFunction = new lambda.Function(this, 'Refresh', {
      // Bundled like the gate's functions (function-bundling.ts): ES module entry and chunks, the policy beside them.
      code: functionCode({
        packageRoot: props.projectRoot,
        mountRoot: bundlingProject(props.projectRoot).projectRoot,
        entry: join(props.projectRoot, KEV_REFRESH_HANDLER_ENTRY),
        policyPath: props.policyPath,
      }),
      handler: FUNCTION_HANDLER,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.minutes(2),
      description: 'fargate-gate: refreshes the CISA KEV catalogue the gate judges knownExploited by',
      role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: {
        [KEV_ENV.feedUrl]: feedUrl,
        [KEV_ENV.catalogueKey]: KEV_CATALOGUE_KEY,
        [GATE_ENV.reportBucket]: props.bucket.bucketName,
        [GATE_ENV.metricsNamespace]: props.metricsNamespace,
        [GATE_ENV.logLevel]: props.logLevel,
      },
      retryAttempts: 0,
    });
    acknowledge(this.refreshFunction, 'AwsSolutions-L1', REASONS.nodeRuntime);
    grantWithReasons(this.refreshFunction, [readKevCatalogue(props.bucket.bucketArn), writeKevCatalogue(props.bucket.bucketArn), listKevCatalogue(props.bucket.bucketArn)]);

    const refreshInterval = props.refreshInterval ?? Duration.days(1);
    this.schedule = new events.Rule(this, 'Schedule', {
      description: 'fargate-gate: refresh the KEV catalogue',
      schedule: events.Schedule.rate(refreshInterval),
      targets: [new targets.LambdaFunction(this.refreshFunction, { retryAttempts: 2, maxEventAge: Duration.hours(2), deadLetterQueue: props.deadLetterQueue })],
    });

    // The age is published once per refresh (daily by default): a window shorter than the refresh interval would see no
    // datapoint most of the time and, with missing data breaching, alarm on a healthy catalogue. Two refresh intervals
    // hold at least one datapoint while the refresh runs; CloudWatch allows at most 7 days for Period × EvaluationPeriods
    // with a period of an hour or more (PutMetricAlarm, Period).
    const stalePeriod = Duration.hours(Math.min(7 * 24, Math.max(1, 2 * Math.ceil(refreshInterval.toHours({ integral: false })))));
    const metric = (name: string, statistic: string, period = Duration.hours(6)) =>
      new cloudwatch.Metric({ namespace: props.metricsNamespace, metricName: name, statistic, period });
    this.alarms = [
      new cloudwatch.Alarm(this, 'StaleAlarm', {
        alarmDescription: `fargate-gate: the KEV catalogue is older than ${alarmAfter.toHumanString()}, or its refresh stopped publishing its age: knownExploited judges by an old list`,
        metric: metric(KEV_METRICS.ageHours, 'Maximum', stalePeriod),
        threshold: alarmAfter.toHours(),
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        // No age at all for two refresh intervals means the refresh is not running: that is stale too.
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
        datapointsToAlarm: 1,
      }),
      new cloudwatch.Alarm(this, 'RefreshFailedAlarm', {
        alarmDescription: 'fargate-gate: a KEV catalogue refresh failed (download, parse, or a refused catalogue); the catalogue in place is kept',
        metric: metric(KEV_METRICS.refreshFailures, 'Sum'),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    ];
  }

  /** What the gate's functions need to read the catalogue (and tell a missing one from a forbidden one). */
  grantRead(grantee: iam.IGrantable & IConstruct, bucketArn: string): void {
    grantWithReasons(grantee, [readKevCatalogue(bucketArn), listKevCatalogue(bucketArn)]);
  }
}

/** Read the one catalogue object. */
export function readKevCatalogue(bucketArn: string): ReasonedStatement {
  return { statement: new iam.PolicyStatement({ sid: 'ReadKevCatalogue', actions: ['s3:GetObject'], resources: [`${bucketArn}/${KEV_CATALOGUE_KEY}`] }) };
}

/** Overwrite the one catalogue object; nothing else of the bucket. */
export function writeKevCatalogue(bucketArn: string): ReasonedStatement {
  return { statement: new iam.PolicyStatement({ sid: 'WriteKevCatalogue', actions: ['s3:PutObject'], resources: [`${bucketArn}/${KEV_CATALOGUE_KEY}`] }) };
}

/** List exactly the catalogue's key, so a missing catalogue reads as 404, not 403 (permissions.listPrefix says why). */
export function listKevCatalogue(bucketArn: string): ReasonedStatement {
  return {
    statement: new iam.PolicyStatement({ sid: 'ListKevCatalogue', actions: ['s3:ListBucket'], resources: [bucketArn], conditions: { StringEquals: { 's3:prefix': [KEV_CATALOGUE_KEY] } } }),
  };
}
