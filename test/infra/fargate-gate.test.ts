import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import { parse } from 'yaml';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GATE_TABLE } from '../../functions/adapters/dynamo-table';
import { GATE_ENV } from '../../functions/handlers/environment';
import { FargateGate, type FargateGateProps } from '../../infra/fargate-gate';
import { PINNED_TRIVY } from '../../infra/trivy';
import { templateTestEntries } from '../support/gate-entries';
import { synthGate, TEST_ENV } from '../support/gate-stack';

const ROOT = join(__dirname, '../..');

function gate(props: FargateGateProps = {}): Template {
  return synthGate(props).template;
}

function logicalId(template: Template, type: string, prefix: string): string {
  const id = Object.keys(template.findResources(type)).find((candidate) => candidate.startsWith(prefix));
  if (!id) throw new Error(`no ${type} starting with ${prefix}`);
  return id;
}

/** The scan project (the managed DB mirror, on by default, adds a refresh project). */
function scanProjectOf(template: Template) {
  return template.findResources('AWS::CodeBuild::Project')[logicalId(template, 'AWS::CodeBuild::Project', 'GateScanProject')];
}

function projectEnvironment(template: Template): Record<string, unknown> {
  const project = scanProjectOf(template);
  return Object.fromEntries((project.Properties.Environment.EnvironmentVariables as { Name: string; Value: unknown }[]).map((v) => [v.Name, v.Value]));
}

function buildspecOf(template: Template): { document: Record<string, unknown>; reportKeys: unknown[] } {
  const project = scanProjectOf(template);
  // The buildspec is JSON with the report group ARN spliced in by Fn::Join.
  const parts = project.Properties.Source.BuildSpec['Fn::Join'][1] as unknown[];
  const placeholders: unknown[] = [];
  const text = parts.map((part) => (typeof part === 'string' ? part : (placeholders.push(part), `__REF${placeholders.length - 1}__`))).join('');
  const document = JSON.parse(text) as Record<string, unknown>;
  const reportKeys = Object.keys(document.reports as object).map((key) => {
    const match = /^__REF(\d+)__$/.exec(key);
    return match ? placeholders[Number(match[1])] : key;
  });
  return { document, reportKeys };
}

describe('reports bucket', () => {
  const template = gate();
  const reports = logicalId(template, 'AWS::S3::Bucket', 'GateReports');
  const accessLogs = logicalId(template, 'AWS::S3::Bucket', 'GateAccessLogs');

  it('blocks public access, encrypts, versions and logs access to the access-log bucket', () => {
    template.hasResource('AWS::S3::Bucket', {
      Properties: {
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        VersioningConfiguration: { Status: 'Enabled' },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        LoggingConfiguration: { DestinationBucketName: { Ref: accessLogs }, LogFilePrefix: 'reports-bucket/' },
      },
      DeletionPolicy: 'Retain',
    });
  });

  it('expires raw reports and test-report exports after the report retention, and the scanner cache after a week', () => {
    const bucket = template.findResources('AWS::S3::Bucket')[reports];
    const rules = bucket.Properties.LifecycleConfiguration.Rules as { Prefix?: string; ExpirationInDays?: number; NoncurrentVersionExpiration?: { NoncurrentDays: number } }[];
    const byPrefix = Object.fromEntries(rules.filter((r) => r.Prefix).map((r) => [r.Prefix, r]));
    expect(byPrefix['reports/']).toMatchObject({ ExpirationInDays: 365, NoncurrentVersionExpiration: { NoncurrentDays: 30 } });
    expect(byPrefix['junit/']).toMatchObject({ ExpirationInDays: 365 });
    expect(byPrefix['trivy-cache/']).toMatchObject({ ExpirationInDays: 7, NoncurrentVersionExpiration: { NoncurrentDays: 1 } });
    expect(rules.some((r) => !r.Prefix && (r as { AbortIncompleteMultipartUpload?: unknown }).AbortIncompleteMultipartUpload)).toBe(true);
  });

  it('removes old versions and orphaned delete markers everywhere in the versioned bucket', () => {
    const bucket = template.findResources('AWS::S3::Bucket')[reports];
    const rules = bucket.Properties.LifecycleConfiguration.Rules as Record<string, unknown>[];
    const bucketWide = rules.filter((r) => r.Prefix === undefined && r.Filter === undefined);
    expect(bucketWide).toEqual([
      expect.objectContaining({
        Status: 'Enabled',
        ExpiredObjectDeleteMarker: true,
        NoncurrentVersionExpiration: { NoncurrentDays: 30 },
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
      }),
    ]);
  });

  it('follows a configured report retention', () => {
    const bucket = Object.entries(gate({ reportRetention: Duration.days(90) }).findResources('AWS::S3::Bucket')).find(([id]) => id.startsWith('GateReports'))![1];
    const raw = (bucket.Properties.LifecycleConfiguration.Rules as { Prefix?: string; ExpirationInDays?: number }[]).find((r) => r.Prefix === 'reports/');
    expect(raw?.ExpirationInDays).toBe(90);
  });

  it('refuses requests without TLS, or with TLS older than 1.2, on both buckets', () => {
    for (const bucket of [reports, accessLogs]) {
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: bucket },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
            Match.objectLike({ Effect: 'Deny', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
          ]),
        },
      });
    }
  });

  it('lets the S3 logging service write access logs through a bucket policy scoped to the reports bucket', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: accessLogs },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'logging.s3.amazonaws.com' },
            Action: 's3:PutObject',
            Condition: Match.objectLike({ ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [reports, 'Arn'] } } }),
          }),
        ]),
      },
    });
  });
});

describe('state table', () => {
  it('matches the store: pk/sk strings, TTL expiresAt, sparse gsi1 projecting everything, on demand, PITR, protected', () => {
    gate().hasResource('AWS::DynamoDB::Table', {
      Properties: {
        KeySchema: [
          { AttributeName: GATE_TABLE.partitionKey, KeyType: 'HASH' },
          { AttributeName: GATE_TABLE.sortKey, KeyType: 'RANGE' },
        ],
        AttributeDefinitions: Match.arrayWith([
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
          { AttributeName: 'gsi1pk', AttributeType: 'S' },
          { AttributeName: 'gsi1sk', AttributeType: 'S' },
        ]),
        BillingMode: 'PAY_PER_REQUEST',
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        GlobalSecondaryIndexes: [
          {
            IndexName: 'gsi1',
            KeySchema: [
              { AttributeName: 'gsi1pk', KeyType: 'HASH' },
              { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
        DeletionProtectionEnabled: true,
      },
      DeletionPolicy: 'Retain',
    });
  });

  it('can be made disposable for test accounts', () => {
    const template = gate({ removalPolicy: RemovalPolicy.DESTROY });
    template.hasResource('AWS::DynamoDB::Table', { Properties: Match.objectLike({ DeletionProtectionEnabled: false }), DeletionPolicy: 'Delete' });
    template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Delete' });
    template.hasResource('AWS::CodeBuild::ReportGroup', { Properties: Match.objectLike({ DeleteReports: true }), DeletionPolicy: 'Delete' });
  });
});

describe('dead-letter queues', () => {
  it('are encrypted, keep messages 14 days and refuse requests without TLS', () => {
    const template = gate();
    const queues = template.findResources('AWS::SQS::Queue');
    expect(Object.keys(queues)).toHaveLength(2);
    for (const [id, queue] of Object.entries(queues)) {
      expect(queue.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 1209600 });
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
      });
    }
  });
});

describe('scan project on EC2 compute (scanCompute.mode: ec2)', () => {
  // EC2 is the default where Lambda compute is not (another region, an environment-agnostic stack); the test region has
  // Lambda compute, so EC2 is asked for here, without the managed DB mirror (Trivy's own download, cached in S3). The
  // defaults are tested in the describe for Lambda compute below and in vulnerability-db-mirror.test.ts.
  const template = gate({ scanCompute: { mode: 'ec2' }, scanner: { managedDatabaseMirror: false } });

  it('runs the buildspec with no source, no artifacts, no privileged mode, on the AL2023 x86_64 image', () => {
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Source: { Type: 'NO_SOURCE', BuildSpec: Match.anyValue() },
      Artifacts: { Type: 'NO_ARTIFACTS' },
      Environment: Match.objectLike({
        Type: 'LINUX_CONTAINER',
        Image: 'aws/codebuild/amazonlinux-x86_64-standard:5.0',
        ComputeType: 'BUILD_GENERAL1_SMALL',
        PrivilegedMode: false,
        ImagePullCredentialsType: 'CODEBUILD',
      }),
      TimeoutInMinutes: 20,
      QueuedTimeoutInMinutes: 30,
      ConcurrentBuildLimit: 3,
    });
  });

  it('caches the scanner database under its own prefix of the reports bucket', () => {
    const reports = logicalId(template, 'AWS::S3::Bucket', 'GateReports');
    template.hasResourceProperties('AWS::CodeBuild::Project', { Cache: { Type: 'S3', Location: { 'Fn::Join': ['/', [{ Ref: reports }, 'trivy-cache']] } } });
  });

  it('logs to its own log group with the configured retention', () => {
    const logs = logicalId(template, 'AWS::Logs::LogGroup', 'GateScanLogs');
    template.hasResourceProperties('AWS::CodeBuild::Project', { LogsConfig: { CloudWatchLogs: { Status: 'ENABLED', GroupName: { Ref: logs } } } });
    expect(template.findResources('AWS::Logs::LogGroup')[logs].Properties.RetentionInDays).toBe(90);
  });

  it('passes the pinned Trivy release, the evaluator, the policy and the report location to the build', () => {
    const env = projectEnvironment(template);
    expect(env).toMatchObject({
      [GATE_ENV.reportPrefix]: 'reports/',
      GATE_TRIVY_VERSION: PINNED_TRIVY.version,
      GATE_TRIVY_SHA256: PINNED_TRIVY.sha256.x86_64,
      GATE_TRIVY_ASSET: 'trivy_0.70.0_Linux-64bit.tar.gz',
      GATE_TRIVY_DOWNLOAD_URL: 'https://github.com/aquasecurity/trivy/releases/download',
      GATE_TRIVY_TIMEOUT: '15m',
    });
    expect(env[GATE_ENV.reportBucket]).toEqual({ Ref: logicalId(template, 'AWS::S3::Bucket', 'GateReports') });
    expect(env.GATE_EVALUATOR_URL).toMatch(/^s3:\/\/cdk-hnb659fds-assets-111122223333-us-west-2\/[0-9a-f]{64}\./);
    expect(env.GATE_POLICY_URL).toMatch(/^s3:\/\/cdk-hnb659fds-assets-111122223333-us-west-2\/[0-9a-f]{64}\.json$/);
    expect(Object.keys(env).filter((name) => name.startsWith('GATE_TRIVY_') && /REPOSITORY/.test(name))).toEqual([]);
  });

  it('passes DB mirrors, a download mirror and a longer scanner timeout when configured', () => {
    const env = projectEnvironment(
      gate({
        scanner: {
          downloadBaseUrl: 'https://artifacts.example.com/trivy/',
          dbRepositories: ['111122223333.dkr.ecr.us-west-2.amazonaws.com/mirrors/trivy-db:2', 'public.ecr.aws/aquasecurity/trivy-db:2'],
          javaDbRepositories: ['111122223333.dkr.ecr.us-west-2.amazonaws.com/mirrors/trivy-java-db:1'],
          checksBundleRepository: '111122223333.dkr.ecr.us-west-2.amazonaws.com/mirrors/trivy-checks:1',
          scanTimeout: Duration.minutes(25),
        },
        scanCompute: { buildTimeout: Duration.minutes(40) },
      }),
    );
    expect(env).toMatchObject({
      GATE_TRIVY_DOWNLOAD_URL: 'https://artifacts.example.com/trivy',
      GATE_TRIVY_DB_REPOSITORY: '111122223333.dkr.ecr.us-west-2.amazonaws.com/mirrors/trivy-db:2,public.ecr.aws/aquasecurity/trivy-db:2',
      GATE_TRIVY_JAVA_DB_REPOSITORY: '111122223333.dkr.ecr.us-west-2.amazonaws.com/mirrors/trivy-java-db:1',
      GATE_TRIVY_CHECKS_BUNDLE_REPOSITORY: '111122223333.dkr.ecr.us-west-2.amazonaws.com/mirrors/trivy-checks:1',
      GATE_TRIVY_TIMEOUT: '25m',
    });
  });

  it('scans on ARM with the ARM image and the ARM tarball checksum', () => {
    const arm = gate({ scanCompute: { architecture: 'arm64', computeType: codebuild.ComputeType.LARGE } });
    arm.hasResourceProperties('AWS::CodeBuild::Project', {
      Environment: Match.objectLike({ Type: 'ARM_CONTAINER', Image: 'aws/codebuild/amazonlinux-aarch64-standard:3.0', ComputeType: 'BUILD_GENERAL1_LARGE' }),
    });
    expect(projectEnvironment(arm)).toMatchObject({ GATE_TRIVY_ASSET: 'trivy_0.70.0_Linux-ARM64.tar.gz', GATE_TRIVY_SHA256: PINNED_TRIVY.sha256.arm64 });
  });

  it('follows configured timeouts and concurrency', () => {
    gate({ scanCompute: { buildTimeout: Duration.minutes(45), queuedTimeout: Duration.minutes(60), concurrentBuildLimit: 10 } }).hasResourceProperties('AWS::CodeBuild::Project', {
      TimeoutInMinutes: 45,
      QueuedTimeoutInMinutes: 60,
      ConcurrentBuildLimit: 10,
    });
  });

  it('uses the inline-scan buildspec with its report pointed at the report group', () => {
    const { document, reportKeys } = buildspecOf(template);
    const source = parse(readFileSync(join(ROOT, 'buildspecs/inline-scan.yml'), 'utf8')) as Record<string, unknown>;
    expect(document.phases).toEqual(source.phases);
    expect(document.cache).toEqual(source.cache);
    expect(document.env).toEqual(source.env);
    const group = logicalId(template, 'AWS::CodeBuild::ReportGroup', 'GateScanReports');
    expect(reportKeys).toEqual([{ 'Fn::GetAtt': [group, 'Arn'] }]);
    expect(Object.values(document.reports as object)[0]).toEqual((source.reports as Record<string, unknown>)['fargate-gate-scan']);
  });

  it('has a JUnit test report group that exports raw files to the reports bucket', () => {
    template.hasResource('AWS::CodeBuild::ReportGroup', {
      Properties: {
        Type: 'TEST',
        ExportConfig: { ExportConfigType: 'S3', S3Destination: { Bucket: { Ref: logicalId(template, 'AWS::S3::Bucket', 'GateReports') }, Path: 'junit' } },
      },
      DeletionPolicy: 'Retain',
    });
  });
});

describe('functions', () => {
  const template = gate({ clusters: ['prod', 'batch'], verdictTtl: Duration.days(14) });

  it('run on Node.js 22 on arm64 from their bundle, with their own log group and JSON logs', () => {
    for (const prefix of ['GateGateFunction', 'GateHookFunction']) {
      const id = logicalId(template, 'AWS::Lambda::Function', prefix);
      const fn = template.findResources('AWS::Lambda::Function')[id];
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], Handler: 'index.handler' });
      expect(fn.Properties.LoggingConfig).toEqual({ LogFormat: 'JSON', LogGroup: { Ref: logicalId(template, 'AWS::Logs::LogGroup', `${prefix}Logs`) } });
    }
  });

  it('give the gate function room to parse a report at the 64 MiB cap, and the hook its smaller share', () => {
    const memory = (prefix: string) => template.findResources('AWS::Lambda::Function')[logicalId(template, 'AWS::Lambda::Function', prefix)].Properties.MemorySize;
    expect(memory('GateGateFunction')).toBe(1024);
    expect(memory('GateHookFunction')).toBe(512);
  });

  it('start only after the policies of their roles exist', () => {
    const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: { Roles?: { Ref: string }[] }; DependsOn?: string[] }>;
    const fnId = logicalId(template, 'AWS::Lambda::Function', 'GateGateFunction');
    const roleId = logicalId(template, 'AWS::IAM::Role', 'GateGateFunctionRole');
    const policies = Object.entries(resources)
      .filter(([, r]) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles?.some((role) => role.Ref === roleId))
      .map(([id]) => id);
    expect(policies.length).toBeGreaterThan(1);
    expect(resources[fnId].DependsOn).toEqual(expect.arrayContaining(policies));
  });

  it('get every setting the handlers read and the bundled policy path, without loading source maps at start', () => {
    const fn = template.findResources('AWS::Lambda::Function')[logicalId(template, 'AWS::Lambda::Function', 'GateGateFunction')];
    const variables = fn.Properties.Environment.Variables as Record<string, unknown>;
    // The organisation's variables are set only with organizationId (test/infra/organisation.test.ts).
    const organisationOnly: string[] = [GATE_ENV.organizationId, GATE_ENV.accountId, GATE_ENV.centralRepositoryArns];
    for (const name of Object.values(GATE_ENV)) {
      if (organisationOnly.includes(name)) expect(variables).not.toHaveProperty(name);
      else expect(variables).toHaveProperty(name);
    }
    expect(variables).toMatchObject({
      [GATE_ENV.policyFile]: '/var/task/policy.json',
      [GATE_ENV.reportPrefix]: 'reports/',
      [GATE_ENV.eventBusName]: 'default',
      [GATE_ENV.verdictTtlDays]: '14',
      // Lambda compute (the default here): 30 minutes of queue allowance + 15 of build + 5 of margin.
      [GATE_ENV.scanTimeoutMinutes]: '50',
      [GATE_ENV.logLevel]: 'info',
    });
    expect(variables).not.toHaveProperty('NODE_OPTIONS');
    expect(variables[GATE_ENV.clusterArns]).toEqual({
      'Fn::Join': [',', [
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecs:us-west-2:111122223333:cluster/prod']] },
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecs:us-west-2:111122223333:cluster/batch']] },
      ]],
    });
  });

  it('load source maps at start only when sourceMapsAtRuntime asks for it', () => {
    const functions = gate({ sourceMapsAtRuntime: true }).findResources('AWS::Lambda::Function');
    const gateFunctions = Object.entries(functions).filter(([id]) => id.startsWith('GateGateFunction') || id.startsWith('GateHookFunction'));
    expect(gateFunctions).toHaveLength(2);
    for (const [, fn] of gateFunctions) expect(fn.Properties.Environment.Variables.NODE_OPTIONS).toBe('--enable-source-maps');
  });

  it('leave the cluster list empty when every cluster is in scope', () => {
    const fn = Object.entries(gate().findResources('AWS::Lambda::Function')).find(([id]) => id.startsWith('GateGateFunction'))![1];
    expect(fn.Properties.Environment.Variables[GATE_ENV.clusterArns]).toBe('');
  });

  it('and the scan build get one report-size limit: 64 MiB by default, maxReportSize when set', () => {
    const limitsOf = (synthesized: Template) => {
      const functions = Object.values(synthesized.findResources('AWS::Lambda::Function'))
        .map((fn) => (fn.Properties.Environment?.Variables as Record<string, unknown> | undefined)?.[GATE_ENV.policyFile] !== undefined ? fn : undefined)
        .filter((fn) => fn !== undefined);
      return {
        functions: functions.map((fn) => fn.Properties.Environment.Variables[GATE_ENV.maxReportBytes]),
        build: projectEnvironment(synthesized)[GATE_ENV.maxReportBytes],
      };
    };
    // The gate and the hook function (lifecycleHook defaults to true) read reports; the reconciliation and the in-use report function share their environment.
    expect(limitsOf(gate())).toEqual({ functions: ['67108864', '67108864', '67108864', '67108864'], build: '67108864' });
    expect(limitsOf(gate({ maxReportSize: '128MiB' }))).toEqual({ functions: ['134217728', '134217728', '134217728', '134217728'], build: '134217728' });
    expect(limitsOf(gate({ maxReportSize: 100_000_000 }))).toEqual({ functions: ['100000000', '100000000', '100000000', '100000000'], build: '100000000' });
  });

  it('refuse a report-size limit that is not a size, at synth, naming the prop', () => {
    expect(() => gate({ maxReportSize: '64 megs' })).toThrow('maxReportSize ("64 megs"): expected a size such as "128MiB", "512MB" or a number of bytes, got "64 megs"');
    expect(() => gate({ maxReportSize: '3GiB' })).toThrow('maxReportSize ("3GiB"): expected a size from 1 byte to 2 GiB, got "3GiB"');
  });

  it('retry an event twice at most, for an hour at most, then send it to the function-failures queue', () => {
    // The gate function, the inventory's reconciliation and the in-use report are invoked asynchronously; the hook is
    // called synchronously (the in-use report's own config: test/infra/in-use-report.test.ts).
    template.resourceCountIs('AWS::Lambda::EventInvokeConfig', 3);
    for (const prefix of ['GateGateFunction', 'GateReconcileFunction']) {
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: logicalId(template, 'AWS::Lambda::Function', prefix) },
        MaximumRetryAttempts: 2,
        MaximumEventAgeInSeconds: 3600,
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [logicalId(template, 'AWS::SQS::Queue', 'GateFunctionFailures'), 'Arn'] } } },
      });
    }
  });

  it('keep logs for the configured retention', () => {
    for (const prefix of ['GateGateFunctionLogs', 'GateHookFunctionLogs', 'GateReconcileFunctionLogs']) {
      expect(template.findResources('AWS::Logs::LogGroup')[logicalId(template, 'AWS::Logs::LogGroup', prefix)].Properties.RetentionInDays).toBe(90);
    }
  });

  it('have no reserved concurrency unless asked for', () => {
    const fns = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(fns.map((fn) => fn.Properties.ReservedConcurrentExecutions)).toEqual([undefined, undefined, undefined]);
    gate({ reservedConcurrency: 20 }).hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: 20 });
  });

  it('name the policy and its hash in the description, so a policy change updates the functions', () => {
    const fn = template.findResources('AWS::Lambda::Function')[logicalId(template, 'AWS::Lambda::Function', 'GateGateFunction')];
    expect(fn.Properties.Description).toMatch(/\(policy \S+ [0-9a-f]{12}\)$/);
  });
});

describe('rules', () => {
  const template = gate({ notifications: { email: 'ops@example.com' } });

  it('deliver to the gate function with retries, an age limit and the event-delivery dead-letter queue', () => {
    const gateFn = logicalId(template, 'AWS::Lambda::Function', 'GateGateFunction');
    const dlq = logicalId(template, 'AWS::SQS::Queue', 'GateEventDeliveryFailures');
    for (const prefix of ['GateFargateTaskStarting', 'GateFargateTaskStopped', 'GateRunTaskCall', 'GateScanBuildState', 'GateImagePush', 'GateInspectorFinding', 'GateSweep']) {
      const rule = template.findResources('AWS::Events::Rule')[logicalId(template, 'AWS::Events::Rule', prefix)];
      expect(rule.Properties.State).toBe('ENABLED');
      expect(rule.Properties.Targets).toEqual([
        expect.objectContaining({
          Arn: { 'Fn::GetAtt': [gateFn, 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlq, 'Arn'] } },
          RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 3600 },
        }),
      ]);
    }
  });

  it('let EventBridge invoke the function for each rule, and send to the dead-letter queue only from the gate rules', () => {
    // Seven rules of the gate function (STOPPED task events and Inspector findings among them), the reconciliation's and
    // the in-use report's schedules.
    template.resourceCountIs('AWS::Lambda::Permission', 10);
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sqs:SendMessage', Condition: { ArnEquals: { 'aws:SourceArn': Match.anyValue() } } }),
        ]),
      },
    });
  });

  it('sweep unfinished scans on the configured schedule', () => {
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)' });
    gate({ sweepInterval: Duration.minutes(2) }).hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(2 minutes)' });
  });

  it('leave out the CloudTrail rule when RunTask hints are off', () => {
    const rules = Object.keys(gate({ runTaskHints: false }).findResources('AWS::Events::Rule'));
    expect(rules.some((id) => id.startsWith('GateRunTaskCall'))).toBe(false);
  });

  it('have the Inspector findings rule by default, and leave it out when inspectorFindings is false', () => {
    const inspectorRules = (props: Partial<FargateGateProps>) =>
      Object.values(gate(props).findResources('AWS::Events::Rule')).filter((rule) => JSON.stringify(rule.Properties?.EventPattern ?? {}).includes('aws.inspector2'));
    expect(inspectorRules({})).toHaveLength(1);
    expect(inspectorRules({ inspectorFindings: false })).toEqual([]);
    // With an organisation, the rule on its bus (members' forwarded findings) follows the same setting.
    expect(inspectorRules({ organizationId: 'o-a1b2c3d4e5' })).toHaveLength(2);
    expect(inspectorRules({ organizationId: 'o-a1b2c3d4e5', inspectorFindings: false })).toEqual([]);
  });
});

describe('notifications', () => {
  it('send verdicts to an e-mail subscription of an SSL-only topic, with a readable message', () => {
    const template = gate({ notifications: { email: 'ops@example.com' } });
    const topic = logicalId(template, 'AWS::SNS::Topic', 'GateNotifications');
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com', TopicArn: { Ref: topic } });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    const rule = template.findResources('AWS::Events::Rule')[logicalId(template, 'AWS::Events::Rule', 'GateVerdictNotifications')];
    const [target] = rule.Properties.Targets;
    expect(target.Arn).toEqual({ Ref: topic });
    expect(target.InputTransformer.InputPathsMap).toMatchObject({ 'detail-decision': '$.detail.decision', 'detail-taskArn': '$.detail.taskArn' });
    expect(target.InputTransformer.InputTemplate).toContain('fargate-gate: <detail-decision>');
  });

  it('let this stack\'s alarms publish to the created topic, whose own policy replaced the SNS default', () => {
    const template = gate({ notifications: { email: 'ops@example.com' } });
    const topic = logicalId(template, 'AWS::SNS::Topic', 'GateNotifications');
    const [policy] = Object.values(template.findResources('AWS::SNS::TopicPolicy'));
    expect(policy.Properties.Topics).toEqual([{ Ref: topic }]);
    const statements = policy.Properties.PolicyDocument.Statement as { Effect: string; Principal?: { Service?: string }; Action: string; Resource: unknown; Condition?: Record<string, Record<string, unknown>> }[];
    const cloudwatch = statements.filter((statement) => statement.Principal?.Service === 'cloudwatch.amazonaws.com');
    expect(cloudwatch).toHaveLength(1);
    expect(cloudwatch[0]).toMatchObject({ Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: topic } });
    expect(cloudwatch[0].Condition?.StringEquals).toEqual({ 'aws:SourceAccount': '111122223333' });
    const alarmArns = Object.keys(template.findResources('AWS::CloudWatch::Alarm'))
      .map((id) => ({ 'Fn::GetAtt': [id, 'Arn'] }))
      .sort((a, b) => a['Fn::GetAtt'][0].localeCompare(b['Fn::GetAtt'][0]));
    const allowed = (cloudwatch[0].Condition?.ArnEquals['aws:SourceArn'] as { 'Fn::GetAtt': [string, string] }[]).slice().sort((a, b) => a['Fn::GetAtt'][0].localeCompare(b['Fn::GetAtt'][0]));
    expect(allowed).toEqual(alarmArns);
    // EventBridge still delivers verdicts.
    expect(statements.some((statement) => statement.Principal?.Service === 'events.amazonaws.com' && statement.Effect === 'Allow')).toBe(true);
  });

  it('scope the alarm statement to the deploying account in an environment-agnostic stack', () => {
    const { template } = synthGate({ notifications: { email: 'ops@example.com' } }, { env: 'agnostic' });
    const [policy] = Object.values(template.findResources('AWS::SNS::TopicPolicy'));
    const statement = (policy.Properties.PolicyDocument.Statement as { Principal?: { Service?: string }; Condition?: Record<string, unknown> }[]).find(
      (s) => s.Principal?.Service === 'cloudwatch.amazonaws.com',
    );
    expect(statement?.Condition?.StringEquals).toEqual({ 'aws:SourceAccount': { Ref: 'AWS::AccountId' } });
  });

  it('let the alarms publish to a topic of the same app, whose policy the verdict rule creates', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Own', { env: TEST_ENV });
    const topic = new sns.Topic(stack, 'Alerts', { enforceSSL: true });
    new FargateGate(stack, 'Gate', { notificationTopic: topic, handlerEntries: templateTestEntries() });
    const [policy] = Object.values(Template.fromStack(stack).findResources('AWS::SNS::TopicPolicy'));
    const services = (policy.Properties.PolicyDocument.Statement as { Principal?: { Service?: string } }[]).map((s) => s.Principal?.Service).filter(Boolean);
    expect(services.sort()).toEqual(['cloudwatch.amazonaws.com', 'events.amazonaws.com']);
  });

  it('refuse an e-mail address together with an existing topic, instead of ignoring one', () => {
    expect(() => synthGate({ notifications: { email: 'ops@example.com' } }, { notificationTopicArn: 'arn:aws:sns:us-west-2:111122223333:alerts' })).toThrow(
      /notifications\.email and notificationTopic exclude each other/,
    );
  });

  it('use an existing topic by ARN without creating one', () => {
    const withTopic = synthGate({}, { notificationTopicArn: 'arn:aws:sns:us-west-2:111122223333:platform-alerts' }).template;
    withTopic.resourceCountIs('AWS::SNS::Topic', 0);
    // The gate's six alarms (failed builds of the scan project and of its EC2 fallback among them) and the managed DB
    // mirror's three (stale DB, stale Java DB, failed refresh).
    expect(Object.values(withTopic.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties.AlarmActions)).toEqual(
      Array(9).fill(['arn:aws:sns:us-west-2:111122223333:platform-alerts']),
    );
    const rule = withTopic.findResources('AWS::Events::Rule')[logicalId(withTopic, 'AWS::Events::Rule', 'GateVerdictNotifications')];
    expect(rule.Properties.Targets[0].Arn).toBe('arn:aws:sns:us-west-2:111122223333:platform-alerts');
  });

  it('are absent without an e-mail or topic', () => {
    const rules = Object.keys(gate().findResources('AWS::Events::Rule'));
    expect(rules.some((id) => id.startsWith('GateVerdictNotifications'))).toBe(false);
  });
});

describe('alarms', () => {
  /** The gate's own alarms; the managed DB mirror's are tested in vulnerability-db-mirror.test.ts. */
  function alarms(template: Template) {
    return Object.entries(template.findResources('AWS::CloudWatch::Alarm'))
      .filter(([id]) => !id.startsWith('GateVulnerabilityDbMirror'))
      .map(([, a]) => a.Properties);
  }

  it('fire on the first dead-lettered event, function error, failed scan and scan build queued too long', () => {
    const template = gate({ notifications: { email: 'ops@example.com' } });
    const all = alarms(template);
    expect(all).toHaveLength(6);
    for (const alarm of all) {
      expect(alarm).toMatchObject({ EvaluationPeriods: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching' });
      expect(alarm.AlarmActions).toEqual([{ Ref: logicalId(template, 'AWS::SNS::Topic', 'GateNotifications') }]);
    }
    // Every alarm but the queue one fires on the first occurrence in 5 minutes; the queue one on 5 minutes queued (in seconds).
    const [queued, ...others] = [...all.filter((a) => a.Metrics !== undefined), ...all.filter((a) => a.Metrics === undefined)];
    for (const alarm of others) expect(alarm).toMatchObject({ Threshold: 1, Period: 300 });
    expect(queued).toMatchObject({ Threshold: 300 });
    expect(queued.Metrics[0]).toMatchObject({ Expression: 'MAX([q0, q1])' });
    const metrics = others.map((a) => `${a.Namespace}/${a.MetricName}/${a.Statistic}`).sort();
    expect(metrics).toEqual([
      'AWS/Lambda/Errors/Sum',
      'AWS/Lambda/Errors/Sum',
      'AWS/SQS/ApproximateNumberOfMessagesVisible/Maximum',
      'AWS/SQS/ApproximateNumberOfMessagesVisible/Maximum',
      'FargateGate/ScansFinished/Sum',
    ]);
    // On Lambda compute with the fallback: one alarm per failed scan, the gate's scan errors (test/infra/scan-failures-alarm.test.ts);
    // none on the EC2 fallback's failed builds, which ScansFinished{outcome=error} counts already.
    expect(all.filter((a) => a.MetricName === 'FailedBuilds')).toEqual([]);
  });

  it('are five without the lifecycle hook, on Lambda compute and on EC2 compute (its scan project\'s failed builds and queue)', () => {
    expect(alarms(gate({ lifecycleHook: false }))).toHaveLength(5);
    expect(alarms(gate({ lifecycleHook: false, scanCompute: { mode: 'ec2' } }))).toHaveLength(5);
  });

  it('have no action without a topic', () => {
    expect(alarms(gate()).map((a) => a.AlarmActions)).toEqual([undefined, undefined, undefined, undefined, undefined, undefined]);
  });
});

describe('lifecycle hook', () => {
  it('is exposed as stack outputs with the role ECS assumes', () => {
    const template = gate();
    template.hasOutput('HookFunctionArn', { Value: { 'Fn::GetAtt': [logicalId(template, 'AWS::Lambda::Function', 'GateHookFunction'), 'Arn'] } });
    template.hasOutput('HookInvokeRoleArn', { Value: { 'Fn::GetAtt': [logicalId(template, 'AWS::IAM::Role', 'GateHookInvokeRole'), 'Arn'] } });
    template.hasOutput('ReportGroupArn', { Value: { 'Fn::GetAtt': [logicalId(template, 'AWS::CodeBuild::ReportGroup', 'GateScanReports'), 'Arn'] } });
    template.hasOutput('ReportBucketName', { Value: { Ref: logicalId(template, 'AWS::S3::Bucket', 'GateReports') } });
  });

  it('can be left out', () => {
    const template = gate({ lifecycleHook: false });
    // The gate function, the inventory's reconciliation and the in-use report; the others belong to the managed DB
    // mirror's deploy-time first refresh.
    const functions = Object.keys(template.findResources('AWS::Lambda::Function')).filter((id) => !id.startsWith('GateVulnerabilityDbMirrorFirstRefresh'));
    expect(functions).toHaveLength(3);
    expect(functions.some((id) => id.startsWith('GateGateFunction'))).toBe(true);
    expect(functions.some((id) => id.startsWith('GateHookFunction'))).toBe(false);
    expect(Object.keys(template.findResources('AWS::IAM::Role')).some((id) => id.startsWith('GateHookInvokeRole'))).toBe(false);
    expect(Object.keys(template.toJSON().Outputs)).not.toContain('HookFunctionArn');
    expect(Object.keys(template.toJSON().Outputs)).not.toContain('HookInvokeRoleArn');
  });
});

describe('synth warnings', () => {
  it('warns when verdicts expire before the policy would rescan', () => {
    const { stack } = synthGate({ policyFile: join(ROOT, 'policies/audit.json'), verdictTtl: Duration.days(1) });
    Annotations.fromStack(stack).hasWarning('/Gate/Gate', Match.stringLikeRegexp("verdictTtl \\(1 day\\) is shorter than the policy's maxScanAge \\(7d\\)"));
  });

  it('stays quiet when verdicts outlive maxScanAge', () => {
    const { stack } = synthGate({ policyFile: join(ROOT, 'policies/audit.json') });
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('verdictTtl'))).toEqual([]);
  });
});

describe('environment-agnostic synth', () => {
  it('works without an account or region and scopes everything to the deploying account', () => {
    const { template } = synthGate({}, { env: 'agnostic' });
    const rule = Object.entries(template.findResources('AWS::Events::Rule')).find(([id]) => id.startsWith('GateFargateTaskStarting'))![1];
    expect(JSON.stringify(rule.Properties.EventPattern.detail.clusterArn)).toContain('AWS::AccountId');
  });

  type Rules = Record<string, { Assertions: { Assert: unknown; AssertDescription: string }[] }>;
  const gateRules = (template: Template): Rules =>
    Object.fromEntries(Object.entries((template.toJSON().Rules ?? {}) as Rules).filter(([id]) => id.startsWith('GateClustersInDeployEnvironment')));

  it('refuses at deploy time a cluster ARN of another region or account, which synth cannot see', () => {
    const { template } = synthGate({ clusters: ['arn:aws:ecs:eu-west-1:444455556666:cluster/prod', 'batch'] }, { env: 'agnostic' });
    const [rule] = Object.values(gateRules(template));
    expect(rule.Assertions.map((a) => a.Assert)).toEqual([
      { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'eu-west-1'] },
      { 'Fn::Equals': [{ Ref: 'AWS::AccountId' }, '444455556666'] },
    ]);
    for (const assertion of rule.Assertions) expect(assertion.AssertDescription).toContain('arn:aws:ecs:eu-west-1:444455556666:cluster/prod');
  });

  it('asserts each region and account once, however many clusters share them', () => {
    const { template } = synthGate(
      { clusters: ['arn:aws:ecs:eu-west-1:444455556666:cluster/prod', 'arn:aws:ecs:eu-west-1:444455556666:cluster/batch'] },
      { env: 'agnostic' },
    );
    expect(Object.values(gateRules(template))[0].Assertions).toHaveLength(2);
  });

  it('needs no rule for clusters named, or when synth knows the account and region', () => {
    expect(gateRules(synthGate({ clusters: ['prod', 'batch'] }, { env: 'agnostic' }).template)).toEqual({});
    expect(gateRules(gate({ clusters: ['arn:aws:ecs:us-west-2:111122223333:cluster/prod'] }))).toEqual({});
  });

  it('refuses at synth a cluster of another region when the stack knows its own', () => {
    expect(() => gate({ clusters: ['arn:aws:ecs:eu-west-1:111122223333:cluster/prod'] })).toThrow(/is in eu-west-1, the stack deploys to us-west-2/);
  });
});

describe('scan project on Lambda compute (scanCompute.mode: lambda)', () => {
  const { template } = synthGate({ scanCompute: { mode: 'lambda' } });

  it('is the default in a region with Lambda compute, with the managed DB mirror; EC2 elsewhere and in an agnostic stack', () => {
    const typeOf = (t: Template) => scanProjectOf(t).Properties.Environment.Type;
    expect(typeOf(gate())).toBe('LINUX_LAMBDA_CONTAINER');
    expect(typeOf(synthGate({}, { env: { account: TEST_ENV.account, region: 'eu-north-1' } }).template)).toBe('LINUX_CONTAINER');
    expect(typeOf(synthGate({}, { env: 'agnostic' }).template)).toBe('LINUX_CONTAINER');
    expect(typeOf(gate({ scanCompute: { mode: 'ec2' } }))).toBe('LINUX_CONTAINER');
  });
  const scanProject = () => {
    const id = logicalId(template, 'AWS::CodeBuild::Project', 'GateScanProject');
    return template.findResources('AWS::CodeBuild::Project')[id];
  };

  it('runs on the x86_64 Lambda container with the Node.js 22 Lambda image, 4 GB by default', () => {
    expect(scanProject().Properties.Environment).toMatchObject({
      Type: 'LINUX_LAMBDA_CONTAINER',
      ComputeType: 'BUILD_LAMBDA_4GB',
      Image: 'aws/codebuild/amazonlinux-x86_64-lambda-standard:nodejs22',
    });
    // Lambda compute has no privileged mode (https://docs.aws.amazon.com/codebuild/latest/userguide/lambda.html#lambda.limitations).
    expect(scanProject().Properties.Environment.PrivilegedMode).not.toBe(true);
  });

  it('runs on the ARM Lambda container on arm64', () => {
    const arm = synthGate({ scanCompute: { mode: 'lambda', architecture: 'arm64' } }).template;
    arm.hasResourceProperties('AWS::CodeBuild::Project', {
      Environment: Match.objectLike({ Type: 'ARM_LAMBDA_CONTAINER', ComputeType: 'BUILD_LAMBDA_4GB', Image: 'aws/codebuild/amazonlinux-aarch64-lambda-standard:nodejs22' }),
    });
  });

  it('has no build cache, no build or queue timeout, and no cache permission on the scan role (Lambda compute supports none)', () => {
    const { Properties: props } = scanProject();
    expect(props.Cache).toEqual({ Type: 'NO_CACHE' });
    expect(props.TimeoutInMinutes).toBeUndefined();
    expect(props.QueuedTimeoutInMinutes).toBeUndefined();
    // The cache permission exists for the EC2 fallback project only (test/infra/scan-fallback.test.ts): without it, none.
    const alone = synthGate({ scanCompute: { mode: 'lambda', ec2Fallback: false } }).template;
    const scanPolicies = JSON.stringify(Object.values(alone.findResources('AWS::IAM::Policy')).filter((policy) => JSON.stringify(policy.Properties.Roles).includes('GateScanRole')));
    expect(scanPolicies).toContain('WriteRawReportsAndTestReportExports');
    expect(scanPolicies).not.toMatch(/ScannerDatabaseCache|trivy-cache/);
  });

  it('drops the buildspec cache and runtime-versions, keeping every command and the report', () => {
    const { document } = buildspecOf(template);
    const source = parse(readFileSync(join(ROOT, 'buildspecs/inline-scan.yml'), 'utf8')) as { phases: Record<string, { commands: string[] }> };
    expect(document.cache).toBeUndefined();
    const phases = document.phases as Record<string, Record<string, unknown>>;
    expect(phases.install['runtime-versions']).toBeUndefined();
    for (const phase of Object.keys(source.phases)) expect(phases[phase].commands).toEqual(source.phases[phase].commands);
    expect(Object.keys(document.reports as object)).toHaveLength(1);
  });

  it('gives Trivy 10 minutes by default and the DB an age bound', () => {
    const id = logicalId(template, 'AWS::CodeBuild::Project', 'GateScanProject');
    const env = Object.fromEntries((template.findResources('AWS::CodeBuild::Project')[id].Properties.Environment.EnvironmentVariables as { Name: string; Value: unknown }[]).map((v) => [v.Name, v.Value]));
    expect(env.GATE_TRIVY_TIMEOUT).toBe('10m');
    expect(env.GATE_TRIVY_MAX_DB_AGE_HOURS).toMatch(/^[1-9][0-9]*$/);
  });

  it('refuses Lambda compute in a region without it, an EC2 compute type, and EC2 timeouts', () => {
    expect(() => synthGate({ scanCompute: { mode: 'lambda' } }, { env: { account: TEST_ENV.account, region: 'eu-north-1' } })).toThrow(/no Lambda compute in eu-north-1/);
    expect(() => synthGate({ scanCompute: { mode: 'lambda', computeType: codebuild.ComputeType.SMALL } })).toThrow(/does not run on lambda compute/);
    expect(() => synthGate({ scanCompute: { mode: 'lambda', buildTimeout: Duration.minutes(30) } })).toThrow(/Lambda compute has no custom build or queue timeout/);
  });
});
