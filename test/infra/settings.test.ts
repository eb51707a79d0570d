import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as logs from 'aws-cdk-lib/aws-logs';
import { resolveSettings, trivyTimeoutFlag, type SettingsInput } from '../../infra/settings';
import { PINNED_TRIVY } from '../../infra/trivy';

describe('resolveSettings defaults', () => {
  const settings = resolveSettings({});

  it('pins the Trivy release and its x86_64 checksum, from the stack\'s own copy (no download URL: the managed mirror keeps it)', () => {
    expect(settings.trivy).toMatchObject({
      version: PINNED_TRIVY.version,
      sha256: PINNED_TRIVY.sha256.x86_64,
      asset: `trivy_${PINNED_TRIVY.version}_Linux-64bit.tar.gz`,
      managedDatabaseMirror: true,
      dbRepositories: [],
      javaDbRepositories: [],
    });
    expect(settings.trivy.downloadBaseUrl).toBeUndefined();
    expect(settings.trivy.scanTimeout.toMinutes()).toBe(15);
  });

  it('downloads Trivy from GitHub releases without the managed mirror (no refresh job to copy it)', () => {
    expect(resolveSettings({ scanner: { managedDatabaseMirror: false } }).trivy.downloadBaseUrl).toBe('https://github.com/aquasecurity/trivy/releases/download');
    expect(resolveSettings({ scanner: { dbRepositories: ['111122223333.dkr.ecr.us-west-2.amazonaws.com/trivy-db:2'] } }).trivy.downloadBaseUrl).toBe(
      'https://github.com/aquasecurity/trivy/releases/download',
    );
  });

  it('scans on a small x86_64 build with bounded time and concurrency', () => {
    expect(settings.compute.architecture).toBe('x86_64');
    expect(settings.compute.computeType).toBe(codebuild.ComputeType.SMALL);
    expect(settings.compute.buildTimeout.toMinutes()).toBe(20);
    expect(settings.compute.queuedTimeout.toMinutes()).toBe(30);
    expect(settings.compute.concurrentBuildLimit).toBe(3);
  });

  it('turns on prescan, the hook and RunTask hints, notifies failures and errors, and retains data', () => {
    expect(settings).toMatchObject({ prescanOnPush: true, lifecycleHook: true, runTaskHints: true, notifyDecisions: ['fail', 'error'], logLevel: 'info', metricsNamespace: 'FargateGate' });
    expect(settings.verdictTtl.toDays()).toBe(30);
    expect(settings.reportRetention.toDays()).toBe(365);
    expect(settings.sweepInterval.toMinutes()).toBe(5);
    expect(settings.rescanInterval.toHours()).toBe(24);
    expect(resolveSettings({ verdictTtl: Duration.days(1) }).rescanInterval.toHours()).toBe(12);
    expect(settings.hookCallBackDelay.toSeconds()).toBe(30);
    expect(settings.maxReportBytes).toBe(64 * 1024 * 1024);
    expect(settings.logRetention).toBe(logs.RetentionDays.THREE_MONTHS);
    expect(settings.removalPolicy).toBe(RemovalPolicy.RETAIN);
    expect(settings.reservedConcurrency).toBeUndefined();
  });
});

describe('resolveSettings', () => {
  it('takes the ARM checksum for ARM builds', () => {
    const settings = resolveSettings({ scanCompute: { architecture: 'arm64' } });
    expect(settings.trivy.sha256).toBe(PINNED_TRIVY.sha256.arm64);
    expect(settings.trivy.asset).toBe(`trivy_${PINNED_TRIVY.version}_Linux-ARM64.tar.gz`);
  });

  it.each([
    ['s3://artifact-mirror/trivy/', 's3://artifact-mirror/trivy'],
    ['s3://artifact-mirror', 's3://artifact-mirror'],
    ['s3://artifact.mirror-1/tools/trivy_releases', 's3://artifact.mirror-1/tools/trivy_releases'],
  ])('accepts the S3 release mirror %s, without the trailing slash, with or without the managed DB mirror', (given, resolved) => {
    expect(resolveSettings({ scanner: { downloadBaseUrl: given } }).trivy.downloadBaseUrl).toBe(resolved);
    expect(resolveSettings({ scanner: { downloadBaseUrl: given, managedDatabaseMirror: false } }).trivy.downloadBaseUrl).toBe(resolved);
  });

  it('accepts another release with its checksum, and strips a trailing slash from the mirror URL', () => {
    const settings = resolveSettings({ scanner: { trivyVersion: '0.71.1', trivySha256: 'a'.repeat(64), downloadBaseUrl: 'https://mirror.example.com/trivy//' } });
    expect(settings.trivy).toMatchObject({ version: '0.71.1', sha256: 'a'.repeat(64), asset: 'trivy_0.71.1_Linux-64bit.tar.gz', downloadBaseUrl: 'https://mirror.example.com/trivy' });
  });

  it.each<[string, SettingsInput, RegExp]>([
    ['the malicious v0.69.4', { scanner: { trivyVersion: '0.69.4', trivySha256: 'a'.repeat(64) } }, /published by an attacker/],
    ['the malicious v0.69.6', { scanner: { trivyVersion: '0.69.6', trivySha256: 'a'.repeat(64) } }, /published by an attacker/],
    ['"latest"', { scanner: { trivyVersion: 'latest' } }, /not an exact release version/],
    ['a "v" prefix', { scanner: { trivyVersion: 'v0.70.0' } }, /not an exact release version/],
    ['another release without its checksum', { scanner: { trivyVersion: '0.71.1' } }, /trivySha256 is required with trivyVersion 0\.71\.1: copy the trivy_0\.71\.1_Linux-64bit\.tar\.gz line/],
    ['a checksum that is not SHA-256', { scanner: { trivySha256: 'ABC' } }, /trivySha256 must be 64 lowercase hexadecimal/],
    ['an http mirror', { scanner: { downloadBaseUrl: 'http://mirror.example.com/trivy' } }, /downloadBaseUrl must be an https:\/\/ URL/],
    ['a mirror URL with a quote', { scanner: { downloadBaseUrl: 'https://x.example.com/"$(id)"' } }, /downloadBaseUrl must be an https:\/\/ URL without spaces or quotes/],
    ['an S3 mirror without a bucket', { scanner: { downloadBaseUrl: 's3://' } }, /downloadBaseUrl must be an https:\/\/ URL .* or an s3:\/\/<bucket>\[\/<prefix>\] location/],
    ['an S3 mirror whose bucket name has capitals', { scanner: { downloadBaseUrl: 's3://My-Bucket/trivy' } }, /s3:\/\/<bucket>\[\/<prefix>\] location .*got "s3:\/\/My-Bucket\/trivy"/],
    ['an S3 mirror with a parent segment', { scanner: { downloadBaseUrl: 's3://mirror-bucket/../trivy' } }, /s3:\/\/<bucket>\[\/<prefix>\] location/],
    ['an S3 mirror with a space', { scanner: { downloadBaseUrl: 's3://mirror-bucket/tri vy' } }, /s3:\/\/<bucket>\[\/<prefix>\] location/],
    ['an S3 mirror with an empty segment', { scanner: { downloadBaseUrl: 's3://mirror-bucket//trivy' } }, /s3:\/\/<bucket>\[\/<prefix>\] location/],
    ['another scheme', { scanner: { downloadBaseUrl: 'ftp://mirror.example.com/trivy' } }, /downloadBaseUrl must be an https:\/\/ URL/],
    ['a DB mirror that is not an OCI repository', { scanner: { dbRepositories: ['not a repo'] } }, /scanner\.dbRepositories: "not a repo" is not an OCI repository/],
    ['an empty DB mirror list', { scanner: { dbRepositories: [] } }, /dbRepositories must list at least one repository/],
    ['a build timeout that leaves no room after the scan', { scanner: { scanTimeout: Duration.minutes(15) }, scanCompute: { buildTimeout: Duration.minutes(16) } }, /buildTimeout \(16 minutes\) must exceed scanner\.scanTimeout/],
    ['a queue timeout over 8 hours', { scanCompute: { queuedTimeout: Duration.hours(9) } }, /queuedTimeout must be whole minutes between 5 minutes and 8 hours/],
    ['zero concurrent builds', { scanCompute: { concurrentBuildLimit: 0 } }, /concurrentBuildLimit must be a whole number of at least 1/],
    ['an unknown architecture', { scanCompute: { architecture: 'riscv' as never } }, /architecture must be "x86_64" or "arm64"/],
    ['an unknown decision', { notifications: { decisions: ['failed' as never] } }, /notifications\.decisions must list some of pass, warn, fail, error/],
    ['a bad e-mail', { notifications: { email: 'ops at example.com' } }, /notifications\.email is not an e-mail address/],
    ['a sweep slower than an hour', { sweepInterval: Duration.minutes(90) }, /sweepInterval must be whole minutes between 1 and 60/],
    ['a rescan interval of part of an hour', { rescanInterval: Duration.minutes(90) }, /rescanInterval must be whole hours/],
    ['a rescan interval as long as the verdict lives', { rescanInterval: Duration.days(30) }, /rescanInterval \(30 days\) must be shorter than verdictTtl/],
    ['a verdict TTL under a day', { verdictTtl: Duration.hours(1) }, /verdictTtl must be whole days, at least 1, got 1 hour/],
    ['a verdict TTL in hours, which the functions would round', { verdictTtl: Duration.hours(36) }, /verdictTtl must be whole days, at least 1, got 1 day 12 hours/],
    ['an e-mail address and an existing topic', { notifications: { email: 'ops@example.com' }, notificationTopic: {} }, /notifications\.email and notificationTopic exclude each other/],
    ['an assets key that is not a KMS key ARN', { assetsKeyArn: 'alias/cdk-assets' }, /assetsKeyArn is not a KMS key ARN/],
    ['a report retention in hours', { reportRetention: Duration.hours(36) }, /reportRetention must be whole days/],
    ['a build timeout in seconds', { scanCompute: { buildTimeout: Duration.seconds(1250) } }, /buildTimeout must be whole minutes/],
    ['an unknown log level', { logLevel: 'verbose' as never }, /logLevel must be one of/],
    ['a fractional reserved concurrency', { reservedConcurrency: 2.5 }, /reservedConcurrency must be a whole number/],
    ['an AWS metrics namespace', { metricsNamespace: 'AWS/Lambda' }, /not a custom CloudWatch namespace/],
    ['a hook call-back delay over 15 minutes', { hookCallBackDelay: Duration.minutes(20) }, /hookCallBackDelay must be whole seconds between/],
    ['a report size that is not a size', { maxReportSize: '64 megs' }, /^maxReportSize \("64 megs"\): expected a size such as "128MiB", "512MB" or a number of bytes, got "64 megs"$/],
    ['a report size of 0 bytes', { maxReportSize: 0 }, /^maxReportSize \(0\): expected a size from 1 byte to 2 GiB, got "0"$/],
    ['a report size over 2 GiB', { maxReportSize: '4GiB' }, /maxReportSize \("4GiB"\): expected a size from 1 byte to 2 GiB/],
  ])('rejects %s', (_name, input, message) => {
    expect(() => resolveSettings(input)).toThrow(message);
  });
});

describe('trivyTimeoutFlag', () => {
  it('rounds up to whole minutes', () => {
    expect(trivyTimeoutFlag(Duration.minutes(15))).toBe('15m');
    expect(trivyTimeoutFlag(Duration.seconds(61))).toBe('2m');
  });
});

describe('the defaults of scan compute and the DB mirror', () => {
  const LAMBDA_REGION = 'us-west-2';
  const OWN_MIRROR = { dbRepositories: ['111122223333.dkr.ecr.us-west-2.amazonaws.com/mirrors/trivy-db:2'] };
  const chosen = (input: SettingsInput) => {
    const { compute, trivy } = resolveSettings(input);
    return { mode: compute.mode, mirror: trivy.managedDatabaseMirror };
  };

  it('scans on Lambda compute from the managed mirror where the region is known and offers Lambda compute', () => {
    const settings = resolveSettings({ region: LAMBDA_REGION });
    expect({ mode: settings.compute.mode, mirror: settings.trivy.managedDatabaseMirror, computeType: settings.compute.computeType }).toEqual({ mode: 'lambda', mirror: true, computeType: codebuild.ComputeType.LAMBDA_4GB });
    expect(settings.trivy.scanTimeout.toMinutes()).toBe(10);
  });

  it('keeps the mirror but scans on EC2 in a region without Lambda compute, and in an environment-agnostic stack', () => {
    expect(chosen({ region: 'eu-north-1' })).toEqual({ mode: 'ec2', mirror: true });
    expect(chosen({})).toEqual({ mode: 'ec2', mirror: true });
  });

  it('keeps an account\'s own mirror (air-gapped accounts): no managed mirror, and EC2 compute with its S3 cache', () => {
    expect(chosen({ region: LAMBDA_REGION, scanner: OWN_MIRROR })).toEqual({ mode: 'ec2', mirror: false });
    expect(chosen({ region: LAMBDA_REGION, scanner: { javaDbRepositories: ['111122223333.dkr.ecr.us-west-2.amazonaws.com/mirrors/trivy-java-db:1'] } })).toEqual({ mode: 'ec2', mirror: false });
    // Lambda compute stays available to it on request.
    expect(chosen({ region: LAMBDA_REGION, scanner: OWN_MIRROR, scanCompute: { mode: 'lambda' } })).toEqual({ mode: 'lambda', mirror: false });
  });

  it('opts out: mode ec2, or the mirror turned off (Lambda compute has no cache, so it needs the mirror by default)', () => {
    expect(chosen({ region: LAMBDA_REGION, scanCompute: { mode: 'ec2' } })).toEqual({ mode: 'ec2', mirror: true });
    expect(chosen({ region: LAMBDA_REGION, scanner: { managedDatabaseMirror: false } })).toEqual({ mode: 'ec2', mirror: false });
  });

  it.each<[string, SettingsInput]>([
    ['an EC2 compute type', { scanCompute: { computeType: codebuild.ComputeType.MEDIUM } }],
    ['a build timeout', { scanCompute: { buildTimeout: Duration.minutes(30) } }],
    ['a queue timeout', { scanCompute: { queuedTimeout: Duration.minutes(10) } }],
    ['a scanner timeout over 12 minutes', { scanner: { scanTimeout: Duration.minutes(15) } }],
  ])('stays on EC2 for a stack configured with %s, as before', (_name, input) => {
    expect(chosen({ region: LAMBDA_REGION, ...input }).mode).toBe('ec2');
  });

  it('takes Lambda compute with a Lambda compute type or a scanner timeout of 12 minutes', () => {
    expect(chosen({ region: LAMBDA_REGION, scanCompute: { computeType: codebuild.ComputeType.LAMBDA_8GB } }).mode).toBe('lambda');
    expect(chosen({ region: LAMBDA_REGION, scanner: { scanTimeout: Duration.minutes(12) } }).mode).toBe('lambda');
  });

  it('still refuses Lambda compute asked for where it cannot work', () => {
    expect(() => resolveSettings({ region: 'eu-north-1', scanCompute: { mode: 'lambda' } })).toThrow(/no Lambda compute in eu-north-1/);
    expect(() => resolveSettings({ region: LAMBDA_REGION, scanCompute: { mode: 'lambda' }, scanner: { scanTimeout: Duration.minutes(15) } })).toThrow(/at most 12 minutes, or scanCompute.mode 'ec2'/);
  });
});
