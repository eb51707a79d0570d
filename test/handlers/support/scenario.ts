import { createHash } from 'node:crypto';
import { parseScanReportText } from '../../../functions/core/findings';
import { reportKeyFor } from '../../../functions/core/gate/images';
import { assessImage, type LoadedPolicy, type Policy } from '../../../functions/core/policy';
import type { RunningTask, StoredVerdict } from '../../../functions/core/ports';
import { parseTaskDefinition } from '../../../functions/core/taskdef/parse';
import type { World } from './fakes';

export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';
export const CLUSTER = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/prod`;
export const REGISTRY = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`;

/** A stable, valid sha256 digest named after a label. */
export function digestOf(label: string): string {
  return `sha256:${createHash('sha256').update(label).digest('hex')}`;
}

export function taskArnOf(id: string): string {
  return `arn:aws:ecs:${REGION}:${ACCOUNT}:task/prod/${id}`;
}

export function taskDefinitionArnOf(family: string, revision = 1): string {
  return `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${family}:${revision}`;
}

export interface ContainerInput {
  name: string;
  image?: string;
  imageDigest?: string;
}

export interface TaskInput {
  id?: string;
  family?: string;
  service?: string;
  /**
   * `startedBy`: a service task's defaults to `ecs-svc/1234567890123456789` (one deployment); `null` leaves it out,
   * as a source that omits it would.
   */
  startedBy?: string | null;
  lastStatus?: string;
  desiredStatus?: string;
  version?: number;
  containers: ContainerInput[];
  overrides?: unknown;
  launchType?: string | null;
  capacityProviderName?: string;
  createdAt?: string;
  pullStartedAt?: string;
  /** `enableExecuteCommand` of the task, as the fivexl sample event carries it; left out when undefined, as older events do. */
  enableExecuteCommand?: boolean;
}

/** The `detail` of an ECS Task State Change, shaped like the AWS documentation's Fargate example. */
export function taskDetail(input: TaskInput): Record<string, unknown> {
  const id = input.id ?? 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
  const family = input.family ?? 'web';
  const detail: Record<string, unknown> = {
    clusterArn: CLUSTER,
    containers: input.containers.map((c) => ({
      containerArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:container/prod/${id}/${c.name}`,
      lastStatus: 'PENDING',
      name: c.name,
      ...(c.image !== undefined ? { image: c.image } : {}),
      ...(c.imageDigest !== undefined ? { imageDigest: c.imageDigest } : {}),
      taskArn: taskArnOf(id),
    })),
    createdAt: input.createdAt ?? '2026-01-05T08:59:58.000Z',
    desiredStatus: input.desiredStatus ?? 'RUNNING',
    group: input.service ? `service:${input.service}` : `family:${family}`,
    lastStatus: input.lastStatus ?? 'RUNNING',
    taskArn: taskArnOf(id),
    taskDefinitionArn: taskDefinitionArnOf(family),
    version: input.version ?? 3,
    platformVersion: '1.4.0',
  };
  if (input.launchType !== null) detail.launchType = input.launchType ?? 'FARGATE';
  if (input.capacityProviderName) detail.capacityProviderName = input.capacityProviderName;
  const startedBy = input.startedBy === undefined ? (input.service ? 'ecs-svc/1234567890123456789' : undefined) : input.startedBy;
  if (startedBy) detail.startedBy = startedBy;
  if (input.overrides !== undefined) detail.overrides = input.overrides;
  if (input.pullStartedAt !== undefined) detail.pullStartedAt = input.pullStartedAt;
  if (input.enableExecuteCommand !== undefined) detail.enableExecuteCommand = input.enableExecuteCommand;
  return detail;
}

export function taskEvent(input: TaskInput, eventId = 'evt-1'): Record<string, unknown> {
  const detail = taskDetail(input);
  return {
    version: '0',
    id: eventId,
    'detail-type': 'ECS Task State Change',
    source: 'aws.ecs',
    account: ACCOUNT,
    time: '2026-01-05T09:00:00Z',
    region: REGION,
    resources: [detail.taskArn],
    detail,
  };
}

/** The task as DescribeTasks shows it now (for waiters judged after a scan). */
export function runningTask(input: TaskInput): RunningTask {
  const detail = taskDetail(input);
  return {
    taskArn: detail.taskArn as string,
    clusterArn: CLUSTER,
    lastStatus: detail.lastStatus as string,
    desiredStatus: detail.desiredStatus as string,
    group: detail.group as string,
    ...(detail.startedBy ? { startedBy: detail.startedBy as string } : {}),
    taskDefinitionArn: detail.taskDefinitionArn as string,
    containers: input.containers.map((c) => ({ name: c.name, image: c.image ?? '', ...(c.imageDigest ? { imageDigest: c.imageDigest } : {}) })),
    ...(input.overrides !== undefined ? { overrides: input.overrides } : {}),
    createdAt: detail.createdAt as string,
    ...(input.pullStartedAt !== undefined ? { pullStartedAt: input.pullStartedAt } : {}),
  };
}

export interface ContainerDefinitionInput {
  name: string;
  image: string;
  user?: string;
  environment?: { name: string; value: string }[];
  readonlyRootFilesystem?: boolean;
}

/** Registers a task definition with the fake port, parsed the way the real adapter parses DescribeTaskDefinition. */
export function registerTaskDefinition(world: World, family: string, containers: ContainerDefinitionInput[], revision = 1): string {
  const arn = taskDefinitionArnOf(family, revision);
  world.taskDefinitions.specs.set(
    arn,
    parseTaskDefinition({ taskDefinition: { taskDefinitionArn: arn, family, revision, containerDefinitions: containers } }, `task definition ${arn}`),
  );
  return arn;
}

export interface ReportInput {
  reference: string;
  digest?: string;
  user?: string;
  critical?: number;
  createdAt?: string;
}

/** A Trivy JSON report (schema 2) for an image: user from the image config, `critical` fixable CRITICAL vulnerabilities. */
export function trivyReport(input: ReportInput): string {
  const vulnerabilities = Array.from({ length: input.critical ?? 0 }, (_, i) => ({
    VulnerabilityID: `CVE-2025-${String(1000 + i)}`,
    PkgName: 'openssl',
    InstalledVersion: '3.0.1-r0',
    FixedVersion: '3.0.2-r0',
    Status: 'fixed',
    Severity: 'CRITICAL',
    Title: 'openssl: something bad',
  }));
  const repository = input.reference.replace(/[:@].*$/, '');
  return JSON.stringify({
    SchemaVersion: 2,
    CreatedAt: input.createdAt ?? '2026-01-05T08:30:00Z',
    ArtifactName: input.reference,
    ArtifactType: 'container_image',
    Metadata: {
      OS: { Family: 'alpine', Name: '3.20.3' },
      ImageID: digestOf(`config ${input.reference}`),
      RepoDigests: input.digest ? [`${repository}@${input.digest}`] : [],
      ImageConfig: { architecture: 'amd64', os: 'linux', config: { User: input.user ?? '1000', Env: ['PATH=/usr/bin'] } },
    },
    Results: [{ Target: `${input.reference} (alpine 3.20.3)`, Class: 'os-pkgs', Type: 'alpine', Vulnerabilities: vulnerabilities }],
  });
}

/** Stores a verdict as a finished scan would have, scanned `ageMs` before now. */
export function storeVerdict(world: World, policy: LoadedPolicy<Policy>, digest: string, report: ReportInput, ageMs = 60_000, buildId = 'fargate-gate-scan:earlier'): StoredVerdict {
  const assessment = assessImage(policy, parseScanReportText(trivyReport({ digest, ...report }), 'test report'));
  const scannedAt = world.clock.now().getTime() - ageMs;
  const verdict: StoredVerdict = {
    digest,
    policyHash: policy.hash,
    assessment,
    buildId,
    reportLocation: `s3://reports-bucket/reports/${digest.replace(':', '/')}/earlier.json`,
    scannedAt: new Date(scannedAt).toISOString(),
    expiresAt: Math.floor(scannedAt / 1000) + 30 * 86_400,
  };
  world.store.verdicts.set(`${digest}#${policy.hash}`, verdict);
  return verdict;
}

/** Writes the report a scan build would upload for the scan record of `key`. */
export function uploadReport(world: World, key: string, report: ReportInput, prefix = 'reports/'): string {
  const scan = world.store.scans.get(key);
  if (!scan) throw new Error(`no scan record for ${key}`);
  const reportKey = reportKeyFor(prefix, key, scan.scanId);
  world.reports.objects.set(reportKey, trivyReport(report));
  return reportKey;
}

/**
 * A Build State Change of a scan build. Without `environment` it carries none (an event the gate must match by build
 * id alone); `scanBuildEvent` gives the build's real environment, as CodeBuild echoes it.
 */
export function buildEvent(buildId: string, status: string, project = 'fargate-gate-scan', environment?: Record<string, string>, time = '2026-01-05T09:05:00Z'): Record<string, unknown> {
  const arn = `arn:aws:codebuild:${REGION}:${ACCOUNT}:build/${buildId}`;
  const detail: Record<string, unknown> = { 'build-status': status, 'project-name': project, 'build-id': arn, 'current-phase': 'COMPLETED', version: '1' };
  if (environment) {
    detail['additional-information'] = {
      environment: {
        image: 'aws/codebuild/amazonlinux-x86_64-standard:5.0',
        'privileged-mode': false,
        type: 'LINUX_CONTAINER',
        'environment-variables': Object.entries(environment).map(([name, value]) => ({ name, type: 'PLAINTEXT', value })),
      },
    };
  }
  return { version: '0', id: `build-${buildId}-${status}`, 'detail-type': 'CodeBuild Build State Change', source: 'aws.codebuild', account: ACCOUNT, time, region: REGION, resources: [arn], detail };
}

/** The Build State Change of the build running the scan of `key`, with the environment the gate started it with. */
export function scanBuildEvent(world: World, key: string, status: string, time?: string): Record<string, unknown> {
  const scan = world.store.scans.get(key);
  const request = world.scanner.requests.find((r) => r.scanId === scan?.scanId);
  if (!scan?.buildId || !request) throw new Error(`no build for ${key}`);
  const environment = { IMAGE_REF: request.imageReference, IMAGE_DIGEST: request.digest, REPORT_KEY: request.reportKey, SCAN_ID: request.scanId };
  return buildEvent(scan.buildId, status, 'fargate-gate-scan', environment, time);
}

export function sweepEvent(): Record<string, unknown> {
  return {
    version: '0',
    id: 'sweep-1',
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: ACCOUNT,
    time: '2026-01-05T09:15:00Z',
    region: REGION,
    resources: [`arn:aws:events:${REGION}:${ACCOUNT}:rule/fargate-gate-sweep`],
    detail: {},
  };
}

export const SERVICE_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:service/prod/web`;
export const REVISION_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:service-revision/prod/web/9313423515462893900`;

export function hookPayload(options: { executionId?: string; stage?: string; hookDetails?: Record<string, unknown> } = {}): Record<string, unknown> {
  return {
    executionId: options.executionId ?? 'e8d5a28f-eb01-4f3c-9454-a30ba6dc54bc',
    lifecycleStage: options.stage ?? 'PRE_SCALE_UP',
    resourceArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:service-deployment/prod/web/EZe5RNVLH6PPzHXINuP28`,
    executionDetails: { serviceArn: SERVICE_ARN, targetServiceRevisionArn: REVISION_ARN, testTrafficWeights: {}, productionTrafficWeights: {} },
    ...(options.hookDetails ? { hookDetails: options.hookDetails } : {}),
  };
}
