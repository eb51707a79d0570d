import type { Template } from 'aws-cdk-lib/assertions';
import { DEFAULT_EC2_ABOVE_IMAGE_BYTES } from '../../functions/core/gate/ec2-above-image-bytes';
import { GATE_ENV } from '../../functions/handlers/environment';
import { gateSettingsFromContext } from '../../infra/context';
import { resolveSettings } from '../../infra/settings';
import { synthGate } from '../support/gate-stack';

const GIB = 1024 ** 3;
const fromMap = (values: Record<string, unknown>) => gateSettingsFromContext((key) => values[key]);

function functionEnvironment(template: Template, prefix: string): Record<string, unknown> {
  const fn = Object.entries(template.findResources('AWS::Lambda::Function')).find(([id]) => id.startsWith(prefix))?.[1] as { Properties: Record<string, any> };
  return fn.Properties.Environment.Variables as Record<string, unknown>;
}

describe('scanCompute.ec2AboveImageSize', () => {
  it('is 2 GiB by default on Lambda compute with the fallback, and absent without a fallback', () => {
    expect(resolveSettings({ scanCompute: { mode: 'lambda' } }).compute.ec2AboveImageBytes).toBe(2 * GIB);
    expect(resolveSettings({ scanCompute: { mode: 'ec2' } }).compute.ec2AboveImageBytes).toBeUndefined();
    expect(resolveSettings({ scanCompute: { mode: 'lambda', ec2Fallback: false } }).compute.ec2AboveImageBytes).toBeUndefined();
  });

  it('takes bytes or a size such as "4GiB"', () => {
    expect(resolveSettings({ scanCompute: { mode: 'lambda', ec2AboveImageSize: '4GiB' } }).compute.ec2AboveImageBytes).toBe(4 * GIB);
    expect(resolveSettings({ scanCompute: { mode: 'lambda', ec2AboveImageSize: 1_500_000_000 } }).compute.ec2AboveImageBytes).toBe(1_500_000_000);
  });

  it.each(['32MiB', '2048GiB', '-1', 'large', '0'])('refuses %s, naming the setting', (value) => {
    expect(() => resolveSettings({ scanCompute: { mode: 'lambda', ec2AboveImageSize: value } })).toThrow(/scanCompute\.ec2AboveImageSize/);
  });
});

describe('context key scan-ec2-above-image-size', () => {
  it('reads a size as -c passes it, or bytes from cdk.json', () => {
    expect(fromMap({ 'scan-ec2-above-image-size': '3GiB' }).gate.scanCompute?.ec2AboveImageSize).toBe(3 * GIB);
    expect(fromMap({ 'scan-ec2-above-image-size': 536_870_912 }).gate.scanCompute?.ec2AboveImageSize).toBe(536_870_912);
    expect(fromMap({}).gate.scanCompute?.ec2AboveImageSize).toBeUndefined();
  });

  it('refuses a size out of bounds or unreadable, naming the key', () => {
    expect(() => fromMap({ 'scan-ec2-above-image-size': '1MiB' })).toThrow(/fargate-gate:scan-ec2-above-image-size/);
    expect(() => fromMap({ 'scan-ec2-above-image-size': 'huge' })).toThrow(/fargate-gate:scan-ec2-above-image-size/);
  });
});

describe('the threshold in the synthesised stack', () => {
  // One synthesis of the default Lambda-compute stack for the tests that read it (each synthesis takes seconds).
  let lambdaDefault: Template | undefined;
  const byDefaultTemplate = () => (lambdaDefault ??= synthGate({ scanCompute: { mode: 'lambda' } }).template);

  it('reaches the gate and hook functions (GATE_EC2_ABOVE_IMAGE_BYTES), the default and a setting', () => {
    const byDefault = byDefaultTemplate();
    const set = synthGate({ scanCompute: { mode: 'lambda', ec2AboveImageSize: '5GiB' } }).template;
    for (const fn of ['GateGateFunction', 'GateHookFunction']) {
      expect(functionEnvironment(byDefault, fn)[GATE_ENV.ec2AboveImageBytes]).toBe(String(DEFAULT_EC2_ABOVE_IMAGE_BYTES));
      expect(functionEnvironment(set, fn)[GATE_ENV.ec2AboveImageBytes]).toBe(String(5 * GIB));
    }
  });

  it('is not set where there is no fallback project', () => {
    const template = synthGate({ scanCompute: { mode: 'ec2' } }).template;
    expect(functionEnvironment(template, 'GateGateFunction')[GATE_ENV.ec2AboveImageBytes]).toBeUndefined();
  });

  it('needs no new permission: the size lookup is ecr:DescribeImages, which both functions hold on the repositories in scope', () => {
    const template = byDefaultTemplate();
    const policies = Object.values({ ...template.findResources('AWS::IAM::Policy'), ...template.findResources('AWS::IAM::ManagedPolicy') }) as {
      Properties: { PolicyDocument: { Statement: Record<string, any>[] }; Roles?: { Ref: string }[] };
    }[];
    const holders = policies
      .filter((policy) => policy.Properties.PolicyDocument.Statement.some((s) => s.Sid === 'ResolveTagsInScopedRepositories' && [s.Action].flat().includes('ecr:DescribeImages')))
      .flatMap((policy) => (policy.Properties.Roles ?? []).map((role) => role.Ref));
    expect(holders.some((role) => role.startsWith('GateGateFunction'))).toBe(true);
    expect(holders.some((role) => role.startsWith('GateHookFunction'))).toBe(true);
  });
});
