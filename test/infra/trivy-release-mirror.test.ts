import { runSimulation } from '@cloud-copilot/iam-simulate';
import type { Template } from 'aws-cdk-lib/assertions';
import type { FargateGateProps } from '../../infra/fargate-gate';
import { FIRST_REFRESH_PROPERTIES } from '../../functions/handlers/deploy/database-first-refresh';
import { PINNED_TRIVY, TRIVY_RELEASES_URL, trivyAssetName, trivyChecksumsFileName } from '../../infra/trivy';
import { trivyReleaseAssets } from '../../infra/trivy-release-mirror';
import { synthGate, TEST_ENV } from '../support/gate-stack';
import { asList, concreteRefs, resolveTemplateValue, rolePolicies, type PolicyStatement, type RolePolicies } from '../support/template-iam';

type Resource = { Type: string; Properties: Record<string, any> };

const VERSION = PINNED_TRIVY.version;
const X86 = trivyAssetName(VERSION, 'x86_64');
const ARM = trivyAssetName(VERSION, 'arm64');
const CHECKSUMS = trivyChecksumsFileName(VERSION);

function resources(template: Template, type: string, prefix = ''): [string, Resource][] {
  return (Object.entries(template.findResources(type)) as [string, Resource][]).filter(([id]) => id.startsWith(prefix));
}

function one(template: Template, type: string, prefix: string): [string, Resource] {
  const found = resources(template, type, prefix);
  if (found.length !== 1) throw new Error(`expected one ${type} ${prefix}*, found ${found.map(([id]) => id).join(', ') || 'none'}`);
  return found[0];
}

const RELEASE_BUCKET = 'GateVulnerabilityDbMirrorTrivyReleaseBucket';

/** A project's variables of the Trivy installation and release copy, resolved in the test account. */
function environmentOf(template: Template, prefix: string): Record<string, string> {
  const [, project] = one(template, 'AWS::CodeBuild::Project', prefix);
  const all = project.Properties.Environment.EnvironmentVariables as { Name: string; Value: string }[];
  const variables = resolveTemplateValue(template, all.filter((v) => /^GATE_TRIVY_(RELEASE_|DOWNLOAD_URL|ASSET|SHA256|VERSION)/.test(v.Name)));
  return Object.fromEntries(variables.map((v) => [v.Name, v.Value]));
}

/** Every Allow statement of a role's policies that names an S3 action, resolved in the test account. */
function s3Statements(template: Template, rolePrefix: string): PolicyStatement[] {
  const { policies, managed } = rolePolicies(template, rolePrefix);
  return [...policies, ...managed]
    .flatMap(({ policy }) => policy.Statement)
    .filter((statement) => statement.Effect === 'Allow' && asList(statement.Action).some((action) => action.startsWith('s3:')));
}

async function identityDecision(role: RolePolicies, action: string, resource: string): Promise<string | undefined> {
  const result = await runSimulation(
    {
      request: { principal: role.roleArn, action, resource: { resource, accountId: TEST_ENV.account }, contextVariables: {} },
      identityPolicies: [...role.policies, ...role.managed],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  if (result.resultType !== 'single') throw new Error(`${action} on ${resource}: ${JSON.stringify(result)}`);
  return result.result.analysis.identityAnalysis?.result;
}

describe('the Trivy release copy (default: the managed DB mirror keeps it)', () => {
  const { template } = synthGate({});
  const [bucketId, bucket] = one(template, 'AWS::S3::Bucket', RELEASE_BUCKET);
  const bucketArn = concreteRefs(template)[`${bucketId}.Arn`];
  const bucketName = concreteRefs(template)[bucketId];
  const objectArn = (file: string) => `${bucketArn}/trivy/v${VERSION}/${file}`;

  it('is a private bucket: SSE-S3, public access blocked, owner-enforced, versioned, access-logged to the stack\'s log bucket', () => {
    const [accessLogsId] = one(template, 'AWS::S3::Bucket', 'GateAccessLogs');
    expect(bucket.Properties).toMatchObject({
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: { DestinationBucketName: { Ref: accessLogsId }, LogFilePrefix: 'trivy-release-bucket/' },
    });
  });

  it('expires replaced copies after a week, and removes orphaned delete markers and unfinished uploads; the current copy never expires', () => {
    expect(bucket.Properties.LifecycleConfiguration.Rules).toEqual([
      {
        Id: 'expire-replaced-copies',
        Status: 'Enabled',
        NoncurrentVersionExpiration: { NoncurrentDays: 7 },
        ExpiredObjectDeleteMarker: true,
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
      },
    ]);
  });

  it('is retained with the stack by default (the removal policy of the gate\'s data)', () => {
    const [, raw] = Object.entries(template.toJSON().Resources as Record<string, { DeletionPolicy?: string }>).find(([id]) => id === bucketId)!;
    expect(raw.DeletionPolicy).toBe('Retain');
  });

  it('refuses every request without TLS, or with TLS older than 1.2 (its bucket policy)', () => {
    const [, policy] = resources(template, 'AWS::S3::BucketPolicy').find(([, p]) => JSON.stringify(p.Properties.Bucket) === JSON.stringify({ Ref: bucketId }))!;
    const statements = resolveTemplateValue(template, policy.Properties.PolicyDocument.Statement as PolicyStatement[]);
    const everywhere = [bucketArn, `${bucketArn}/*`];
    expect(statements).toEqual(
      expect.arrayContaining([
        { Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:*', Resource: everywhere, Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
        { Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:*', Resource: everywhere, Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } },
      ]),
    );
    // Nothing in it allows anyone anything.
    expect(statements.filter((statement) => statement.Effect === 'Allow')).toEqual([]);
  });

  it('is where the scans download Trivy (s3://<bucket>/trivy), the scan project and its EC2 fallback alike', () => {
    const { template: lambda } = synthGate({ scanCompute: { mode: 'lambda' } });
    const lambdaBucket = concreteRefs(lambda)[one(lambda, 'AWS::S3::Bucket', RELEASE_BUCKET)[0]];
    expect(environmentOf(template, 'GateScanProject').GATE_TRIVY_DOWNLOAD_URL).toBe(`s3://${bucketName}/trivy`);
    for (const project of ['GateScanProject', 'GateEc2FallbackScanProject']) {
      expect({ project, url: environmentOf(lambda, project).GATE_TRIVY_DOWNLOAD_URL }).toEqual({ project, url: `s3://${lambdaBucket}/trivy` });
    }
  });

  it('is filled by the refresh job with the pinned tarball of the scans\' architecture, from GitHub releases', () => {
    const environment = environmentOf(template, 'GateVulnerabilityDbMirrorRefreshProject');
    expect(environment).toMatchObject({
      GATE_TRIVY_RELEASE_VERSION: VERSION,
      GATE_TRIVY_RELEASE_ASSETS: `${X86}=${PINNED_TRIVY.sha256.x86_64}`,
      GATE_TRIVY_RELEASE_SOURCE_URL: TRIVY_RELEASES_URL,
      GATE_TRIVY_RELEASE_MIRROR_URL: `s3://${bucketName}/trivy`,
    });
    const { template: arm } = synthGate({ scanCompute: { mode: 'lambda', architecture: 'arm64' } });
    expect(environmentOf(arm, 'GateVulnerabilityDbMirrorRefreshProject').GATE_TRIVY_RELEASE_ASSETS).toBe(`${ARM}=${PINNED_TRIVY.sha256.arm64}`);
    expect(environmentOf(arm, 'GateEc2FallbackScanProject')).toMatchObject({ GATE_TRIVY_ASSET: ARM, GATE_TRIVY_SHA256: PINNED_TRIVY.sha256.arm64 });
  });

  it('is copied again at deploy when the pin changes (the first refresh\'s fingerprint covers it)', () => {
    const fingerprint = (props: FargateGateProps) => {
      const [, resource] = one(synthGate(props).template, 'Custom::VulnerabilityDbFirstRefresh', 'GateVulnerabilityDbMirrorFirstRefresh');
      return resource.Properties[FIRST_REFRESH_PROPERTIES.settings] as string;
    };
    const pinned = fingerprint({});
    expect(fingerprint({ scanner: { trivyVersion: '0.71.1', trivySha256: 'a'.repeat(64) } })).not.toBe(pinned);
    expect(fingerprint({ scanCompute: { architecture: 'arm64' } })).not.toBe(pinned);
    expect(fingerprint({})).toBe(pinned);
  });

  it('the refresh role may read and write exactly the release\'s files; the scan role may only read the tarball it installs', () => {
    expect(s3Statements(template, 'GateVulnerabilityDbMirrorRefreshRole')).toEqual([
      { Sid: 'CopyTrivyReleaseIntoTheMirror', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: [objectArn(X86), objectArn(CHECKSUMS)] },
    ]);
    const onBucket = s3Statements(template, 'GateScanRole').filter((statement) => asList(statement.Resource).some((resource) => resource.startsWith(bucketArn)));
    expect(onBucket).toEqual([{ Sid: 'ReadTrivyReleaseMirror', Effect: 'Allow', Action: 's3:GetObject', Resource: objectArn(X86) }]);
  });

  describe('simulated (IAM policy simulator, the roles as synthesised)', () => {
    const scanRole = rolePolicies(template, 'GateScanRole');
    const refreshRole = rolePolicies(template, 'GateVulnerabilityDbMirrorRefreshRole');

    it('the scan role reads the tarball it installs, and nothing else of the bucket; it writes and deletes nothing there', async () => {
      expect(await identityDecision(scanRole, 's3:GetObject', objectArn(X86))).toBe('Allowed');
      for (const [action, resource] of [
        ['s3:GetObject', objectArn(ARM)],
        ['s3:GetObject', objectArn(CHECKSUMS)],
        ['s3:GetObject', `${bucketArn}/trivy/v0.69.4/trivy_0.69.4_Linux-64bit.tar.gz`],
        ['s3:GetObject', `${bucketArn}/other`],
        ['s3:PutObject', objectArn(X86)],
        ['s3:DeleteObject', objectArn(X86)],
        ['s3:ListBucket', bucketArn],
      ]) {
        expect({ action, resource, decision: await identityDecision(scanRole, action, resource) }).toEqual({ action, resource, decision: expect.stringMatching(/Denied$/) });
      }
    });

    it('the refresh role writes the release\'s files only; it may not delete them nor write anything else of the bucket', async () => {
      for (const file of [X86, CHECKSUMS]) {
        for (const action of ['s3:GetObject', 's3:PutObject']) expect({ action, file, decision: await identityDecision(refreshRole, action, objectArn(file)) }).toEqual({ action, file, decision: 'Allowed' });
      }
      for (const [action, resource] of [
        ['s3:PutObject', `${bucketArn}/trivy/v${VERSION}/evil.sh`],
        ['s3:PutObject', `${bucketArn}/other`],
        ['s3:DeleteObject', objectArn(X86)],
        ['s3:PutBucketPolicy', bucketArn],
      ]) {
        expect({ action, resource, decision: await identityDecision(refreshRole, action, resource) }).toEqual({ action, resource, decision: expect.stringMatching(/Denied$/) });
      }
    });

    it('the gate and hook functions may not read or write it', async () => {
      for (const role of ['GateGateFunctionRole', 'GateHookFunctionRole']) {
        for (const action of ['s3:GetObject', 's3:PutObject']) {
          expect({ role, action, decision: await identityDecision(rolePolicies(template, role), action, objectArn(X86)) }).toEqual({ role, action, decision: expect.stringMatching(/Denied$/) });
        }
      }
    });
  });

  it('serves an organisation the same way: the central scan role reads the central bucket (member roles pull images only)', async () => {
    const { template: organisation } = synthGate({ organizationId: 'o-a1b2c3d4e5' });
    const [id] = one(organisation, 'AWS::S3::Bucket', RELEASE_BUCKET);
    const arn = `${concreteRefs(organisation)[`${id}.Arn`]}/trivy/v${VERSION}/${X86}`;
    expect(await identityDecision(rolePolicies(organisation, 'GateScanRole'), 's3:GetObject', arn)).toBe('Allowed');
    expect(environmentOf(organisation, 'GateScanProject').GATE_TRIVY_DOWNLOAD_URL).toBe(`s3://${concreteRefs(organisation)[id]}/trivy`);
  });
});

describe('an account that names its own Trivy source (air-gapped, or its own artifact store)', () => {
  it.each<[string, FargateGateProps, string]>([
    ['an https mirror, with the managed DB mirror', { scanner: { downloadBaseUrl: 'https://artifacts.example.com/trivy/' } }, 'https://artifacts.example.com/trivy'],
    ['an https mirror, with its own DB mirror', { scanner: { downloadBaseUrl: 'https://artifacts.example.com/trivy', dbRepositories: ['111122223333.dkr.ecr.us-west-2.amazonaws.com/trivy-db:2'] } }, 'https://artifacts.example.com/trivy'],
    ['no managed mirror and no source: GitHub releases, as before', { scanner: { managedDatabaseMirror: false } }, TRIVY_RELEASES_URL],
  ])('%s: no release bucket, no S3 grant for Trivy, the scans download from it', (_name, props, url) => {
    const { template } = synthGate(props);
    expect(resources(template, 'AWS::S3::Bucket', RELEASE_BUCKET)).toEqual([]);
    expect(environmentOf(template, 'GateScanProject').GATE_TRIVY_DOWNLOAD_URL).toBe(url);
    expect(s3Statements(template, 'GateScanRole').filter((statement) => /Trivy/.test(statement.Sid ?? ''))).toEqual([]);
    const refresh = resources(template, 'AWS::CodeBuild::Project', 'GateVulnerabilityDbMirrorRefreshProject');
    for (const [, project] of refresh) expect(JSON.stringify(project.Properties.Environment)).not.toContain('GATE_TRIVY_RELEASE_');
  });

  it('an s3:// mirror of its own: the scan role may read exactly the tarball it installs there, by key', async () => {
    const { template } = synthGate({ scanner: { downloadBaseUrl: 's3://corp-artifacts/mirrors/trivy', managedDatabaseMirror: false } });
    expect(resources(template, 'AWS::S3::Bucket', RELEASE_BUCKET)).toEqual([]);
    expect(environmentOf(template, 'GateScanProject').GATE_TRIVY_DOWNLOAD_URL).toBe('s3://corp-artifacts/mirrors/trivy');
    const key = `arn:aws:s3:::corp-artifacts/mirrors/trivy/v${VERSION}/${X86}`;
    expect(s3Statements(template, 'GateScanRole').filter((statement) => statement.Sid === 'ReadOwnTrivyReleaseMirror')).toEqual([
      { Sid: 'ReadOwnTrivyReleaseMirror', Effect: 'Allow', Action: 's3:GetObject', Resource: key },
    ]);
    const role = rolePolicies(template, 'GateScanRole');
    expect(await identityDecision(role, 's3:GetObject', key)).toBe('Allowed');
    for (const other of ['arn:aws:s3:::corp-artifacts/mirrors/secrets.txt', `arn:aws:s3:::corp-artifacts/mirrors/trivy/v${VERSION}/${ARM}`, 'arn:aws:s3:::other-bucket/x']) {
      expect({ other, decision: await identityDecision(role, 's3:GetObject', other) }).toEqual({ other, decision: expect.stringMatching(/Denied$/) });
    }
  });

  it('a bad source stops synth with the setting named', () => {
    expect(() => synthGate({ scanner: { downloadBaseUrl: 's3://Corp_Artifacts/trivy' } })).toThrow(/scanner\.downloadBaseUrl must be an https:\/\/ URL .* or an s3:\/\/<bucket>\[\/<prefix>\] location/);
  });
});

describe('trivyReleaseAssets', () => {
  const trivy = { version: VERSION, sha256: PINNED_TRIVY.sha256.x86_64, asset: X86 };

  it('gives one tarball per architecture, with the pinned checksum of each', () => {
    expect(trivyReleaseAssets(trivy, ['x86_64', 'x86_64'])).toEqual([{ architecture: 'x86_64', asset: X86, sha256: PINNED_TRIVY.sha256.x86_64 }]);
    expect(trivyReleaseAssets(trivy, ['arm64', 'x86_64'])).toEqual([
      { architecture: 'arm64', asset: ARM, sha256: PINNED_TRIVY.sha256.arm64 },
      { architecture: 'x86_64', asset: X86, sha256: PINNED_TRIVY.sha256.x86_64 },
    ]);
  });

  it('takes a custom release\'s checksum for its architecture, and refuses another architecture it has no checksum for', () => {
    const custom = { version: '0.71.1', sha256: 'a'.repeat(64), asset: trivyAssetName('0.71.1', 'x86_64') };
    expect(trivyReleaseAssets(custom, ['x86_64'])).toEqual([{ architecture: 'x86_64', asset: custom.asset, sha256: 'a'.repeat(64) }]);
    expect(() => trivyReleaseAssets(custom, ['arm64'])).toThrow(/scanner\.trivySha256 pins only trivy_0\.71\.1_Linux-64bit\.tar\.gz of Trivy 0\.71\.1/);
  });
});
