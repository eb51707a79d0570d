import type { Template } from 'aws-cdk-lib/assertions';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { readImagePush } from '../../functions/core/events/ecr-image-action';
import type { FargateGateProps } from '../../infra/fargate-gate';
import { conformanceFiles, describeWithConformance } from '../support/conformance';
import { matchesEventPattern, validateEventPattern } from '../support/event-pattern';
import { synthGate, TEST_ENV } from '../support/gate-stack';
import { resolveIntrinsics } from '../support/intrinsics';
import { assertProperty } from '../support/property';

// The awsdocs sample events are for account 111122223333 in us-west-2, which is where the test stack deploys.
const PROJECT_NAME = 'my-sample-project';
/** The EC2 fallback project of a scan project on Lambda compute (the test region's default). */
const FALLBACK_PROJECT_NAME = 'my-sample-project-ec2';

type RuleName = 'FargateTaskStarting' | 'RunTaskCall' | 'ScanBuildState' | 'ImagePush' | 'VerdictNotifications' | 'HookAwaitingAction';

/** The deployed event pattern of one rule, with intrinsics resolved as CloudFormation would in the test account. */
function patternOf(template: Template, rule: RuleName): Record<string, unknown> {
  const rules = template.findResources('AWS::Events::Rule');
  // The scan project (the managed DB mirror, on by default, has a refresh project too).
  const projectId = Object.keys(template.findResources('AWS::CodeBuild::Project')).find((id) => id.startsWith('GateScanProject'))!;
  const fallbackId = Object.keys(template.findResources('AWS::CodeBuild::Project')).find((id) => id.startsWith('GateEc2FallbackScanProject'));
  const entry = Object.entries(rules).find(([logicalId]) => logicalId.startsWith(`Gate${rule}`));
  if (!entry) throw new Error(`no rule ${rule}; rules are ${Object.keys(rules).join(', ')}`);
  const pattern = resolveIntrinsics(entry[1].Properties.EventPattern, { ...TEST_ENV, refs: { [projectId]: PROJECT_NAME, ...(fallbackId ? { [fallbackId]: FALLBACK_PROJECT_NAME } : {}) } }) as Record<string, unknown>;
  validateEventPattern(pattern);
  return pattern;
}

function gatePattern(rule: RuleName, props: FargateGateProps = {}): Record<string, unknown> {
  return patternOf(synthGate({ notifications: { email: 'ops@example.com' }, ...props }).template, rule);
}

/** A field set to undefined is a field the event does not have. */
function withoutUndefined(object: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined));
}

function readEvent(file: string): unknown {
  const text = readFileSync(file, 'utf8');
  return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
}

/** Conformance events that are EventBridge envelopes (CloudTrail records are wrapped as EventBridge delivers them). */
function conformanceEvents(): { name: string; event: Record<string, unknown> }[] {
  return conformanceFiles('events').map((file) => {
    const raw = readEvent(file) as Record<string, unknown>;
    const event =
      'detail-type' in raw
        ? raw
        : {
            version: '0',
            id: 'wrapped',
            'detail-type': 'AWS API Call via CloudTrail',
            source: `aws.${String(raw.eventSource).split('.')[0]}`,
            account: raw.recipientAccountId,
            time: raw.eventTime,
            region: raw.awsRegion,
            resources: [],
            detail: raw,
          };
    return { name: basename(file), event };
  });
}

function matchingConformance(pattern: Record<string, unknown>): string[] {
  return conformanceEvents()
    .filter(({ event }) => matchesEventPattern(pattern, event))
    .map(({ name }) => name)
    .sort();
}

function taskEvent(detail: Record<string, unknown>, envelope: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    version: '0',
    id: 'e1',
    'detail-type': 'ECS Task State Change',
    source: 'aws.ecs',
    account: TEST_ENV.account,
    time: '2026-01-01T00:00:00Z',
    region: TEST_ENV.region,
    resources: ['arn:aws:ecs:us-west-2:111122223333:task/FargateCluster/abc'],
    ...envelope,
    detail: {
      clusterArn: 'arn:aws:ecs:us-west-2:111122223333:cluster/FargateCluster',
      taskArn: 'arn:aws:ecs:us-west-2:111122223333:task/FargateCluster/abc',
      launchType: 'FARGATE',
      desiredStatus: 'RUNNING',
      lastStatus: 'PROVISIONING',
      containers: [{ name: 'app', image: 'nginx:1.27' }],
      version: 1,
      ...detail,
    },
  };
}

describe('Fargate task rule', () => {
  const all = gatePattern('FargateTaskStarting');

  it.each(['PROVISIONING', 'PENDING', 'ACTIVATING', 'RUNNING'])('matches a Fargate task that is %s and meant to run', (lastStatus) => {
    expect(matchesEventPattern(all, taskEvent({ lastStatus }))).toBe(true);
  });

  it.each(['DEACTIVATING', 'STOPPING', 'DEPROVISIONING', 'STOPPED'])('ignores a task that is %s', (lastStatus) => {
    expect(matchesEventPattern(all, taskEvent({ lastStatus, desiredStatus: 'STOPPED' }))).toBe(false);
  });

  it('ignores a running task somebody already asked to stop', () => {
    expect(matchesEventPattern(all, taskEvent({ lastStatus: 'RUNNING', desiredStatus: 'STOPPED' }))).toBe(false);
  });

  it('matches capacity-provider Fargate tasks even when the event has no launchType', () => {
    expect(matchesEventPattern(all, taskEvent({ launchType: undefined, capacityProviderName: 'FARGATE_SPOT' }))).toBe(true);
    expect(matchesEventPattern(all, taskEvent({ launchType: undefined, capacityProviderName: 'FARGATE' }))).toBe(true);
  });

  it.each([
    ['an EC2 task', { launchType: 'EC2' }],
    ['an ECS Anywhere task', { launchType: 'EXTERNAL' }],
    ['an EC2 capacity-provider task', { launchType: undefined, capacityProviderName: 'my-asg-provider' }],
    ['a task with no launch type at all', { launchType: undefined }],
  ])('ignores %s', (_name, detail) => {
    expect(matchesEventPattern(all, taskEvent(detail))).toBe(false);
  });

  it('with every cluster in scope, still ignores clusters of another account or region', () => {
    expect(matchesEventPattern(all, taskEvent({ clusterArn: 'arn:aws:ecs:us-west-2:111122223333:cluster/anything' }))).toBe(true);
    expect(matchesEventPattern(all, taskEvent({ clusterArn: 'arn:aws:ecs:us-west-2:444455556666:cluster/FargateCluster' }))).toBe(false);
    expect(matchesEventPattern(all, taskEvent({ clusterArn: 'arn:aws:ecs:eu-west-1:111122223333:cluster/FargateCluster' }))).toBe(false);
  });

  it('with listed clusters, matches only those (by name or ARN)', () => {
    const listed = gatePattern('FargateTaskStarting', { clusters: ['FargateCluster', 'arn:aws:ecs:us-west-2:111122223333:cluster/batch'] });
    expect(matchesEventPattern(listed, taskEvent({}))).toBe(true);
    expect(matchesEventPattern(listed, taskEvent({ clusterArn: 'arn:aws:ecs:us-west-2:111122223333:cluster/batch' }))).toBe(true);
    expect(matchesEventPattern(listed, taskEvent({ clusterArn: 'arn:aws:ecs:us-west-2:111122223333:cluster/FargateCluster-2' }))).toBe(false);
    expect(matchesEventPattern(listed, taskEvent({ clusterArn: 'arn:aws:ecs:us-west-2:111122223333:cluster/sandbox' }))).toBe(false);
  });

  it('ignores other ECS events and other sources', () => {
    expect(matchesEventPattern(all, taskEvent({}, { 'detail-type': 'ECS Container Instance State Change' }))).toBe(false);
    expect(matchesEventPattern(all, taskEvent({}, { source: 'custom.ecs' }))).toBe(false);
  });

  describeWithConformance('against the real sample events', () => {
    it('matches exactly the Fargate task events that are starting or running', () => {
      expect(matchingConformance(all)).toEqual([
        'ecs-task-state-change-fargate-running-awsdocs.json',
        'ecs-task-state-change-fargate-running-env-override-bom-aws-lambda-dotnet.json',
      ]);
    });

    it('with another cluster listed, matches none of them', () => {
      expect(matchingConformance(gatePattern('FargateTaskStarting', { clusters: ['production'] }))).toEqual([]);
    });
  });
});

describe('CloudTrail RunTask rule', () => {
  const pattern = gatePattern('RunTaskCall');
  const call = (detail: Record<string, unknown>) => ({
    version: '0',
    id: 'c1',
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.ecs',
    account: TEST_ENV.account,
    time: '2026-01-01T00:00:00Z',
    region: TEST_ENV.region,
    resources: [],
    detail: {
      eventVersion: '1.08',
      userIdentity: { type: 'AssumedRole', arn: 'arn:aws:sts::111122223333:assumed-role/deployer/session' },
      eventSource: 'ecs.amazonaws.com',
      eventName: 'RunTask',
      awsRegion: TEST_ENV.region,
      requestParameters: { cluster: 'FargateCluster', taskDefinition: 'web:3', launchType: 'FARGATE' },
      responseElements: { tasks: [{ taskArn: 'arn:aws:ecs:us-west-2:111122223333:task/FargateCluster/abc' }], failures: [] },
      eventType: 'AwsApiCall',
      ...detail,
    },
  });

  it('matches a successful RunTask call, with or without a launch type in the request', () => {
    expect(matchesEventPattern(pattern, call({}))).toBe(true);
    expect(matchesEventPattern(pattern, call({ requestParameters: { taskDefinition: 'web:3', capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT' }] } }))).toBe(true);
  });

  it('ignores denied or failed calls', () => {
    expect(matchesEventPattern(pattern, call({ errorCode: 'AccessDenied', errorMessage: 'not authorized', responseElements: null }))).toBe(false);
  });

  it.each(['StartTask', 'CreateService', 'UpdateService', 'StopTask', 'CreateCluster'])('ignores %s', (eventName) => {
    expect(matchesEventPattern(pattern, call({ eventName }))).toBe(false);
  });

  it('ignores RunTask-named calls of other services', () => {
    expect(matchesEventPattern(pattern, { ...call({ eventSource: 'other.amazonaws.com' }) })).toBe(false);
  });

  describeWithConformance('against the real sample events', () => {
    it('matches none of them (the samples hold no RunTask call)', () => {
      expect(matchingConformance(pattern)).toEqual([]);
    });
  });
});

describe('scan build rule', () => {
  const pattern = gatePattern('ScanBuildState');
  const build = (detail: Record<string, unknown>, detailType = 'CodeBuild Build State Change') => ({
    version: '0',
    id: 'b1',
    'detail-type': detailType,
    source: 'aws.codebuild',
    account: TEST_ENV.account,
    time: '2026-01-01T00:00:00Z',
    region: TEST_ENV.region,
    resources: [],
    detail: { 'build-status': 'SUCCEEDED', 'project-name': PROJECT_NAME, 'build-id': 'arn:aws:codebuild:us-west-2:111122223333:build/x:1', ...detail },
  });

  it.each(['IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'STOPPED', 'FAULT', 'TIMED_OUT'])('matches every state change of the scan project (%s)', (status) => {
    expect(matchesEventPattern(pattern, build({ 'build-status': status }))).toBe(true);
  });

  it("matches the EC2 fallback project's state changes too, and only where the stack has one", () => {
    expect(matchesEventPattern(pattern, build({ 'project-name': FALLBACK_PROJECT_NAME, 'build-status': 'SUCCEEDED' }))).toBe(true);
    const ec2 = gatePattern('ScanBuildState', { scanCompute: { mode: 'ec2' } });
    expect(matchesEventPattern(ec2, build({ 'project-name': FALLBACK_PROJECT_NAME }))).toBe(false);
    expect(matchesEventPattern(ec2, build({}))).toBe(true);
  });

  it('ignores other projects and phase changes', () => {
    expect(matchesEventPattern(pattern, build({ 'project-name': 'someone-elses-build' }))).toBe(false);
    expect(matchesEventPattern(pattern, build({ 'project-name': `${PROJECT_NAME}-2` }))).toBe(false);
    expect(matchesEventPattern(pattern, build({}, 'CodeBuild Build Phase Change'))).toBe(false);
  });

  describeWithConformance('against the real sample events', () => {
    it('matches the build state changes of the project and not its phase changes', () => {
      expect(matchingConformance(pattern)).toEqual(['codebuild-build-state-change-aws-lambda-go.json', 'codebuild-build-state-change-awsdocs.json']);
    });
  });
});

describe('ECR push rule', () => {
  const push = (detail: Record<string, unknown>) => ({
    version: '0',
    id: 'p1',
    'detail-type': 'ECR Image Action',
    source: 'aws.ecr',
    account: TEST_ENV.account,
    time: '2026-01-01T00:00:00Z',
    region: TEST_ENV.region,
    resources: [],
    detail: withoutUndefined({ result: 'SUCCESS', 'repository-name': 'team-a/api', 'image-digest': `sha256:${'a'.repeat(64)}`, 'action-type': 'PUSH', 'image-tag': 'v1', ...detail }),
  });

  it('matches successful pushes to any repository by default', () => {
    const pattern = gatePattern('ImagePush');
    expect(matchesEventPattern(pattern, push({}))).toBe(true);
    expect(matchesEventPattern(pattern, push({ 'image-tag': undefined }))).toBe(true);
  });

  it('ignores failed pushes and deletions', () => {
    const pattern = gatePattern('ImagePush');
    expect(matchesEventPattern(pattern, push({ result: 'FAILURE' }))).toBe(false);
    expect(matchesEventPattern(pattern, push({ 'action-type': 'DELETE' }))).toBe(false);
  });

  it('with repositories in scope, matches only those names and patterns', () => {
    const pattern = gatePattern('ImagePush', { ecrRepositories: ['team-a/*', 'shared-base'] });
    expect(matchesEventPattern(pattern, push({}))).toBe(true);
    expect(matchesEventPattern(pattern, push({ 'repository-name': 'shared-base' }))).toBe(true);
    expect(matchesEventPattern(pattern, push({ 'repository-name': 'team-b/api' }))).toBe(false);
    expect(matchesEventPattern(pattern, push({ 'repository-name': 'shared-base-2' }))).toBe(false);
  });

  const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
  const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';

  it.each<[string, Record<string, unknown>]>([
    ['an OCI image (as ECR reports it today)', { 'manifest-media-type': OCI_MANIFEST, 'artifact-media-type': OCI_CONFIG }],
    ['a Docker image', { 'manifest-media-type': 'application/vnd.docker.distribution.manifest.v2+json', 'artifact-media-type': 'application/vnd.docker.container.image.v1+json' }],
    ['an OCI image index (no config, so no artifact type)', { 'manifest-media-type': 'application/vnd.oci.image.index.v1+json', 'artifact-media-type': undefined }],
    ['a Docker manifest list', { 'manifest-media-type': 'application/vnd.docker.distribution.manifest.list.v2+json', 'artifact-media-type': undefined }],
    ['an image pushed by digest (empty tag)', { 'manifest-media-type': OCI_MANIFEST, 'artifact-media-type': OCI_CONFIG, 'image-tag': '' }],
    ['an image pushed by digest (no tag)', { 'manifest-media-type': OCI_MANIFEST, 'artifact-media-type': OCI_CONFIG, 'image-tag': undefined }],
    ['an older event without media types', {}],
  ])('scans %s', (_name, detail) => {
    expect(matchesEventPattern(gatePattern('ImagePush'), push(detail))).toBe(true);
  });

  it.each<[string, Record<string, unknown>]>([
    ['a cosign signature', { 'manifest-media-type': OCI_MANIFEST, 'artifact-media-type': OCI_CONFIG, 'image-tag': `sha256-${'a'.repeat(64)}.sig` }],
    ['a cosign attestation', { 'manifest-media-type': OCI_MANIFEST, 'artifact-media-type': OCI_CONFIG, 'image-tag': `sha256-${'a'.repeat(64)}.att` }],
    ['a cosign SBOM', { 'manifest-media-type': OCI_MANIFEST, 'artifact-media-type': OCI_CONFIG, 'image-tag': `sha256-${'a'.repeat(64)}.sbom` }],
    ['an SBOM referrer (ECR\'s own sample)', { 'manifest-media-type': 'application/vnd.cncf.oras.artifact.manifest.v1+json', 'artifact-media-type': 'text/sbom+json' }],
    ['a Sigstore bundle referrer', { 'manifest-media-type': OCI_MANIFEST, 'artifact-media-type': 'application/vnd.dev.sigstore.bundle.v0.3+json', 'image-tag': undefined }],
    ['a Notation signature', { 'manifest-media-type': OCI_MANIFEST, 'artifact-media-type': 'application/vnd.cncf.notary.signature', 'image-tag': undefined }],
    ['a BuildKit registry cache', { 'manifest-media-type': OCI_MANIFEST, 'artifact-media-type': 'application/vnd.buildkit.cacheconfig.v0', 'image-tag': 'buildcache' }],
    ['a Helm chart', { 'manifest-media-type': OCI_MANIFEST, 'artifact-media-type': 'application/vnd.cncf.helm.config.v1+json', 'image-tag': '1.2.0' }],
  ])('does not scan %s', (_name, detail) => {
    expect(matchesEventPattern(gatePattern('ImagePush'), push(detail))).toBe(false);
  });

  it('agrees with the handler on every combination of media types and tags', () => {
    const pattern = gatePattern('ImagePush');
    const optional = <T>(values: T[]) => fc.option(fc.constantFrom(...values), { nil: undefined });
    assertProperty(
      fc.property(
        optional([OCI_MANIFEST, 'application/vnd.docker.distribution.manifest.v2+json', 'application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json', 'application/vnd.cncf.oras.artifact.manifest.v1+json', 'application/vnd.oci.artifact.manifest.v1+json']),
        optional([OCI_CONFIG, 'application/vnd.docker.container.image.v1+json', 'application/vnd.cncf.helm.config.v1+json', 'application/vnd.oci.empty.v1+json', 'text/sbom+json']),
        optional(['', 'latest', 'v1.2.3', `sha256-${'b'.repeat(64)}.sig`, `sha256-${'b'.repeat(64)}.att`, `sha256-${'b'.repeat(64)}.sbom`, 'sha256-x', 'release.sig']),
        (manifest, artifact, tag) => {
          const event = push({ 'manifest-media-type': manifest, 'artifact-media-type': artifact, 'image-tag': tag });
          const reading = readImagePush(event.detail, { account: TEST_ENV.account, region: TEST_ENV.region });
          expect({ manifest, artifact, tag, rule: matchesEventPattern(pattern, event) }).toEqual({ manifest, artifact, tag, rule: reading.ok });
        },
      ),
      { numRuns: 400 },
    );
  });

  it('is absent when prescanning is off', () => {
    const { template } = synthGate({ prescanOnPush: false });
    expect(() => patternOf(template, 'ImagePush')).toThrow(/no rule ImagePush/);
  });

  describeWithConformance('against the real sample events', () => {
    it('matches the push sample and not the delete or scan samples', () => {
      expect(matchingConformance(gatePattern('ImagePush'))).toEqual(['ecr-image-action-push-awsdocs.json']);
      expect(matchingConformance(gatePattern('ImagePush', { ecrRepositories: ['other-repository'] }))).toEqual([]);
    });
  });
});

describe('verdict notification rule', () => {
  const verdict = (detail: Record<string, unknown>, source = 'fargate-gate') => ({
    version: '0',
    id: 'v1',
    'detail-type': 'Fargate Gate Verdict',
    source,
    account: TEST_ENV.account,
    time: '2026-01-01T00:00:00Z',
    region: TEST_ENV.region,
    resources: [],
    detail: { decision: 'fail', mode: 'enforce', action: 'stopTask', rules: ['rootUser'], policy: { name: 'p', hash: 'h' }, images: [], violations: [], ...detail },
  });

  it('routes failures and scan errors by default, not passes or warnings', () => {
    const pattern = gatePattern('VerdictNotifications');
    expect(matchesEventPattern(pattern, verdict({}))).toBe(true);
    expect(matchesEventPattern(pattern, verdict({ decision: 'error' }))).toBe(true);
    expect(matchesEventPattern(pattern, verdict({ decision: 'pass' }))).toBe(false);
    expect(matchesEventPattern(pattern, verdict({ decision: 'warn' }))).toBe(false);
  });

  it('routes the configured decisions', () => {
    const pattern = gatePattern('VerdictNotifications', { notifications: { email: 'ops@example.com', decisions: ['warn'] } });
    expect(matchesEventPattern(pattern, verdict({ decision: 'warn' }))).toBe(true);
    expect(matchesEventPattern(pattern, verdict({ decision: 'fail' }))).toBe(false);
  });

  it('ignores events of other sources that look the same', () => {
    expect(matchesEventPattern(gatePattern('VerdictNotifications'), verdict({}, 'someone-else'))).toBe(false);
  });

  describeWithConformance('against the real sample events', () => {
    it('matches none of them', () => {
      expect(matchingConformance(gatePattern('VerdictNotifications'))).toEqual([]);
    });
  });
});

describe('the HookAwaitingAction rule (PAUSE-hook admission)', () => {
  /** AWS's documented HOOK_AWAITING_ACTION example, its stage set to PRE_SCALE_UP (test/fixtures/events, see its _comment). */
  const hookEvent = (detail: Record<string, unknown> = {}): Record<string, unknown> => {
    const event = JSON.parse(readFileSync('test/fixtures/events/ecs-hook-state-change-awaiting-action-pre-scale-up.json', 'utf8')) as Record<string, unknown>;
    event.detail = { ...(event.detail as object), ...detail };
    return event;
  };

  it('filters on a PAUSE hook at PRE_SCALE_UP in the deployed pattern', () => {
    expect(gatePattern('HookAwaitingAction').detail).toEqual({ eventName: ['HOOK_AWAITING_ACTION'], hookType: ['PAUSE'], lifecycleStage: ['PRE_SCALE_UP'] });
  });

  it('matches a PAUSE hook at PRE_SCALE_UP; not AWS\'s own example at POST_TEST_TRAFFIC_SHIFT, another stage, a Lambda hook, or an event without type or stage (review items 2, 18)', () => {
    const pattern = gatePattern('HookAwaitingAction');
    expect(matchesEventPattern(pattern, hookEvent())).toBe(true);
    for (const stage of ['POST_TEST_TRAFFIC_SHIFT', 'POST_SCALE_UP', 'PRE_PRODUCTION_TRAFFIC_SHIFT', 'RECONCILE_SERVICE']) {
      expect(matchesEventPattern(pattern, hookEvent({ lifecycleStage: stage }))).toBe(false);
    }
    expect(matchesEventPattern(pattern, hookEvent({ hookType: 'AWS_LAMBDA' }))).toBe(false);
    for (const field of ['hookType', 'lifecycleStage']) {
      const without = hookEvent();
      delete (without.detail as Record<string, unknown>)[field];
      expect(matchesEventPattern(pattern, without)).toBe(false);
    }
  });

  it('matches a deployment paused at its hook, and no other hook state or source', () => {
    const pattern = gatePattern('HookAwaitingAction');
    expect(matchesEventPattern(pattern, hookEvent())).toBe(true);
    const other = hookEvent();
    other.detail = { ...(other.detail as object), eventName: 'HOOK_SUCCEEDED' };
    expect(matchesEventPattern(pattern, other)).toBe(false);
    expect(matchesEventPattern(pattern, { ...hookEvent(), source: 'my.app' })).toBe(false);
    expect(matchesEventPattern(pattern, { ...hookEvent(), 'detail-type': 'ECS Deployment State Change' })).toBe(false);
  });
});
