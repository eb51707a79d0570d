import type { Template } from 'aws-cdk-lib/assertions';
import { GATE_ENV } from '../../functions/handlers/environment';
import { gateSettingsFromContext } from '../../infra/context';
import { resolveSettings } from '../../infra/settings';
import { synthGate } from '../support/gate-stack';

const fromMap = (values: Record<string, unknown>) => gateSettingsFromContext((key) => values[key]);

function functionEnvironment(template: Template, prefix: string): Record<string, unknown> {
  const fn = Object.entries(template.findResources('AWS::Lambda::Function')).find(([id]) => id.startsWith(prefix))?.[1] as { Properties: Record<string, any> };
  return fn.Properties.Environment.Variables as Record<string, unknown>;
}

describe('scanCompute.lambdaConcurrency', () => {
  it("is 1 (AWS's default quota for a Lambda compute type) on Lambda compute with the fallback, and absent without a fallback", () => {
    expect(resolveSettings({ scanCompute: { mode: 'lambda' } }).compute.lambdaConcurrency).toBe(1);
    expect(resolveSettings({ scanCompute: { mode: 'lambda', lambdaConcurrency: 20, concurrentBuildLimit: 20 } }).compute.lambdaConcurrency).toBe(20);
    expect(resolveSettings({ scanCompute: { mode: 'ec2' } }).compute.lambdaConcurrency).toBeUndefined();
    expect(resolveSettings({ scanCompute: { mode: 'lambda', ec2Fallback: false } }).compute.lambdaConcurrency).toBeUndefined();
  });

  it.each([0, -1, 1.5, 1001, Number.NaN, '3' as unknown as number])('refuses %p, naming the setting and the quota it stands for', (value) => {
    expect(() => resolveSettings({ scanCompute: { mode: 'lambda', lambdaConcurrency: value } })).toThrow(/scanCompute\.lambdaConcurrency must be a whole number from 1 to 1000 \(the account's CodeBuild quota/);
  });

  it("may not exceed the scan project's concurrentBuildLimit (CodeBuild refuses builds past it): an error naming both settings and their context keys", () => {
    expect(() => resolveSettings({ scanCompute: { mode: 'lambda', lambdaConcurrency: 4 } })).toThrow(
      'scanCompute.lambdaConcurrency (4) must not exceed scanCompute.concurrentBuildLimit (3), the scan project\'s own concurrent build limit: CodeBuild refuses builds past it. Raise scanCompute.concurrentBuildLimit (context key fargate-gate:scan-concurrency) with it, or lower scanCompute.lambdaConcurrency (fargate-gate:scan-lambda-concurrency).',
    );
    expect(() => resolveSettings({ scanCompute: { mode: 'lambda', lambdaConcurrency: 2, concurrentBuildLimit: 1 } })).toThrow(/lambdaConcurrency \(2\) must not exceed scanCompute\.concurrentBuildLimit \(1\)/);
    expect(resolveSettings({ scanCompute: { mode: 'lambda', lambdaConcurrency: 3 } }).compute.lambdaConcurrency).toBe(3);
    // Through the context keys, as `cdk synth -c` gives them.
    expect(() => resolveSettings(fromMap({ 'scan-compute': 'lambda', 'scan-lambda-concurrency': '5', 'scan-concurrency': '4' }).gate)).toThrow(/lambdaConcurrency \(5\) must not exceed scanCompute\.concurrentBuildLimit \(4\)/);
    // Not used without the fallback: not held to the project limit.
    expect(resolveSettings({ scanCompute: { mode: 'lambda', ec2Fallback: false, lambdaConcurrency: 4 } }).compute.lambdaConcurrency).toBeUndefined();
  });

  it('is checked on EC2 compute too, where it is not used: a typo fails the synth', () => {
    expect(() => resolveSettings({ scanCompute: { mode: 'ec2', lambdaConcurrency: 0 } })).toThrow(/scanCompute\.lambdaConcurrency/);
  });
});

describe('context key scan-lambda-concurrency', () => {
  it('takes a number (cdk.json) or digits (-c)', () => {
    expect(fromMap({ 'scan-lambda-concurrency': 5 }).gate.scanCompute?.lambdaConcurrency).toBe(5);
    expect(fromMap({ 'scan-lambda-concurrency': ' 12 ' }).gate.scanCompute?.lambdaConcurrency).toBe(12);
    expect(fromMap({}).gate.scanCompute?.lambdaConcurrency).toBeUndefined();
  });

  it.each(['three', '0', '1001', '2.5', '-1', '', true, [3]])('refuses %p, naming the key', (value) => {
    expect(() => fromMap({ 'scan-lambda-concurrency': value })).toThrow(/fargate-gate:scan-lambda-concurrency must be a whole number of concurrent Lambda-compute builds from 1 to 1000/);
  });
});

describe('the setting in the synthesised stack', () => {
  it('reaches the gate and hook functions (GATE_LAMBDA_COMPUTE_CONCURRENCY), the default and a setting; not set without a fallback project', () => {
    const byDefault = synthGate({ scanCompute: { mode: 'lambda' } }).template;
    const set = synthGate({ scanCompute: { mode: 'lambda', lambdaConcurrency: 4, concurrentBuildLimit: 4 } }).template;
    for (const fn of ['GateGateFunction', 'GateHookFunction']) {
      expect(functionEnvironment(byDefault, fn)[GATE_ENV.lambdaComputeConcurrency]).toBe('1');
      expect(functionEnvironment(set, fn)[GATE_ENV.lambdaComputeConcurrency]).toBe('4');
    }
    expect(functionEnvironment(synthGate({ scanCompute: { mode: 'ec2' } }).template, 'GateGateFunction')[GATE_ENV.lambdaComputeConcurrency]).toBeUndefined();
  });
});
