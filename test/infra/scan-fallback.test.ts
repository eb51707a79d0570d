import type { Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import { GATE_ENV } from '../../functions/handlers/environment';
import { ec2FallbackComputeType } from '../../infra/scan-fallback';
import { synthGate } from '../support/gate-stack';

type Resource = { Properties: Record<string, any> };

function projects(template: Template): Record<string, Resource> {
  return template.findResources('AWS::CodeBuild::Project') as Record<string, Resource>;
}

function projectOf(template: Template, prefix: string): Resource | undefined {
  return Object.entries(projects(template)).find(([id]) => id.startsWith(prefix))?.[1];
}

function idOf(template: Template, prefix: string): string | undefined {
  return Object.keys(projects(template)).find((id) => id.startsWith(prefix));
}

const variables = (project: Resource): Record<string, unknown> =>
  Object.fromEntries((project.Properties.Environment.EnvironmentVariables as { Name: string; Value: unknown }[]).map((v) => [v.Name, v.Value]));

/** The buildspec as the project holds it (JSON with the report group ARN joined in). */
function buildspecText(project: Resource): string {
  const parts = project.Properties.Source.BuildSpec['Fn::Join'][1] as unknown[];
  return parts.map((part) => (typeof part === 'string' ? part : '__REF__')).join('');
}

function functionEnvironment(template: Template, prefix: string): Record<string, unknown> {
  const fn = Object.entries(template.findResources('AWS::Lambda::Function')).find(([id]) => id.startsWith(prefix))?.[1] as Resource;
  return fn.Properties.Environment.Variables as Record<string, unknown>;
}

describe('the EC2 fallback of a scan project on Lambda compute', () => {
  const { template } = synthGate({ scanCompute: { mode: 'lambda' } });
  const fallback = projectOf(template, 'GateEc2FallbackScanProject') as Resource;
  const scan = projectOf(template, 'GateScanProject') as Resource;

  it('is an EC2 project with its own timeouts, the S3 cache and the same role, no privileges', () => {
    expect(fallback.Properties.Environment).toMatchObject({ Type: 'LINUX_CONTAINER', ComputeType: 'BUILD_GENERAL1_MEDIUM', Image: 'aws/codebuild/amazonlinux-x86_64-standard:5.0' });
    expect(fallback.Properties.Environment.PrivilegedMode).not.toBe(true);
    expect(fallback.Properties.TimeoutInMinutes).toBe(40);
    expect(fallback.Properties.QueuedTimeoutInMinutes).toBe(30);
    expect(fallback.Properties.Cache).toMatchObject({ Type: 'S3' });
    expect(fallback.Properties.ServiceRole).toEqual(scan.Properties.ServiceRole);
    expect(fallback.Properties.ConcurrentBuildLimit).toBe(scan.Properties.ConcurrentBuildLimit);
    // Its own log group, which the scan role may write to (test/infra/permissions.test.ts).
    expect(fallback.Properties.LogsConfig.CloudWatchLogs.GroupName).not.toEqual(scan.Properties.LogsConfig.CloudWatchLogs.GroupName);
  });

  it('runs the same buildspec and variables, with runtime-versions kept for the EC2 image and 30 minutes for Trivy', () => {
    const { GATE_TRIVY_TIMEOUT: fallbackTimeout, ...fallbackRest } = variables(fallback);
    const { GATE_TRIVY_TIMEOUT: scanTimeout, ...scanRest } = variables(scan);
    expect([scanTimeout, fallbackTimeout]).toEqual(['10m', '30m']);
    expect(fallbackRest).toEqual(scanRest);
    expect(buildspecText(fallback)).toContain('runtime-versions');
    expect(buildspecText(scan)).not.toContain('runtime-versions');
    // Every command of the scan is the same on both.
    const commands = (text: string) => JSON.stringify((JSON.parse(text) as { phases: Record<string, { commands: unknown }> }).phases.build.commands);
    expect(commands(buildspecText(fallback))).toEqual(commands(buildspecText(scan)));
  });

  it("tells both functions the fallback project's name and the deadline of a scan there (30 queued + 40 build + 5)", () => {
    for (const fn of ['GateGateFunction', 'GateHookFunction']) {
      const env = functionEnvironment(template, fn);
      expect(env[GATE_ENV.fallbackScanProjectName]).toEqual({ Ref: idOf(template, 'GateEc2FallbackScanProject') });
      expect(env[GATE_ENV.fallbackScanTimeoutMinutes]).toBe('75');
      expect(env[GATE_ENV.scanTimeoutMinutes]).toBe('50');
    }
  });

  it('lets both functions start builds there under the same lock-down as the scan project: no override but the scan variables', () => {
    const managed = Object.values(template.findResources('AWS::IAM::ManagedPolicy')) as Resource[];
    const statements = managed.flatMap((policy) => policy.Properties.PolicyDocument.Statement as Record<string, any>[]).filter((s) => s.Action === 'codebuild:StartBuild');
    expect(statements).toHaveLength(1);
    const [start] = statements;
    expect(start.Resource).toEqual([{ 'Fn::GetAtt': [idOf(template, 'GateScanProject'), 'Arn'] }, { 'Fn::GetAtt': [idOf(template, 'GateEc2FallbackScanProject'), 'Arn'] }]);
    expect(start.Condition.Null['codebuild:environment.computeType']).toBe('true');
    expect(start.Condition.Null['codebuild:environment.type']).toBe('true');
    expect(start.Condition.Null['codebuild:environment.image']).toBe('true');
  });

  it('backs a larger Lambda type with a larger EC2 type, on ARM for arm64 scans', () => {
    expect(ec2FallbackComputeType(codebuild.ComputeType.LAMBDA_1GB)).toBe(codebuild.ComputeType.MEDIUM);
    expect(ec2FallbackComputeType(codebuild.ComputeType.LAMBDA_4GB)).toBe(codebuild.ComputeType.MEDIUM);
    expect(ec2FallbackComputeType(codebuild.ComputeType.LAMBDA_8GB)).toBe(codebuild.ComputeType.LARGE);
    expect(ec2FallbackComputeType(codebuild.ComputeType.LAMBDA_10GB)).toBe(codebuild.ComputeType.LARGE);
    const arm = synthGate({ scanCompute: { mode: 'lambda', architecture: 'arm64', computeType: codebuild.ComputeType.LAMBDA_10GB } }).template;
    expect(projectOf(arm, 'GateEc2FallbackScanProject')?.Properties.Environment).toMatchObject({ Type: 'ARM_CONTAINER', ComputeType: 'BUILD_GENERAL1_LARGE' });
  });
});

describe('no EC2 fallback', () => {
  it('on EC2 compute, or when turned off: one scan project, and the functions are told of none', () => {
    for (const props of [{ scanCompute: { mode: 'ec2' as const } }, { scanCompute: { mode: 'lambda' as const, ec2Fallback: false } }]) {
      const { template } = synthGate(props);
      expect(idOf(template, 'GateEc2FallbackScanProject')).toBeUndefined();
      expect(idOf(template, 'GateScanProject')).toBeDefined();
      const env = functionEnvironment(template, 'GateGateFunction');
      expect(env[GATE_ENV.fallbackScanProjectName]).toBeUndefined();
      expect(env[GATE_ENV.fallbackScanTimeoutMinutes]).toBeUndefined();
    }
  });
});
