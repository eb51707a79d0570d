import { RemovalPolicy } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as logs from 'aws-cdk-lib/aws-logs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONTEXT_KEYS, CONTEXT_PREFIX, gateSettingsFromContext } from '../../infra/context';

const fromMap = (map: Record<string, unknown>) => gateSettingsFromContext((key) => map[key]);

describe('gateSettingsFromContext', () => {
  it('leaves every setting to the construct default when no key is given, and runs cdk-nag', () => {
    const settings = fromMap({});
    expect(settings.stackName).toBe('FargateGate');
    expect(settings.nag).toBe(true);
    expect(settings.notificationTopicArn).toBeUndefined();
    const { scanner, scanCompute, ...rest } = settings.gate;
    expect(Object.values(rest).filter((v) => v !== undefined)).toEqual([]);
    expect(Object.values(scanner ?? {}).filter((v) => v !== undefined)).toEqual([]);
    expect(Object.values(scanCompute ?? {}).filter((v) => v !== undefined)).toEqual([]);
  });

  it('reads strings as `cdk -c key=value` passes them', () => {
    const settings = fromMap({
      'stack-name': 'GateProd',
      'policy-file': 'policies/strict.json',
      clusters: 'prod, batch ,',
      'ecr-repositories': 'team-a/*,shared-base',
      'trivy-version': '0.71.1',
      'trivy-sha256': 'a'.repeat(64),
      'trivy-db-repositories': '111122223333.dkr.ecr.us-west-2.amazonaws.com/trivy-db:2',
      'trivy-timeout-minutes': '25',
      'scan-architecture': 'arm64',
      'scan-compute-type': 'medium',
      'scan-build-timeout-minutes': '40',
      'scan-concurrency': '10',
      'prescan-on-push': 'false',
      'lifecycle-hook': 'false',
      'runtask-hints': 'true',
      'inspector-findings': 'false',
      'kev-refresh': 'false',
      'kev-feed-url': 'https://mirror.example.internal/kev.json',
      'notification-email': 'ops@example.com',
      'notify-decisions': 'fail,error,warn',
      'verdict-ttl-days': '7',
      'report-retention-days': '90',
      'log-retention-days': '30',
      'sweep-minutes': '2',
      'rescan-interval-hours': '12',
      'log-level': 'debug',
      'metrics-namespace': 'Platform/Gate',
      'source-maps-at-runtime': 'true',
      'hook-callback-seconds': '60',
      'max-report-size': '128MiB',
      'reserved-concurrency': '20',
      'removal-policy': 'destroy',
      nag: 'false',
    });
    expect(settings.stackName).toBe('GateProd');
    expect(settings.nag).toBe(false);
    const gate = settings.gate;
    expect(gate).toMatchObject({
      policyFile: 'policies/strict.json',
      clusters: ['prod', 'batch'],
      ecrRepositories: ['team-a/*', 'shared-base'],
      prescanOnPush: false,
      lifecycleHook: false,
      runTaskHints: true,
      inspectorFindings: false,
      kevRefresh: false,
      kevFeedUrl: 'https://mirror.example.internal/kev.json',
      notifications: { email: 'ops@example.com', decisions: ['fail', 'error', 'warn'] },
      logRetention: logs.RetentionDays.ONE_MONTH,
      logLevel: 'debug',
      metricsNamespace: 'Platform/Gate',
      sourceMapsAtRuntime: true,
      reservedConcurrency: 20,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    expect(gate.scanner).toMatchObject({ trivyVersion: '0.71.1', trivySha256: 'a'.repeat(64), dbRepositories: ['111122223333.dkr.ecr.us-west-2.amazonaws.com/trivy-db:2'] });
    expect(gate.scanner?.scanTimeout?.toMinutes()).toBe(25);
    expect(gate.scanCompute).toMatchObject({ architecture: 'arm64', computeType: codebuild.ComputeType.MEDIUM, concurrentBuildLimit: 10 });
    expect(gate.scanCompute?.buildTimeout?.toMinutes()).toBe(40);
    expect(gate.verdictTtl?.toDays()).toBe(7);
    expect(gate.reportRetention?.toDays()).toBe(90);
    expect(gate.sweepInterval?.toMinutes()).toBe(2);
    expect(gate.rescanInterval?.toHours()).toBe(12);
    expect(gate.hookCallBackDelay?.toSeconds()).toBe(60);
    expect(gate.maxReportSize).toBe(128 * 1024 * 1024);
  });

  it('reads typed values as cdk.json holds them', () => {
    const settings = fromMap({ clusters: ['prod'], 'lifecycle-hook': false, 'scan-concurrency': 5, 'verdict-ttl-days': 14 });
    expect(settings.gate).toMatchObject({ clusters: ['prod'], lifecycleHook: false, verdictTtl: expect.anything() });
    expect(settings.gate.scanCompute?.concurrentBuildLimit).toBe(5);
    expect(fromMap({ 'max-report-size': 100_000_000 }).gate.maxReportSize).toBe(100_000_000);
    expect(fromMap({}).gate.maxReportSize).toBeUndefined();
  });

  it('opts out of Lambda compute and the managed DB mirror, or asks for them', () => {
    expect(fromMap({ 'scan-compute': 'ec2', 'managed-database-mirror': 'false' }).gate).toMatchObject({ scanCompute: { mode: 'ec2' }, scanner: { managedDatabaseMirror: false } });
    expect(fromMap({ 'scan-compute': 'lambda', 'managed-database-mirror': true }).gate).toMatchObject({ scanCompute: { mode: 'lambda' }, scanner: { managedDatabaseMirror: true } });
  });

  it('takes the customer managed key of the assets bucket', () => {
    const key = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    expect(fromMap({ 'assets-kms-key-arn': key }).gate.assetsKeyArn).toBe(key);
  });

  it('takes an existing notification topic by ARN', () => {
    expect(fromMap({ 'notification-topic-arn': 'arn:aws:sns:eu-west-1:111122223333:alerts' }).notificationTopicArn).toBe('arn:aws:sns:eu-west-1:111122223333:alerts');
  });

  it.each([
    ['a boolean that is not true or false', { 'lifecycle-hook': 'yes' }, /fargate-gate:lifecycle-hook must be true or false, got "yes"/],
    ['a number that is not a whole number', { 'verdict-ttl-days': '1.5' }, /fargate-gate:verdict-ttl-days must be a whole number of at least 1, got "1.5"/],
    ['a zero where at least 1 is needed', { 'scan-concurrency': 0 }, /fargate-gate:scan-concurrency must be a whole number of at least 1/],
    ['an unknown compute type', { 'scan-compute-type': 'HUGE' }, /scan-compute-type must be one of SMALL, MEDIUM, LARGE, X_LARGE, X2_LARGE/],
    ['an unknown architecture', { 'scan-architecture': 'amd64' }, /scan-architecture must be x86_64 or arm64/],
    ['an unknown scan compute', { 'scan-compute': 'fargate' }, /fargate-gate:scan-compute must be lambda or ec2, got "fargate"/],
    ['a mirror switch that is not a boolean', { 'managed-database-mirror': 'off' }, /fargate-gate:managed-database-mirror must be true or false, got "off"/],
    ['a log retention CloudWatch does not offer', { 'log-retention-days': '45' }, /log-retention-days must be a CloudWatch Logs retention/],
    ['an unknown removal policy', { 'removal-policy': 'snapshot' }, /removal-policy must be retain or destroy/],
    ['a list given as an object', { clusters: { prod: true } }, /fargate-gate:clusters must be a comma-separated string or a list of strings/],
    ['a bad stack name', { 'stack-name': '1gate' }, /stack-name is not a CloudFormation stack name/],
    ['a report size that is not a size', { 'max-report-size': 'big' }, /fargate-gate:max-report-size: expected a size such as "128MiB", "512MB" or a number of bytes, got "big"/],
    ['a report size over 2 GiB', { 'max-report-size': '3GiB' }, /fargate-gate:max-report-size: expected a size from 1 byte to 2 GiB, got "3GiB"/],
    ['an organisation id that is not one', { 'organization-id': 'org-123' }, /fargate-gate:organization-id is not an AWS Organizations id/],
    ['a topic ARN that is not SNS', { 'notification-topic-arn': 'arn:aws:sqs:eu-west-1:111122223333:q' }, /notification-topic-arn is not an SNS topic ARN/],
    [
      'an e-mail address and an existing topic together',
      { 'notification-email': 'ops@example.com', 'notification-topic-arn': 'arn:aws:sns:eu-west-1:111122223333:alerts' },
      /fargate-gate:notification-email and fargate-gate:notification-topic-arn exclude each other/,
    ],
  ])('rejects %s', (_name, map, message) => {
    expect(() => fromMap(map)).toThrow(message);
  });
});

describe('the in-use report keys', () => {
  it('read as `-c` passes them, the construct defaults left for keys not given', () => {
    expect(fromMap({ 'in-use-report': 'false' }).gate.inUseReport).toEqual({ enabled: false, interval: undefined, exceptionWindowDays: undefined });
    const read = fromMap({ 'in-use-report-hours': '6', 'in-use-report-exception-window-days': '0' }).gate.inUseReport;
    expect(read?.interval?.toHours()).toBe(6);
    expect(read?.exceptionWindowDays).toBe(0);
    expect(read?.enabled).toBeUndefined();
    expect(fromMap({}).gate.inUseReport).toBeUndefined();
  });

  it('refuses a number of hours that is not one', () => {
    expect(() => fromMap({ 'in-use-report-hours': 'daily' })).toThrow(/fargate-gate:in-use-report-hours must be a whole number of at least 1, got "daily"/);
  });
});

describe('documented context keys', () => {
  it('are every key the app reads, each documented in docs/deploy.md', () => {
    const doc = readFileSync(join(__dirname, '../../docs/deploy.md'), 'utf8');
    const documented = [...doc.matchAll(/`fargate-gate:([a-z0-9-]+)`/g)].map((m) => m[1]);
    expect([...new Set(documented)].sort()).toEqual([...CONTEXT_KEYS].sort());
    expect(CONTEXT_PREFIX).toBe('fargate-gate:');
  });
});
