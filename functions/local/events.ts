import { scanBuildEnvironment, type FakeBuild } from './codebuild';
import type { WorldDeployment, WorldService, WorldTask } from './ecs';
import { statusRank } from './ecs';
import { arns, type AwsLocation } from './ids';

/**
 * The events the fake world emits, in the exact shapes AWS delivers to EventBridge targets (envelope
 * `version/id/detail-type/source/account/time/region/resources/detail`). The scenario runner and the
 * benchmark feed these to the gate, so they must be what the real parsers accept: tests check that.
 */
export interface EventBridgeEvent<TDetail = Record<string, unknown>> {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: TDetail;
}

interface Envelope {
  location: AwsLocation;
  id: string;
  /** Epoch ms */
  time: number;
}

function envelope<T>(base: Envelope, detailType: string, source: string, resources: string[], detail: T): EventBridgeEvent<T> {
  return {
    version: '0',
    id: base.id,
    'detail-type': detailType,
    source,
    account: base.location.account,
    // EventBridge `time` has second precision.
    time: new Date(Math.floor(base.time / 1000) * 1000).toISOString().replace('.000Z', 'Z'),
    region: base.location.region,
    resources,
    detail,
  };
}

const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());

function compact<T extends Record<string, unknown>>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as T;
}

/** "ECS Task State Change" (the detail resembles DescribeTasks' Task, with ISO timestamps). */
export function taskStateChangeEvent(task: WorldTask, base: Envelope): EventBridgeEvent {
  const showDigest = statusRank(task.lastStatus) >= statusRank(task.digestVisibleFrom);
  const eniId = `eni-${task.taskArn.slice(-17)}`;
  const detail = compact({
    attachments: [
      {
        id: `${task.taskArn.slice(-8)}-eni`,
        type: 'eni',
        status: task.lastStatus === 'PROVISIONING' ? 'PRECREATED' : task.lastStatus === 'STOPPED' ? 'DELETED' : 'ATTACHED',
        details: [
          { name: 'subnetId', value: 'subnet-0a1b2c3d4e5f60718' },
          { name: 'networkInterfaceId', value: eniId },
        ],
      },
    ],
    availabilityZone: `${base.location.region}a`,
    clusterArn: task.clusterArn,
    containers: task.containers.map((container) =>
      compact({
        containerArn: container.containerArn,
        lastStatus: container.lastStatus,
        name: container.name,
        image: container.image,
        imageDigest: showDigest ? container.imageDigest : undefined,
        runtimeId: container.runtimeId,
        taskArn: task.taskArn,
        exitCode: container.exitCode,
        networkInterfaces: [],
        cpu: '0',
      }),
    ),
    createdAt: iso(task.createdAt),
    launchType: 'FARGATE',
    capacityProviderName: 'FARGATE',
    cpu: '256',
    memory: '512',
    desiredStatus: task.desiredStatus,
    group: task.group,
    lastStatus: task.lastStatus,
    overrides: task.overrides,
    connectivity: task.connectivityAt !== undefined && task.lastStatus !== 'STOPPED' ? 'CONNECTED' : undefined,
    connectivityAt: iso(task.connectivityAt),
    pullStartedAt: iso(task.pullStartedAt),
    pullStoppedAt: iso(task.pullStoppedAt),
    startedAt: iso(task.startedAt),
    startedBy: task.startedBy,
    stoppingAt: iso(task.stoppingAt),
    stoppedAt: iso(task.stoppedAt),
    executionStoppedAt: iso(task.stoppedAt),
    stopCode: task.stopCode,
    stoppedReason: task.stoppedReason,
    updatedAt: iso(task.updatedAt),
    taskArn: task.taskArn,
    taskDefinitionArn: task.taskDefinitionArn,
    version: task.version,
    // As in the fivexl sample event (../shared/conformance/events): the task carries enableExecuteCommand and the resolved platformVersion.
    enableExecuteCommand: task.enableExecuteCommand,
    platformVersion: task.platformVersion,
    platformFamily: 'Linux',
    ephemeralStorage: { sizeInGiB: 20 },
  });
  return envelope(base, 'ECS Task State Change', 'aws.ecs', [task.taskArn], detail);
}

/** CloudTrail's timestamp style inside `responseElements` ("Jan 5, 2026, 9:00:00 AM"). */
function cloudTrailDate(ms: number): string {
  const date = new Date(ms);
  const month = date.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  const hours = date.getUTCHours();
  const time = `${hours % 12 === 0 ? 12 : hours % 12}:${String(date.getUTCMinutes()).padStart(2, '0')}:${String(date.getUTCSeconds()).padStart(2, '0')} ${hours < 12 ? 'AM' : 'PM'}`;
  return `${month} ${date.getUTCDate()}, ${date.getUTCFullYear()}, ${time}`;
}

export interface Principal {
  /** IAM ARN of the caller: `arn:aws:iam::<acct>:user/<name>` or `arn:aws:sts::<acct>:assumed-role/<role>/<session>`. */
  arn: string;
}

function userIdentity(principal: Principal, location: AwsLocation): Record<string, unknown> {
  const assumed = /^arn:aws:sts::(\d{12}):assumed-role\/([^/]+)\/(.+)$/.exec(principal.arn);
  if (assumed) {
    return {
      type: 'AssumedRole',
      principalId: `AROAEXAMPLEROLEID0001:${assumed[3]}`,
      arn: principal.arn,
      accountId: assumed[1],
      accessKeyId: 'ASIAEXAMPLEKEYID0001',
      sessionContext: {
        sessionIssuer: { type: 'Role', principalId: 'AROAEXAMPLEROLEID0001', arn: `arn:aws:iam::${assumed[1]}:role/${assumed[2]}`, accountId: assumed[1], userName: assumed[2] },
        attributes: { creationDate: '2026-01-01T00:00:00Z', mfaAuthenticated: 'false' },
      },
    };
  }
  const user = /^arn:aws:iam::(\d{12}):user\/(.+)$/.exec(principal.arn);
  return {
    type: 'IAMUser',
    principalId: 'AIDAEXAMPLEUSERID0001',
    arn: principal.arn,
    accountId: user ? user[1] : location.account,
    accessKeyId: 'AKIAEXAMPLEKEYID0001',
    userName: user ? user[2] : principal.arn,
  };
}

/** "AWS API Call via CloudTrail" for a successful RunTask that started `tasks`. */
export function runTaskCloudTrailEvent(
  tasks: WorldTask[],
  request: { cluster: string; taskDefinition: string; overrides?: unknown; startedBy?: string; count: number },
  principal: Principal,
  base: Envelope & { requestId: string; eventId: string },
): EventBridgeEvent {
  const detail = {
    eventVersion: '1.08',
    userIdentity: userIdentity(principal, base.location),
    eventTime: new Date(Math.floor(base.time / 1000) * 1000).toISOString().replace('.000Z', 'Z'),
    eventSource: 'ecs.amazonaws.com',
    eventName: 'RunTask',
    awsRegion: base.location.region,
    sourceIPAddress: '198.51.100.7',
    userAgent: 'aws-cli/2.22.0 md/awscrt#0.22.0 ua/2.0 os/linux md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#amzn.2 command/ecs.run-task',
    requestParameters: compact({
      cluster: request.cluster,
      count: request.count,
      enableECSManagedTags: false,
      enableExecuteCommand: false,
      launchType: 'FARGATE',
      networkConfiguration: { awsvpcConfiguration: { assignPublicIp: 'DISABLED', subnets: ['subnet-0a1b2c3d4e5f60718'], securityGroups: ['sg-0123456789abcdef0'] } },
      overrides: request.overrides,
      startedBy: request.startedBy,
      taskDefinition: request.taskDefinition,
    }),
    responseElements: {
      failures: [],
      tasks: tasks.map((task) =>
        compact({
          attachments: [{ id: `${task.taskArn.slice(-8)}-eni`, type: 'ElasticNetworkInterface', status: 'PRECREATED', details: [{ name: 'subnetId', value: 'subnet-0a1b2c3d4e5f60718' }] }],
          availabilityZone: `${base.location.region}a`,
          clusterArn: task.clusterArn,
          containers: task.containers.map((container) => ({
            containerArn: container.containerArn,
            taskArn: task.taskArn,
            name: container.name,
            image: container.image,
            lastStatus: 'PENDING',
            networkInterfaces: [],
            cpu: '0',
          })),
          cpu: '256',
          createdAt: cloudTrailDate(task.createdAt),
          desiredStatus: 'RUNNING',
          enableExecuteCommand: task.enableExecuteCommand,
          group: task.group,
          lastStatus: 'PROVISIONING',
          launchType: 'FARGATE',
          memory: '512',
          overrides: task.overrides,
          platformVersion: task.platformVersion,
          platformFamily: 'Linux',
          startedBy: task.startedBy,
          tags: [],
          taskArn: task.taskArn,
          taskDefinitionArn: task.taskDefinitionArn,
          version: 1,
        }),
      ),
    },
    requestID: base.requestId,
    eventID: base.eventId,
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: base.location.account,
    eventCategory: 'Management',
  };
  return envelope(base, 'AWS API Call via CloudTrail', 'aws.ecs', [], detail);
}

/** CodeBuild's "Sep 1, 2017 4:12:29 PM" style, used in `additional-information`. */
function codeBuildDate(ms: number): string {
  return cloudTrailDate(ms).replace(/, (\d{1,2}:)/, ' $1');
}

/** "CodeBuild Build State Change" for a finished (or started) build. */
export function buildStateChangeEvent(build: FakeBuild, base: Envelope): EventBridgeEvent {
  const logStream = build.buildArn.slice(build.buildArn.lastIndexOf(':') + 1);
  const done = build.status !== 'IN_PROGRESS';
  const phases: Record<string, unknown>[] = [
    { 'phase-context': [], 'start-time': codeBuildDate(build.startedAt), 'end-time': codeBuildDate(build.startedAt), 'duration-in-seconds': 0, 'phase-type': 'SUBMITTED', 'phase-status': 'SUCCEEDED' },
  ];
  if (done) {
    const end = build.endedAt ?? build.startedAt;
    phases.push({
      'phase-context': build.failure ? [`COMMAND_EXECUTION_ERROR: Error while executing command: fargate-gate-scan. Reason: ${build.failure}`] : [],
      'start-time': codeBuildDate(build.startedAt),
      'end-time': codeBuildDate(end),
      'duration-in-seconds': Math.round((end - build.startedAt) / 1000),
      'phase-type': 'BUILD',
      'phase-status': build.status === 'SUCCEEDED' ? 'SUCCEEDED' : build.status,
    });
    phases.push({ 'start-time': codeBuildDate(end), 'phase-type': 'COMPLETED' });
  }
  const detail = {
    'build-status': build.status,
    'project-name': build.projectName,
    'build-id': build.buildArn,
    'additional-information': {
      cache: { type: 'NO_CACHE' },
      'timeout-in-minutes': 60,
      'build-complete': done,
      initiator: 'fargate-gate',
      'build-start-time': codeBuildDate(build.startedAt),
      source: { type: 'NO_SOURCE', buildspec: 'buildspecs/inline-scan.yml' },
      environment: {
        image: 'aws/codebuild/amazonlinux-x86_64-standard:5.0',
        'privileged-mode': false,
        'image-pull-credentials-type': 'CODEBUILD',
        'compute-type': 'BUILD_GENERAL1_SMALL',
        type: 'LINUX_CONTAINER',
        'environment-variables': scanBuildEnvironment(build.request),
      },
      logs: {
        'group-name': `/aws/codebuild/${build.projectName}`,
        'stream-name': logStream,
        'deep-link': `https://console.aws.amazon.com/cloudwatch/home?region=${base.location.region}#logEvent:group=/aws/codebuild/${build.projectName};stream=${logStream}`,
      },
      phases,
      'queued-timeout-in-minutes': 480,
    },
    'current-phase': done ? 'COMPLETED' : 'SUBMITTED',
    'current-phase-context': '[]',
    version: '1',
  };
  return envelope(base, 'CodeBuild Build State Change', 'aws.codebuild', [build.buildArn], detail);
}

/** "ECR Image Action" for a successful push of `repository:tag` at `digest`. */
export function ecrPushEvent(repository: string, digest: string, tag: string | undefined, base: Envelope): EventBridgeEvent {
  const detail = compact({
    result: 'SUCCESS',
    'repository-name': repository,
    'image-digest': digest,
    'action-type': 'PUSH',
    'image-tag': tag,
    'manifest-media-type': 'application/vnd.oci.image.manifest.v1+json',
    'artifact-media-type': 'application/vnd.oci.image.config.v1+json',
  });
  return envelope(base, 'ECR Image Action', 'aws.ecr', [`arn:aws:ecr:${base.location.region}:${base.location.account}:repository/${repository}`], detail);
}

/** EventBridge "Scheduled Event" of the gate's sweep rule. */
export function scheduledEvent(ruleName: string, base: Envelope): EventBridgeEvent {
  return envelope(base, 'Scheduled Event', 'aws.events', [arns.rule(base.location, ruleName)], {});
}

/**
 * What ECS passes to a deployment lifecycle hook Lambda ("Lifecycle payloads" in the ECS developer guide):
 * the execution, the stage, the service deployment, and `hookDetails` (the hook configuration's, merged with
 * what earlier IN_PROGRESS answers returned).
 */
export interface LifecycleHookPayload {
  executionId: string;
  lifecycleStage: string;
  resourceArn: string;
  executionDetails: {
    serviceArn: string;
    targetServiceRevisionArn: string;
    testTrafficWeights: Record<string, number>;
    productionTrafficWeights: Record<string, number>;
  };
  hookDetails?: Record<string, unknown>;
}

export function lifecycleHookPayload(
  service: WorldService,
  deployment: WorldDeployment,
  previous: WorldDeployment | undefined,
  executionId: string,
  hookDetails: Record<string, unknown> | undefined,
): LifecycleHookPayload {
  return {
    executionId,
    lifecycleStage: 'PRE_SCALE_UP',
    resourceArn: deployment.arn,
    executionDetails: {
      serviceArn: service.serviceArn,
      targetServiceRevisionArn: deployment.revisionArn,
      testTrafficWeights: {},
      productionTrafficWeights: previous ? { [previous.revisionArn]: 100 } : {},
    },
    ...(hookDetails && Object.keys(hookDetails).length > 0 ? { hookDetails } : {}),
  };
}

/**
 * "ECS Hook State Change" with event name HOOK_AWAITING_ACTION: a deployment stopped at its PAUSE hook, in the shape of
 * AWS's published example ("Amazon ECS service deployment hook state change events",
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_hook_state_change_events.html; the gate's tests use
 * it as test/fixtures/events/ecs-hook-state-change-awaiting-action-pre-scale-up.json): `resources` names the service
 * deployment, the detail the hook, its type, stage and expiry, and the cluster, service and deployment. The gate reads
 * the hook back from DescribeServiceDeployments before acting.
 */
export function hookStateChangeEvent(service: WorldService, deployment: WorldDeployment, base: Envelope): EventBridgeEvent {
  const expiresAt = iso(deployment.pause?.expiresAt);
  return envelope(base, 'ECS Hook State Change', 'aws.ecs', [deployment.arn], {
    eventType: 'INFO',
    eventName: 'HOOK_AWAITING_ACTION',
    ...(deployment.pause ? { hookId: deployment.pause.hookId } : {}),
    hookType: 'PAUSE',
    ...(expiresAt ? { expiresAt: expiresAt.replace('.000Z', 'Z') } : {}),
    lifecycleStage: 'PRE_SCALE_UP',
    clusterArn: service.clusterArn,
    serviceArn: service.serviceArn,
    serviceDeploymentArn: deployment.arn,
    updatedAt: new Date(base.time).toISOString(),
  });
}
