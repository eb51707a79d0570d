import { Annotations, Duration, Fn, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { join } from 'node:path';
import { GATE_TABLE } from '../functions/adapters/dynamo-table';
import { KEV_CATALOGUE_KEY } from '../functions/adapters/s3-kev-catalogue';
import type { LoadedPolicy } from '../functions/core/policy/input';
import { policyAsksForKev } from '../functions/core/policy/kev-unavailable';
import { maxScanAgeMs } from '../functions/core/policy/load';
import type { Policy } from '../functions/core/policy/schema';
import { rejudgeBudget } from '../functions/core/posture/rejudge';
import { GATE_ENV } from '../functions/handlers/environment';
import { loadInlineScanBuildspec } from './buildspec';
import { BUNDLED_POLICY_PATH, bundlingProject, evaluatorBundling } from './bundling';
import { FUNCTION_HANDLER, functionCode } from './function-bundling';
import { fargateTaskStartingPattern, hookAwaitingActionPattern, imagePushPattern, inspectorImageFindingPattern, runTaskCallPattern, scanBuildStatePattern, verdictPattern } from './event-patterns';
import { REASONS, acknowledge, grantWithReasons } from './nag-suppressions';
import { addGateInventory, resolveReconcileInterval, type GateInventoryResources } from './inventory';
import { GATE_HANDLER_ENTRY, HOOK_HANDLER_ENTRY, INLINE_SCAN_BUILDSPEC, IN_USE_REPORT_HANDLER_ENTRY, RECONCILE_HANDLER_ENTRY, projectRoot } from './paths';
import * as permissions from './permissions';
import { loadPolicyForSynth } from './policy';
import { addClusterEnvironmentRule, resolveScope, type GateScope } from './scope';
import { KevCatalogue } from './kev-catalogue';
import { VulnerabilityDbMirror, UPSTREAM_DATABASES } from './vulnerability-db-mirror';
import { grantReadOwnTrivyRelease, scanTrivyAssets, scanTrivyDownloadBaseUrl } from './trivy-release-mirror';
import { InUseReport, resolveInUseReportSettings, type InUseReportSettings } from './in-use-report';
import { GateDashboard } from './dashboard';
import { scanFailuresAlarmSpec } from './scan-failures-alarm';
import { scanQueuedAlarmSpec } from './scan-queue-alarm';
import { OrganisationBus, assertOrganizationId } from './organisation';
import { ec2FallbackCompute, scanDeadlineMinutes, scanProjectCompute, type ScanProjectCompute } from './scan-fallback';
import { resolveSettings, trivyTimeoutFlag, type LogLevel, type NotificationSettings, type ResolvedSettings, type ScanComputeSettings, type ScannerSettings } from './settings';
import { PRIVATE_BUCKET_PROPS } from './private-bucket';

export interface FargateGateProps {
  /** The policy JSON, validated at synth and bundled with every function and the scan build. @default the shipped `policies/default.json` */
  readonly policyFile?: string;
  /** Clusters in scope, by name or ARN (this account and region). @default every Fargate cluster of the account and region */
  readonly clusters?: string[];
  /**
   * ECR repositories in this account and region the gate reads (names, or patterns such as `team-a/*`): the scanner
   * pulls only from these and the push rule prescans only these. @default every repository of the account and region
   */
  readonly ecrRepositories?: string[];
  /** Repositories in other accounts the scanner may pull from (their repository policy must allow this account). */
  readonly crossAccountRepositoryArns?: string[];
  readonly scanner?: ScannerSettings;
  readonly scanCompute?: ScanComputeSettings;
  /** Scan every image pushed to the repositories in scope at once, so tasks usually find a verdict. @default true */
  readonly prescanOnPush?: boolean;
  /** Create the ECS deployment lifecycle hook function (PRE_SCALE_UP admission for services). @default true */
  readonly lifecycleHook?: boolean;
  /** Use CloudTrail `RunTask` events as an early hint (needs a trail with management events). @default true */
  readonly runTaskHints?: boolean;
  /**
   * Act on active Amazon Inspector findings about ECR images: a digest in use that a finding names is marked, and the
   * posture sweep re-judges it first within its budget (handlers/posture/inspector.ts). `false` leaves the rule out
   * (digests in use are still re-judged every `rescanInterval`). @default true
   */
  readonly inspectorFindings?: boolean;
  /**
   * Keep CISA's KEV catalogue in the reports bucket, refreshed daily (infra/kev-catalogue.ts), for the policy's
   * `vulnerabilities.knownExploited` (Trivy reports carry no KEV data; Grype's do). The function needs to reach the
   * feed (CISA's, or `kevFeedUrl`); the gate's functions are not in a VPC, so by default it can. `false` for an
   * air-gapped account without a mirror: a synth warning then names a policy that asks for KEV without it.
   * @default on when the policy asks for knownExploited (policyAsksForKev), off otherwise
   */
  readonly kevRefresh?: boolean;
  /** Where the KEV feed is downloaded from (https), e.g. a mirror for an air-gapped account. @default CISA's feed */
  readonly kevFeedUrl?: string;
  /** Route verdict events to e-mail, or to `notificationTopic`. */
  readonly notifications?: NotificationSettings;
  /**
   * An existing SNS topic for verdict notifications and alarms. Its policy must allow events.amazonaws.com and
   * cloudwatch.amazonaws.com to publish. Excludes `notifications.email`.
   */
  readonly notificationTopic?: sns.ITopic;
  /** How long a verdict is kept (DynamoDB TTL), in whole days. @default 30 days */
  readonly verdictTtl?: Duration;
  /** How long raw reports and exported test reports are kept in S3. @default 365 days */
  readonly reportRetention?: Duration;
  /** Retention of the functions' and the scan project's logs. @default three months */
  readonly logRetention?: logs.RetentionDays;
  /** How often unfinished scans are checked (CodeBuild events are best effort). @default 5 minutes */
  readonly sweepInterval?: Duration;
  /**
   * A digest in use whose verdict is older than this is re-judged: its stored SBOM matched against the newest
   * vulnerability data (an image scan when there is none). Whole hours, shorter than verdictTtl. @default 24 hours
   */
  readonly rescanInterval?: Duration;
  /** How often the inventory of running tasks is reconciled with ListTasks / DescribeTasks (infra/inventory.ts). @default 1 hour */
  readonly reconcileInterval?: Duration;
  /** Where verdict events are published. @default the account's default event bus */
  readonly eventBus?: events.IEventBus;
  /** @default 'info' */
  readonly logLevel?: LogLevel;
  /** How long ECS waits before calling the lifecycle hook again while a scan runs (`callBackDelay`). @default 30 seconds */
  readonly hookCallBackDelay?: Duration;
  /** CloudWatch namespace of the functions' embedded metrics. @default 'FargateGate' */
  readonly metricsNamespace?: string;
  /**
   * Largest scanner report read, in bytes or as a size such as `"128MiB"` (units are powers of 1024), up to 2 GiB: the
   * functions refuse a larger report (a scan error) and the scan build's evaluator gets the same limit. Raise the
   * functions' memory with it: parsing takes about five times the report's size. @default 64 MiB
   */
  readonly maxReportSize?: number | string;
  /**
   * Run the functions with `NODE_OPTIONS=--enable-source-maps`, so logged stack traces name the TypeScript sources.
   * Off by default: Node then reads and decodes the bundle's source map at every cold start, which costs more than
   * loading the code. The maps are deployed beside the code (`index.mjs.map`, one per chunk) either way, to resolve traces offline.
   * @default false
   */
  readonly sourceMapsAtRuntime?: boolean;
  /** Reserved concurrency of the gate function; off by default because new accounts cannot spare any. */
  readonly reservedConcurrency?: number;
  /** What happens to the table and the report buckets when the stack is deleted. @default RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * The customer managed KMS key of the CDK assets bucket, when the account was bootstrapped with one
   * (`cdk bootstrap --bootstrap-kms-key-id` or `--bootstrap-customer-key`): the scan build needs `kms:Decrypt` on it to
   * download the evaluator and the policy. Not needed with the default bootstrap (S3-managed encryption).
   */
  readonly assetsKeyArn?: string;
  /**
   * Advanced: entry files of the functions (TypeScript or JavaScript exporting `handler`), e.g. a wrapper that adds
   * your own middleware around the shipped handlers. @default the shipped `functions/handlers/lambda/{gate,hook}.ts`
   */
  readonly handlerEntries?: { readonly gate?: string; readonly hook?: string; readonly inUseReport?: string };
  /** The scheduled in-use report (JSON, CSV, HTML under `in-use/` in the reports bucket). @default daily, exceptions expiring within 14 days */
  readonly inUseReport?: InUseReportSettings;
  /**
   * The AWS Organizations id (`o-...`) when this gate serves a whole organisation (docs/organisation.md): the stack gets
   * an event bus that admits events from the organisation's accounts only, the gate's rules on it, and the right to
   * assume the member role (FargateGateMemberStack) in the organisation's accounts. @default one account only
   */
  readonly organizationId?: string;
}

/** Key prefixes in the reports bucket. */
export const REPORT_PREFIX = 'reports/';
export const JUNIT_EXPORT_PREFIX = 'junit';
export const TRIVY_CACHE_PREFIX = 'trivy-cache';

const ASYNC_RETRY_ATTEMPTS = 2;
const ASYNC_MAX_EVENT_AGE = Duration.hours(1);
const RULE_RETRY_ATTEMPTS = 8;
const RULE_MAX_EVENT_AGE = Duration.hours(1);
const ALARM_PERIOD = Duration.minutes(5);
export const SCAN_DEADLINE_MARGIN_MINUTES = 5;
const DAY_MS = 24 * 60 * 60 * 1000;
const GATE_FUNCTION_MEMORY_MB = 1024;
const HOOK_FUNCTION_MEMORY_MB = 512;

/**
 * The Fargate admission gate in one construct: EventBridge rules for Fargate task starts, RunTask calls, ECR pushes
 * and the gate's own scan builds; the gate and lifecycle-hook functions; the CodeBuild inline-scan project with its
 * report group; the reports bucket, the state table, dead-letter queues, alarms and least-privilege roles.
 */
export class FargateGate extends Construct {
  readonly policy: LoadedPolicy<Policy>;
  readonly policyPath: string;
  readonly settings: ResolvedSettings;
  /** Days ahead an exception counts as expiring soon: the sweep's notices and the in-use report read this one value. */
  private readonly exceptionWindowDays: number;
  readonly scope: GateScope;
  readonly table: dynamodb.Table;
  readonly reportBucket: s3.Bucket;
  readonly accessLogBucket: s3.Bucket;
  readonly reportGroup: codebuild.ReportGroup;
  readonly scanProject: codebuild.Project;
  /** On Lambda compute: the EC2 project where a scan that outgrew Lambda compute is retried once (infra/scan-fallback.ts). */
  readonly ec2FallbackScanProject?: codebuild.Project;
  readonly scanRole: iam.Role;
  /** The stack-managed copy of Trivy's databases (scanner.managedDatabaseMirror). */
  readonly databaseMirror?: VulnerabilityDbMirror;
  /** The KEV catalogue the stack keeps current (kevRefresh). */
  readonly kevCatalogue?: KevCatalogue;
  readonly gateFunction: lambda.Function;
  /** STOPPED task rule, reconciliation function and its schedule (infra/inventory.ts). */
  readonly inventory: GateInventoryResources;
  readonly hookFunction?: lambda.Function;
  /** The role ECS assumes to invoke the hook (`lifecycleHooks[].roleArn`). */
  readonly hookInvokeRole?: iam.Role;
  readonly functionFailureQueue: sqs.Queue;
  readonly eventDeliveryFailureQueue: sqs.Queue;
  readonly notificationTopic?: sns.ITopic;
  readonly eventBus: events.IEventBus;
  readonly rules: {
    taskStarting: events.Rule;
    runTaskCall?: events.Rule;
    scanBuildState: events.Rule;
    /** Deployments paused at a PAUSE lifecycle hook (HOOK_AWAITING_ACTION): admission for rolling deployments. */
    hookAwaitingAction: events.Rule;
    imagePush?: events.Rule;
    sweep: events.Rule;
    /** Active Amazon Inspector findings on ECR images: a digest in use is marked for the posture sweep (handlers/posture/inspector.ts); absent with `inspectorFindings: false`. */
    inspectorFinding?: events.Rule;
    notifications?: events.Rule;
  };
  /** The organisation bus and its rules (organizationId). */
  readonly organisation?: OrganisationBus;
  private readonly organizationId?: string;
  readonly alarms: cloudwatch.Alarm[] = [];
  /** The scheduled in-use report, unless `inUseReport.enabled` is false. */
  readonly inUseReport?: InUseReport;
  readonly inUseReportFunction?: lambda.Function;
  /** The gate's CloudWatch dashboard. */
  readonly dashboard: GateDashboard;
  private readonly kevRefreshEnabled: boolean;

  constructor(scope: Construct, id: string, props: FargateGateProps = {}) {
    super(scope, id);
    // Server access logs are delivered through a bucket policy (not ACLs, which new buckets no longer accept).
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);

    const stack = Stack.of(this);
    const root = projectRoot();
    this.organizationId = props.organizationId === undefined ? undefined : assertOrganizationId(props.organizationId);
    this.settings = resolveSettings({ ...props, region: Token.isUnresolved(stack.region) ? undefined : stack.region });
    this.exceptionWindowDays = resolveInUseReportSettings(props.inUseReport).exceptionWindowDays;
    const { path: policyPath, policy } = loadPolicyForSynth(props.policyFile);
    this.policy = policy;
    this.policyPath = policyPath;
    this.kevRefreshEnabled = props.kevRefresh ?? policyAsksForKev(policy.document);
    this.scope = resolveScope(stack, {
      clusters: props.clusters,
      ecrRepositories: props.ecrRepositories,
      crossAccountRepositoryArns: props.crossAccountRepositoryArns,
      mirrorReferences: [...this.settings.trivy.dbRepositories, ...this.settings.trivy.javaDbRepositories, ...(this.settings.trivy.checksBundleRepository ? [this.settings.trivy.checksBundleRepository] : [])],
    });
    addClusterEnvironmentRule(this, this.scope.clusters);
    this.eventBus = props.eventBus ?? events.EventBus.fromEventBusName(this, 'DefaultBus', 'default');
    this.warnIfVerdictsExpireBeforeMaxScanAge();

    // ---------- storage ----------
    this.accessLogBucket = new s3.Bucket(this, 'AccessLogs', {
      ...PRIVATE_BUCKET_PROPS,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: this.settings.reportRetention, abortIncompleteMultipartUploadAfter: Duration.days(7) }],
      removalPolicy: this.settings.removalPolicy,
    });
    this.reportBucket = new s3.Bucket(this, 'Reports', {
      ...PRIVATE_BUCKET_PROPS,
      // Raw reports are the evidence behind every verdict: an overwritten or deleted report stays recoverable.
      versioned: true,
      serverAccessLogsBucket: this.accessLogBucket,
      serverAccessLogsPrefix: 'reports-bucket/',
      lifecycleRules: [
        { id: 'expire-raw-reports', prefix: REPORT_PREFIX, expiration: this.settings.reportRetention, noncurrentVersionExpiration: Duration.days(30) },
        { id: 'expire-test-reports', prefix: `${JUNIT_EXPORT_PREFIX}/`, expiration: this.settings.reportRetention, noncurrentVersionExpiration: Duration.days(30) },
        // The scanner DB cache is rewritten by every build; old copies are worthless.
        { id: 'expire-scanner-cache', prefix: `${TRIVY_CACHE_PREFIX}/`, expiration: Duration.days(7), noncurrentVersionExpiration: Duration.days(1) },
        // Versioning keeps what is overwritten or deleted; these keep that from growing for ever: old versions go after 30
        // days, and a delete marker with no version left behind it is removed.
        {
          id: 'clean-up-versions-and-uploads',
          noncurrentVersionExpiration: Duration.days(30),
          expiredObjectDeleteMarker: true,
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
      removalPolicy: this.settings.removalPolicy,
    });

    this.table = new dynamodb.Table(this, 'State', {
      partitionKey: { name: GATE_TABLE.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: GATE_TABLE.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: GATE_TABLE.ttlAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      deletionProtection: this.settings.removalPolicy === RemovalPolicy.RETAIN,
      removalPolicy: this.settings.removalPolicy,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: GATE_TABLE.unfinishedScansIndex.name,
      partitionKey: { name: GATE_TABLE.unfinishedScansIndex.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: GATE_TABLE.unfinishedScansIndex.sortKey, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType[GATE_TABLE.unfinishedScansIndex.projection],
    });

    this.functionFailureQueue = this.failureQueue('FunctionFailures');
    this.eventDeliveryFailureQueue = this.failureQueue('EventDeliveryFailures');

    // ---------- scan project ----------
    this.reportGroup = new codebuild.ReportGroup(this, 'ScanReports', {
      type: codebuild.ReportGroupType.TEST,
      exportBucket: this.reportBucket,
      zipExport: false,
      removalPolicy: this.settings.removalPolicy,
      // A disposable stack must be able to delete a group that holds reports.
      deleteReports: this.settings.removalPolicy === RemovalPolicy.DESTROY,
    });
    // Raw test-report files land under one prefix, so the lifecycle rule above expires them.
    (this.reportGroup.node.defaultChild as codebuild.CfnReportGroup).addPropertyOverride('ExportConfig.S3Destination.Path', JUNIT_EXPORT_PREFIX);

    this.scanRole = new iam.Role(this, 'ScanRole', {
      assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com'),
      description: 'fargate-gate inline scan: pulls images in scope, writes raw reports and test reports',
    });
    if (this.settings.trivy.managedDatabaseMirror) {
      this.databaseMirror = new VulnerabilityDbMirror(this, 'VulnerabilityDbMirror', {
        metricsNamespace: this.settings.metricsNamespace,
        removalPolicy: this.settings.removalPolicy,
        logRetention: this.settings.logRetention,
        deadLetterQueue: this.eventDeliveryFailureQueue,
        // The Trivy release too, unless the account names its own source (infra/trivy-release-mirror.ts).
        ...(this.settings.trivy.downloadBaseUrl === undefined ? { trivyRelease: { version: this.settings.trivy.version, assets: scanTrivyAssets(this.settings), accessLogsBucket: this.accessLogBucket } } : {}),
      });
      this.databaseMirror.grantPull(this.scanRole);
    }
    // An account's own s3:// release mirror is read with the scan role, by key.
    if (this.settings.trivy.downloadBaseUrl !== undefined) grantReadOwnTrivyRelease(this.scanRole, this.settings.trivy.downloadBaseUrl, this.settings.trivy.version, scanTrivyAssets(this.settings));
    const scanProjects = this.createScanProject(root, policyPath);
    this.scanProject = scanProjects.project;
    this.ec2FallbackScanProject = scanProjects.fallback;

    // ---------- functions ----------
    const functionEnvironment = this.functionEnvironment();
    this.gateFunction = this.createFunction('GateFunction', root, props.handlerEntries?.gate ?? join(root, GATE_HANDLER_ENTRY), policyPath, functionEnvironment, {
      description: `fargate-gate: decides on Fargate tasks, scans and pushes (policy ${policy.name} ${policy.hash.slice(0, 12)})`,
      timeout: Duration.seconds(60),
      // Raw reports are parsed whole, up to the S3 adapter's 64 MiB cap. Measured peaks: ~320 MB RSS for a 66 MB report,
      // ~880 MB for a 166 MB one. At the cap one parse fits in 512 MB with little to spare, and the gate may finish
      // several scans in one invocation (the sweep, a task with several containers): 1024 MB keeps it clear of the
      // limit, and Lambda's CPU share grows with memory, which shortens the parse. The hook judges one revision per call.
      memorySize: GATE_FUNCTION_MEMORY_MB,
      async: true,
      reservedConcurrency: this.settings.reservedConcurrency,
    });
    grantWithReasons(this.gateFunction, [
      permissions.stopTasks(stack, this.scope),
      permissions.describeTasks(stack, this.scope),
      ...permissions.rollBackServices(stack, this.scope),
      permissions.describeTaskDefinitions(),
      permissions.resolveImageTags(this.scope),
      permissions.readScanBuilds(this.scanProject.projectArn, ...this.fallbackProjectArns()),
      permissions.readReports(this.reportBucket.bucketArn, REPORT_PREFIX),
      permissions.listPrefix('ListRawReports', this.reportBucket.bucketArn, REPORT_PREFIX),
      permissions.useGateTable(this.table.tableArn, GATE_TABLE.unfinishedScansIndex.name),
      permissions.publishVerdicts(this.eventBus.eventBusArn),
    ]);

    const startScanBuilds = new iam.ManagedPolicy(this, 'StartScanBuilds', {
      description: 'fargate-gate: start builds of the scan project, overriding only the variables the gate passes',
      statements: [permissions.startScans(this.scanProject.projectArn, ...this.fallbackProjectArns())],
    });
    this.allowToStartScans(this.gateFunction, startScanBuilds);

    if (this.settings.lifecycleHook) {
      this.hookFunction = this.createFunction('HookFunction', root, props.handlerEntries?.hook ?? join(root, HOOK_HANDLER_ENTRY), policyPath, functionEnvironment, {
        description: `fargate-gate: ECS deployment lifecycle hook, PRE_SCALE_UP admission (policy ${policy.name} ${policy.hash.slice(0, 12)})`,
        timeout: Duration.seconds(30),
        memorySize: HOOK_FUNCTION_MEMORY_MB,
        async: false,
      });
      grantWithReasons(this.hookFunction, [
        permissions.describeServiceRevisions(stack, this.scope),
        permissions.describeTaskDefinitions(),
        permissions.resolveImageTags(this.scope),
        permissions.readReports(this.reportBucket.bucketArn, REPORT_PREFIX),
        permissions.listPrefix('ListRawReports', this.reportBucket.bucketArn, REPORT_PREFIX),
        permissions.useGateTable(this.table.tableArn, GATE_TABLE.unfinishedScansIndex.name),
        permissions.publishVerdicts(this.eventBus.eventBusArn),
      ]);
      this.allowToStartScans(this.hookFunction, startScanBuilds);
      this.hookInvokeRole = new iam.Role(this, 'HookInvokeRole', {
        assumedBy: new iam.ServicePrincipal('ecs.amazonaws.com'),
        description: 'Assumed by Amazon ECS to call the fargate-gate lifecycle hook (deploymentConfiguration.lifecycleHooks[].roleArn)',
      });
      this.hookInvokeRole.addToPolicy(
        new iam.PolicyStatement({ sid: 'InvokeTheGateHook', actions: ['lambda:InvokeFunction'], resources: [this.hookFunction.functionArn] }),
      );
    }

    // ---------- rules ----------
    const ruleTarget = new targets.LambdaFunction(this.gateFunction, {
      deadLetterQueue: this.eventDeliveryFailureQueue,
      retryAttempts: RULE_RETRY_ATTEMPTS,
      maxEventAge: RULE_MAX_EVENT_AGE,
    });
    const rule = (id: string, description: string, eventPattern: events.EventPattern) =>
      new events.Rule(this, id, { description, eventPattern, targets: [ruleTarget] });

    this.rules = {
      taskStarting: rule('FargateTaskStarting', 'fargate-gate: Fargate tasks on their way to RUNNING in the clusters in scope', fargateTaskStartingPattern(this.scope.clusterPattern)),
      runTaskCall: this.settings.runTaskHints
        ? rule('RunTaskCall', 'fargate-gate: successful RunTask calls (CloudTrail; needs a trail)', runTaskCallPattern())
        : undefined,
      scanBuildState: rule('ScanBuildState', 'fargate-gate: state changes of the inline-scan builds', scanBuildStatePattern(this.scanProject.projectName, ...(this.ec2FallbackScanProject ? [this.ec2FallbackScanProject.projectName] : []))),
      hookAwaitingAction: rule('HookAwaitingAction', 'fargate-gate: service deployments paused at a PAUSE lifecycle hook', hookAwaitingActionPattern()),
      imagePush: this.settings.prescanOnPush
        ? rule('ImagePush', 'fargate-gate: successful pushes to the ECR repositories in scope (prescan)', imagePushPattern(this.scope.pushRepositoryNames))
        : undefined,
      inspectorFinding: this.settings.inspectorFindings
        ? rule('InspectorFinding', 'fargate-gate: active Amazon Inspector findings on ECR images (marks a digest in use for re-judgement)', inspectorImageFindingPattern())
        : undefined,
      sweep: new events.Rule(this, 'Sweep', {
        description: 'fargate-gate: checks scans that did not report back (CodeBuild events are best effort) and re-judges digests in use (posture)',
        schedule: events.Schedule.rate(this.settings.sweepInterval),
        targets: [ruleTarget],
      }),
    };

    this.inventory = addGateInventory(this, {
      scope: this.scope,
      tableArn: this.table.tableArn,
      tableIndexName: GATE_TABLE.unfinishedScansIndex.name,
      reconcileInterval: resolveReconcileInterval(props.reconcileInterval),
      gateRuleTarget: ruleTarget,
      // Named with the policy like the others: its bundle carries the policy file too, so a policy change updates it.
      newFunction: (id, options) =>
        this.createFunction(id, root, join(root, RECONCILE_HANDLER_ENTRY), policyPath, functionEnvironment, { ...options, description: `${options.description} (policy ${policy.name} ${policy.hash.slice(0, 12)})` }),
    });
    if (props.organizationId !== undefined) {
      this.organisation = new OrganisationBus(this, 'Organisation', {
        organizationId: props.organizationId,
        target: ruleTarget,
        // The reconciliation too: it lists member clusters' tasks through the member role (handlers/posture/reconcile.ts);
        // and the scan role, which pulls member images through it (buildspecs/inline-scan.yml).
        memberRoleAssumers: [this.gateFunction, ...(this.hookFunction ? [this.hookFunction] : []), this.inventory.reconcileFunction, this.scanRole],
        runTaskHints: this.settings.runTaskHints,
        prescanOnPush: this.settings.prescanOnPush,
        inspectorFindings: this.settings.inspectorFindings,
      });
    }

    // ---------- notifications and alarms ----------
    const createdTopic = props.notifications?.email ? this.createTopic(props.notifications.email) : undefined;
    this.notificationTopic = props.notificationTopic ?? createdTopic;
    if (this.notificationTopic) {
      this.rules.notifications = new events.Rule(this, 'VerdictNotifications', {
        description: `fargate-gate: verdicts (${this.settings.notifyDecisions.join(', ')}) to SNS`,
        eventBus: props.eventBus,
        eventPattern: verdictPattern(this.settings.notifyDecisions),
        targets: [
          new targets.SnsTopic(this.notificationTopic, {
            deadLetterQueue: this.eventDeliveryFailureQueue,
            retryAttempts: RULE_RETRY_ATTEMPTS,
            maxEventAge: RULE_MAX_EVENT_AGE,
            message: events.RuleTargetInput.fromMultilineText(
              [
                `fargate-gate: ${events.EventField.fromPath('$.detail.decision')} (${events.EventField.fromPath('$.detail.mode')} mode), action ${events.EventField.fromPath('$.detail.action')}`,
                `Rules: ${events.EventField.fromPath('$.detail.rules')}`,
                `Cluster: ${events.EventField.fromPath('$.detail.cluster')}  Service: ${events.EventField.fromPath('$.detail.service')}`,
                `Task: ${events.EventField.fromPath('$.detail.taskArn')}`,
                `Policy: ${events.EventField.fromPath('$.detail.policy.name')}`,
                `Images: ${events.EventField.fromPath('$.detail.images')}`,
              ].join('\n'),
            ),
          }),
        ],
      });
    }
    const inUse = resolveInUseReportSettings(props.inUseReport);
    if (inUse.enabled) {
      this.inUseReportFunction = this.createFunction(
        'InUseReportFunction',
        root,
        props.handlerEntries?.inUseReport ?? join(root, IN_USE_REPORT_HANDLER_ENTRY),
        policyPath,
        functionEnvironment,
        { description: `fargate-gate: the scheduled in-use report (policy ${policy.name} ${policy.hash.slice(0, 12)})`, timeout: Duration.minutes(5), memorySize: GATE_FUNCTION_MEMORY_MB, async: true },
      );
      this.inUseReport = new InUseReport(this, 'InUseReport', {
        fn: this.inUseReportFunction,
        reportBucket: this.reportBucket,
        tableArn: this.table.tableArn,
        indexNames: [GATE_TABLE.unfinishedScansIndex.name],
        interval: inUse.interval,
        deadLetterQueue: this.eventDeliveryFailureQueue,
        retention: this.settings.reportRetention,
      });
    }

    // Only an explicit kevRefresh: false gets here with a policy that asks for KEV (the default follows the policy).
    if (!this.kevRefreshEnabled && policyAsksForKev(policy.document)) {
      Annotations.of(this).addWarningV2(
        'fargate-gate:kevWithoutCatalogue',
        `the policy ${policy.name} asks for known-exploited vulnerabilities (vulnerabilities.knownExploited), but the stack keeps no KEV catalogue: only scanners that report KEV themselves (Grype) are judged by it. Leave kevRefresh on (context fargate-gate:kev-refresh, the default for such a policy), with kevFeedUrl (fargate-gate:kev-feed-url) pointing at a mirror the account can reach.`,
      );
    }
    if (this.kevRefreshEnabled) {
      this.kevCatalogue = new KevCatalogue(this, 'KevCatalogue', {
        bucket: this.reportBucket,
        ...(props.kevFeedUrl !== undefined ? { feedUrl: props.kevFeedUrl } : {}),
        metricsNamespace: this.settings.metricsNamespace,
        logLevel: this.settings.logLevel,
        logRetention: this.settings.logRetention,
        removalPolicy: this.settings.removalPolicy,
        deadLetterQueue: this.eventDeliveryFailureQueue,
        projectRoot: root,
        policyPath,
      });
      this.kevCatalogue.grantRead(this.gateFunction, this.reportBucket.bucketArn);
      if (this.hookFunction) this.kevCatalogue.grantRead(this.hookFunction, this.reportBucket.bucketArn);
    }
    this.createAlarms();
    for (const alarm of [...(this.databaseMirror?.alarms ?? []), ...(this.kevCatalogue?.alarms ?? [])]) {
      if (this.notificationTopic) alarm.addAlarmAction(new cloudwatchActions.SnsAction(this.notificationTopic));
      this.alarms.push(alarm);
    }
    if (this.notificationTopic) this.allowAlarmsToPublish(this.notificationTopic);
    this.dashboard = new GateDashboard(this, 'Dashboard', {
      metricsNamespace: this.settings.metricsNamespace,
      deadLetterQueues: [this.functionFailureQueue, this.eventDeliveryFailureQueue],
      scanProjects: [this.scanProject, ...(this.ec2FallbackScanProject ? [this.ec2FallbackScanProject] : [])],
    });
  }

  /** The EC2 fallback project's ARN, when the stack has one. */
  private fallbackProjectArns(): string[] {
    return this.ec2FallbackScanProject ? [this.ec2FallbackScanProject.projectArn] : [];
  }

  /** Attaches the StartBuild policy to the function's role; the function never runs before the policy exists. */
  private allowToStartScans(fn: lambda.Function, policy: iam.ManagedPolicy): void {
    policy.attachToRole(fn.role!);
    fn.node.addDependency(policy);
  }

  private failureQueue(id: string): sqs.Queue {
    const queue = new sqs.Queue(this, id, {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(queue, 'AwsSolutions-SQS3', REASONS.deadLetterQueue);
    return queue;
  }

  private createScanProject(root: string, policyPath: string): { project: codebuild.Project; fallback?: codebuild.Project } {
    const stack = Stack.of(this);
    const { trivy } = this.settings;

    const evaluator = new s3assets.Asset(this, 'EvaluatorBundle', {
      path: join(root, 'functions'),
      bundling: evaluatorBundling(root),
    });
    const policyAsset = new s3assets.Asset(this, 'PolicyFile', { path: policyPath });

    const environmentVariables: Record<string, codebuild.BuildEnvironmentVariable> = {
      [GATE_ENV.reportBucket]: { value: this.reportBucket.bucketName },
      [GATE_ENV.reportPrefix]: { value: REPORT_PREFIX },
      GATE_EVALUATOR_URL: { value: evaluator.s3ObjectUrl },
      GATE_POLICY_URL: { value: policyAsset.s3ObjectUrl },
      GATE_TRIVY_VERSION: { value: trivy.version },
      GATE_TRIVY_SHA256: { value: trivy.sha256 },
      GATE_TRIVY_ASSET: { value: trivy.asset },
      GATE_TRIVY_DOWNLOAD_URL: { value: scanTrivyDownloadBaseUrl(this.settings, this.databaseMirror?.trivyRelease) },
      // The evaluator's --max-report-size: the build refuses what the functions would refuse, and no more.
      [GATE_ENV.maxReportBytes]: { value: String(this.settings.maxReportBytes) },
      GATE_TRIVY_MAX_DB_AGE_HOURS: { value: String(trivy.maxDatabaseAge.toHours()) },
    };
    if (this.databaseMirror) {
      environmentVariables.GATE_TRIVY_DB_REPOSITORY = { value: `${this.databaseMirror.dbRepository.repositoryUri}:${UPSTREAM_DATABASES.db.tag}` };
      environmentVariables.GATE_TRIVY_JAVA_DB_REPOSITORY = { value: `${this.databaseMirror.javaDbRepository.repositoryUri}:${UPSTREAM_DATABASES.javaDb.tag}` };
      // The misconfiguration checks too: else every scan pulls them from a public registry (an operator's own bundle below wins).
      environmentVariables.GATE_TRIVY_CHECKS_BUNDLE_REPOSITORY = { value: this.databaseMirror.checksBundleReference() };
    }
    if (trivy.dbRepositories.length > 0) environmentVariables.GATE_TRIVY_DB_REPOSITORY = { value: trivy.dbRepositories.join(',') };
    if (trivy.javaDbRepositories.length > 0) environmentVariables.GATE_TRIVY_JAVA_DB_REPOSITORY = { value: trivy.javaDbRepositories.join(',') };
    if (trivy.checksBundleRepository) environmentVariables.GATE_TRIVY_CHECKS_BUNDLE_REPOSITORY = { value: trivy.checksBundleRepository };
    // The scan pulls images of member accounts through their member role (buildspecs/inline-scan.yml, docs/organisation.md).
    if (this.organizationId !== undefined) environmentVariables.GATE_ORGANIZATION = { value: this.organizationId };

    // The scan project, and on Lambda compute its EC2 fallback (infra/scan-fallback.ts): one project per compute, the
    // same role, variables and buildspec, each with its own log group, Trivy timeout and compute settings.
    const fallback = ec2FallbackCompute(this.settings);
    const scanProject = (id: string, logsId: string, compute: ScanProjectCompute, description: string): { project: codebuild.Project; logGroup: logs.LogGroup } => {
      const logGroup = new logs.LogGroup(this, logsId, { retention: this.settings.logRetention, removalPolicy: this.settings.removalPolicy });
      const lambdaCompute = compute.mode === 'lambda';
      const buildImage = lambdaCompute
        ? compute.architecture === 'arm64'
          ? codebuild.LinuxArmLambdaBuildImage.AMAZON_LINUX_2023_NODE_22
          : codebuild.LinuxLambdaBuildImage.AMAZON_LINUX_2023_NODE_22
        : compute.architecture === 'arm64'
          ? codebuild.LinuxArmBuildImage.AMAZON_LINUX_2023_STANDARD_3_0
          : codebuild.LinuxBuildImage.AMAZON_LINUX_2023_5;
      const project = new codebuild.Project(this, id, {
        description,
        // The project may not add its defaults (writes to /aws/codebuild/<project> logs, CreateReportGroup on
        // report-group/<project>-*): the build uses neither. What it does use is granted below, statement by statement.
        role: this.scanRole.withoutPolicyUpdates(),
        buildSpec: codebuild.BuildSpec.fromObject(loadInlineScanBuildspec(join(root, INLINE_SCAN_BUILDSPEC), this.reportGroup.reportGroupArn, { lambdaCompute })),
        environment: { buildImage, computeType: compute.computeType, privileged: false },
        environmentVariables: { ...environmentVariables, GATE_TRIVY_TIMEOUT: { value: trivyTimeoutFlag(compute.scanTimeout) } },
        // Lambda compute takes no build or queue timeout (its builds end at 15 minutes).
        ...(lambdaCompute ? {} : { timeout: compute.buildTimeout, queuedTimeout: compute.queuedTimeout }),
        concurrentBuildLimit: compute.concurrentBuildLimit,
        logging: { cloudWatch: { logGroup } },
        badge: false,
      });
      // The scanner DB cache lives under its own prefix of the reports bucket; Cache.bucket() would grant the whole bucket.
      // Lambda compute has no cache.
      if (!lambdaCompute) {
        (project.node.defaultChild as codebuild.CfnProject).cache = {
          type: 'S3',
          location: Fn.join('/', [this.reportBucket.bucketName, TRIVY_CACHE_PREFIX]),
        };
      }
      // Builds never start before the role's policies exist.
      project.node.addDependency(this.scanRole);
      // Scans read the managed mirror only once its first refresh, run by the deployment, has succeeded.
      if (this.databaseMirror) project.node.addDependency(this.databaseMirror.firstRefresh.ready);
      acknowledge(project, 'AwsSolutions-CB4', REASONS.codeBuildKms);
      return { project, logGroup };
    };
    const main = scanProject('ScanProject', 'ScanLogs', scanProjectCompute(this.settings), 'fargate-gate inline scan: Trivy on one image digest, raw report to S3, JUnit report for review');
    const backup = fallback
      ? scanProject('Ec2FallbackScanProject', 'Ec2FallbackScanLogs', fallback, 'fargate-gate inline scan on EC2 compute: the one retry of a scan that outgrew Lambda compute')
      : undefined;
    const project = main.project;
    const lambdaCompute = this.settings.compute.mode === 'lambda' && !backup;
    const logGroupArns = [main.logGroup, ...(backup ? [backup.logGroup] : [])].map((group) => group.logGroupArn);

    grantWithReasons(this.scanRole, [
      ...permissions.pullImages(this.scope),
      {
        statement: new iam.PolicyStatement({
          sid: 'WriteRawReportsAndTestReportExports',
          actions: ['s3:PutObject'],
          resources: [this.reportBucket.arnForObjects(`${REPORT_PREFIX}*`), this.reportBucket.arnForObjects(`${JUNIT_EXPORT_PREFIX}/*`)],
        }),
        wildcardReason: `Object keys are chosen at run time (one raw report per scan, test-report files named by CodeBuild); writes are limited to the ${REPORT_PREFIX} and ${JUNIT_EXPORT_PREFIX}/ prefixes of the gate's own bucket.`,
      },
      // The S3 build cache of the scanner DB exists on EC2 compute only (the scan project on EC2, or its EC2 fallback).
      ...(lambdaCompute
        ? []
        : [
          {
            statement: new iam.PolicyStatement({
              sid: 'ScannerDatabaseCache',
              actions: ['s3:GetObject', 's3:PutObject'],
              resources: [this.reportBucket.arnForObjects(`${TRIVY_CACHE_PREFIX}/*`)],
            }),
            wildcardReason: `CodeBuild names the S3 cache archives itself; access is limited to the ${TRIVY_CACHE_PREFIX}/ prefix of the gate's own bucket.`,
          },
          // A first build finds no cache archive: with this, S3 says 404 (no cache yet) instead of 403.
          permissions.listPrefix('ListScannerDatabaseCache', this.reportBucket.bucketArn, `${TRIVY_CACHE_PREFIX}/`),
          ]),
      {
        statement: new iam.PolicyStatement({
          sid: 'ReportsBucketLocation',
          actions: ['s3:GetBucketAcl', 's3:GetBucketLocation'],
          resources: [this.reportBucket.bucketArn],
        }),
      },
      {
        statement: new iam.PolicyStatement({
          sid: 'ReadEvaluatorAndPolicy',
          actions: ['s3:GetObject'],
          resources: [evaluator, policyAsset].map((asset) => stack.formatArn({ service: 's3', region: '', account: '', resource: asset.s3BucketName, resourceName: asset.s3ObjectKey })),
        }),
      },
      ...(this.settings.assetsKeyArn ? [permissions.decryptAssets(this.settings.assetsKeyArn, stack.region)] : []),
      {
        statement: new iam.PolicyStatement({
          sid: 'WriteTestReports',
          actions: ['codebuild:CreateReport', 'codebuild:UpdateReport', 'codebuild:BatchPutTestCases'],
          resources: [this.reportGroup.reportGroupArn],
        }),
      },
      {
        // The build's own log group only (its ARN already covers the streams CodeBuild creates in it).
        statement: new iam.PolicyStatement({
          sid: 'WriteBuildLogs',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: logGroupArns,
        }),
      },
    ]);
    return backup ? { project, fallback: backup.project } : { project };
  }

  private functionEnvironment(): Record<string, string> {
    const { compute } = this.settings;
    return {
      [GATE_ENV.tableName]: this.table.tableName,
      [GATE_ENV.reportBucket]: this.reportBucket.bucketName,
      [GATE_ENV.reportPrefix]: REPORT_PREFIX,
      [GATE_ENV.scanProjectName]: this.scanProject.projectName,
      [GATE_ENV.eventBusName]: this.eventBus.eventBusName,
      [GATE_ENV.policyFile]: BUNDLED_POLICY_PATH,
      [GATE_ENV.clusterArns]: this.scope.clusters === undefined ? '' : Fn.join(',', this.scope.clusters.map((cluster) => cluster.arn)),
      // resolveSettings accepts whole days only, so this division is exact.
      [GATE_ENV.verdictTtlDays]: String(this.settings.verdictTtl.toMilliseconds() / DAY_MS),
      // A scan not finished after queueing plus running plus a margin is an error (the sweep enforces it).
      [GATE_ENV.scanTimeoutMinutes]: String(scanDeadlineMinutes(compute, SCAN_DEADLINE_MARGIN_MINUTES)),
      // On Lambda compute: where a scan that outgrew it is retried, and that retry's deadline.
      ...(this.ec2FallbackScanProject
        ? {
            [GATE_ENV.fallbackScanProjectName]: this.ec2FallbackScanProject.projectName,
            [GATE_ENV.fallbackScanTimeoutMinutes]: String(scanDeadlineMinutes(ec2FallbackCompute(this.settings) ?? compute, SCAN_DEADLINE_MARGIN_MINUTES)),
            // An image known to be larger than this starts its scan there at once (scanCompute.ec2AboveImageSize).
            ...(this.settings.compute.ec2AboveImageBytes !== undefined ? { [GATE_ENV.ec2AboveImageBytes]: String(this.settings.compute.ec2AboveImageBytes) } : {}),
            // Past this many Lambda-compute builds a new scan starts there (scanCompute.lambdaConcurrency, lambda-overflow.ts).
            ...(this.settings.compute.lambdaConcurrency !== undefined ? { [GATE_ENV.lambdaComputeConcurrency]: String(this.settings.compute.lambdaConcurrency) } : {}),
          }
        : {}),
      [GATE_ENV.hookCallBackDelaySeconds]: String(this.settings.hookCallBackDelay.toSeconds()),
      [GATE_ENV.sweepMinutes]: String(this.settings.sweepInterval.toMinutes()),
      [GATE_ENV.rescanIntervalHours]: String(this.settings.rescanInterval.toHours()),
      // One window of "exceptions expiring soon" for the sweep's notices and the in-use report (inUseReport.exceptionWindowDays).
      [GATE_ENV.exceptionWindowDays]: String(this.exceptionWindowDays),
      // Half the scan project's concurrency stays free for launches: the posture sweep starts at most this many scans a run.
      [GATE_ENV.rejudgeScansPerRun]: String(rejudgeBudget(compute.concurrentBuildLimit, { sweepMinutes: this.settings.sweepInterval.toMinutes() })),
      [GATE_ENV.metricsNamespace]: this.settings.metricsNamespace,
      [GATE_ENV.logLevel]: this.settings.logLevel,
      [GATE_ENV.maxReportBytes]: String(this.settings.maxReportBytes),
      // Empty when the stack keeps no KEV catalogue: the functions then read none.
      [GATE_ENV.kevCatalogueKey]: this.kevRefreshEnabled ? KEV_CATALOGUE_KEY : '',
      ...(this.settings.sourceMapsAtRuntime ? { NODE_OPTIONS: '--enable-source-maps' } : {}),
      ...(this.organizationId === undefined ? {} : { [GATE_ENV.organizationId]: this.organizationId, [GATE_ENV.accountId]: Stack.of(this).account }),
      // Repositories of other accounts the gate's roles read themselves (scope.ts): tags there resolve without a member role.
      ...(this.organizationId !== undefined && this.scope.crossAccountRepositoryArns?.length ? { [GATE_ENV.centralRepositoryArns]: this.scope.crossAccountRepositoryArns.join(',') } : {}),
    };
  }

  private createFunction(
    id: string,
    root: string,
    entry: string,
    policyPath: string,
    environment: Record<string, string>,
    options: { description: string; timeout: Duration; memorySize: number; async: boolean; reservedConcurrency?: number },
  ): lambda.Function {
    const logGroup = new logs.LogGroup(this, `${id}Logs`, { retention: this.settings.logRetention, removalPolicy: this.settings.removalPolicy });
    // An own role instead of AWSLambdaBasicExecutionRole: logs go to this function's log group only.
    const role = new iam.Role(this, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `fargate-gate ${id}`,
    });
    logGroup.grantWrite(role);
    const fn = new lambda.Function(this, id, {
      // ES module chunks (function-bundling.ts): the clone, or the app the package is installed in, holds the
      // dependencies the Docker fallback needs (bundlingProject says why).
      code: functionCode({ packageRoot: root, mountRoot: bundlingProject(root).projectRoot, entry, policyPath }),
      handler: FUNCTION_HANDLER,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: options.memorySize,
      timeout: options.timeout,
      description: options.description,
      role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment,
      reservedConcurrentExecutions: options.reservedConcurrency,
      ...(options.async
        ? { retryAttempts: ASYNC_RETRY_ATTEMPTS, maxEventAge: ASYNC_MAX_EVENT_AGE, onFailure: new SqsDestination(this.functionFailureQueue) }
        : {}),
    });
    acknowledge(fn, 'AwsSolutions-L1', REASONS.nodeRuntime);
    return fn;
  }

  private createTopic(email: string): sns.Topic {
    const topic = new sns.Topic(this, 'Notifications', { displayName: 'fargate-gate', enforceSSL: true });
    topic.addSubscription(new subscriptions.EmailSubscription(email));
    return topic;
  }

  private createAlarms(): void {
    const alarm = (id: string, description: string, metric: cloudwatch.IMetric, threshold = 1) => {
      const created = new cloudwatch.Alarm(this, id, {
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      if (this.notificationTopic) created.addAlarmAction(new cloudwatchActions.SnsAction(this.notificationTopic));
      this.alarms.push(created);
    };
    alarm(
      'FunctionFailuresAlarm',
      'fargate-gate: an event failed in the gate function after every retry; it is in the function-failures queue',
      this.functionFailureQueue.metricApproximateNumberOfMessagesVisible({ period: ALARM_PERIOD, statistic: cloudwatch.Stats.MAXIMUM }),
    );
    alarm(
      'EventDeliveryFailuresAlarm',
      'fargate-gate: EventBridge could not deliver an event to the gate or the notification topic; it is in the event-delivery-failures queue',
      this.eventDeliveryFailureQueue.metricApproximateNumberOfMessagesVisible({ period: ALARM_PERIOD, statistic: cloudwatch.Stats.MAXIMUM }),
    );
    alarm('GateFunctionErrorsAlarm', 'fargate-gate: the gate function failed', this.gateFunction.metricErrors({ period: ALARM_PERIOD, statistic: cloudwatch.Stats.SUM }));
    if (this.hookFunction) {
      alarm(
        'HookFunctionErrorsAlarm',
        'fargate-gate: the lifecycle hook failed (ECS rolls the deployment back when the hook fails)',
        this.hookFunction.metricErrors({ period: ALARM_PERIOD, statistic: cloudwatch.Stats.SUM }),
      );
    }
    // On Lambda compute with the EC2 fallback, the gate's own scan-error count, not FailedBuilds (infra/scan-failures-alarm.ts).
    const scanFailures = scanFailuresAlarmSpec({
      scanProject: this.scanProject,
      ec2FallbackScanProject: this.ec2FallbackScanProject,
      metricsNamespace: this.settings.metricsNamespace,
      period: ALARM_PERIOD,
    });
    // One alarm per failed scan: with the fallback, ScanFailuresAlarm counts a failed EC2 build already (the gate's
    // ScansFinished{outcome=error}); no second alarm on the fallback project's FailedBuilds (scan-failures-alarm.ts).
    alarm('ScanFailuresAlarm', scanFailures.description, scanFailures.metric);
    // A scan build that waited in CodeBuild's queue: the Lambda quota below scanCompute.lambdaConcurrency or shared with
    // another project on the same compute type, or EC2's too low (infra/scan-queue-alarm.ts).
    const queued = scanQueuedAlarmSpec([this.scanProject, ...(this.ec2FallbackScanProject ? [this.ec2FallbackScanProject] : [])], ALARM_PERIOD);
    alarm('ScanBuildsQueuedAlarm', queued.description, queued.metric, queued.thresholdSeconds);
  }

  /**
   * The topic's own policy (TLS only, EventBridge may publish) replaces SNS's default policy, which is what let
   * CloudWatch publish: without this statement every alarm notification is refused. Only this stack's alarms, in this
   * account, may publish (the confused-deputy conditions AWS recommends for service principals). A topic defined in
   * the same app gets the statement too; an imported one keeps its own policy (addToResourcePolicy leaves it alone),
   * which must allow this itself (docs/deploy.md).
   */
  private allowAlarmsToPublish(topic: sns.ITopic): void {
    if (this.alarms.length === 0) return;
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsOfThisStack',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
          ArnEquals: { 'aws:SourceArn': this.alarms.map((alarm) => alarm.alarmArn) },
        },
      }),
    );
  }

  /** A verdict kept for less than the policy's maxScanAge is rescanned earlier than the policy asks: say so at synth. */
  private warnIfVerdictsExpireBeforeMaxScanAge(): void {
    const maxAge = maxScanAgeMs(this.policy);
    if (maxAge !== undefined && this.settings.verdictTtl.toMilliseconds() < maxAge) {
      Annotations.of(this).addWarningV2(
        'fargate-gate:verdictTtlShorterThanMaxScanAge',
        `verdictTtl (${this.settings.verdictTtl.toHumanString()}) is shorter than the policy's maxScanAge (${this.policy.document.maxScanAge}): images are rescanned when their verdict expires`,
      );
    }
  }
}
