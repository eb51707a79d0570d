import { Duration } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { GATE_ENV } from '../../functions/handlers/environment';
import type { FargateGateProps } from '../../infra/fargate-gate';
import { synthGate } from '../support/gate-stack';

/** The stack output a service team reads before setting its PAUSE hook's timeout (docs/deploy.md). */
function minimumTimeout(template: Template): unknown {
  return template.toJSON().Outputs?.PauseHookMinimumTimeoutMinutes?.Value;
}

function gateEnvironment(template: Template): Record<string, string | undefined> {
  const fn = Object.entries(template.findResources('AWS::Lambda::Function')).find(([id]) => id.startsWith('GateGateFunction'))?.[1] as { Properties: { Environment: { Variables: Record<string, string> } } };
  return fn.Properties.Environment.Variables;
}

describe('the PauseHookMinimumTimeoutMinutes output (review item 5)', () => {
  // Expected figures from the projects' own timeouts (the review's reading): Lambda compute 30 queued + 15 build + 5
  // margin = 50; its EC2 fallback 30 + 40 + 5 = 75; EC2 compute 30 + 20 + 5 = 55; the default sweep every 5 minutes.
  it.each<[string, FargateGateProps, number]>([
    ['Lambda compute with the EC2 fallback: scan 50 + fallback 75 + sweep 5', { scanCompute: { mode: 'lambda' } }, 130],
    ['Lambda compute without the fallback: 50 + 5', { scanCompute: { mode: 'lambda', ec2Fallback: false } }, 55],
    ['EC2 compute: 55 + 5', { scanCompute: { mode: 'ec2' } }, 60],
    ['EC2 compute, sweep every 15 minutes: 55 + 15', { scanCompute: { mode: 'ec2' }, sweepInterval: Duration.minutes(15) }, 70],
  ])('%s', (_what, props, expected) => {
    const { template } = synthGate(props);
    expect(minimumTimeout(template)).toBe(String(expected));
  });

  it('is the sum of the deadlines the gate itself is given (scan, fallback, sweep), so docs and runtime agree', () => {
    for (const props of [{ scanCompute: { mode: 'lambda' as const } }, { scanCompute: { mode: 'ec2' as const } }]) {
      const { template } = synthGate(props);
      const env = gateEnvironment(template);
      const sum = [env[GATE_ENV.scanTimeoutMinutes], env[GATE_ENV.fallbackScanTimeoutMinutes] ?? '0', env[GATE_ENV.sweepMinutes]].map(Number).reduce((a, b) => a + b, 0);
      expect(minimumTimeout(template)).toBe(String(sum));
    }
  });
});
