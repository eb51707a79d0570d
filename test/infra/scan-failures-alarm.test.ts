import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Template } from 'aws-cdk-lib/assertions';
import { SCAN_ERRORS_METRIC } from '../../infra/scan-failures-alarm';
import { synthGate } from '../support/gate-stack';

type Alarm = { Properties: Record<string, any> };

function scanFailuresAlarm(template: Template): Record<string, any> {
  const found = Object.entries(template.findResources('AWS::CloudWatch::Alarm') as Record<string, Alarm>).filter(([id]) => id.startsWith('GateScanFailuresAlarm'));
  expect(found).toHaveLength(1);
  return found[0][1].Properties;
}

function projectRef(template: Template, prefix: string): { Ref: string } {
  const id = Object.keys(template.findResources('AWS::CodeBuild::Project')).find((logicalId) => logicalId.startsWith(prefix));
  if (!id) throw new Error(`no ${prefix}`);
  return { Ref: id };
}

// Review of issue 9, item 6: on Lambda compute with the EC2 fallback, the alarm watched the scan project's FailedBuilds,
// which counts every build that timed out or ran out of memory on Lambda compute, so it fired for every scan that
// moved to EC2 (and then usually got a verdict), saying the image could not be scanned.
describe('ScanFailuresAlarm', () => {
  it('on Lambda compute with the EC2 fallback, fires on the gate\'s own scan errors, not on the Lambda builds that moved', () => {
    const { template } = synthGate({ scanCompute: { mode: 'lambda' } });
    const alarm = scanFailuresAlarm(template);
    expect(alarm).toMatchObject({ Namespace: 'FargateGate', MetricName: 'ScansFinished', Statistic: 'Sum', Period: 300, Threshold: 1 });
    expect(alarm.Dimensions).toEqual([{ Name: 'outcome', Value: 'error' }]);
    expect(alarm.AlarmDescription).toContain('a scan ended in error');
    expect(alarm.AlarmDescription).toContain('moved to EC2 is not an error');
    expect(alarm.AlarmDescription).not.toContain('scan build FAILED');
  });

  // One failed scan, one alarm: a failed EC2 retry counts once in ScansFinished{outcome=error} (ScanFailuresAlarm); an
  // alarm on the fallback project's FailedBuilds fired for the same failure a second time.
  it('on Lambda compute with the EC2 fallback, a failed EC2 build raises ScanFailuresAlarm only: no alarm watches the fallback project\'s FailedBuilds', () => {
    const { template } = synthGate({ scanCompute: { mode: 'lambda' } });
    const alarms = Object.entries(template.findResources('AWS::CloudWatch::Alarm') as Record<string, Alarm>);
    const fallback = projectRef(template, 'GateEc2FallbackScanProject');
    const onFailures = alarms.filter(([, alarm]) => {
      const props = alarm.Properties;
      const failedBuilds = props.MetricName === 'FailedBuilds' && JSON.stringify(props.Dimensions ?? []).includes(JSON.stringify(fallback));
      const scanErrors = props.MetricName === 'ScansFinished' && JSON.stringify(props.Dimensions) === JSON.stringify([{ Name: 'outcome', Value: 'error' }]);
      return failedBuilds || scanErrors;
    });
    expect(onFailures.map(([id]) => id.replace(/[0-9A-F]{8}$/, ''))).toEqual(['GateScanFailuresAlarm']);
  });

  it('follows the configured metrics namespace, where the functions write their metrics', () => {
    const { template } = synthGate({ scanCompute: { mode: 'lambda' }, metricsNamespace: 'Platform/Gate' });
    expect(scanFailuresAlarm(template)).toMatchObject({ Namespace: 'Platform/Gate', MetricName: 'ScansFinished' });
  });

  it.each([
    ['on EC2 compute (no fallback: a failed build is a failed scan)', { scanCompute: { mode: 'ec2' as const } }],
    ['on Lambda compute without the fallback', { scanCompute: { mode: 'lambda' as const, ec2Fallback: false } }],
  ])('%s, fires on the scan project\'s failed builds', (_what, props) => {
    const { template } = synthGate(props);
    const alarm = scanFailuresAlarm(template);
    expect(alarm).toMatchObject({ Namespace: 'AWS/CodeBuild', MetricName: 'FailedBuilds', Statistic: 'Sum' });
    expect(alarm.Dimensions).toEqual([{ Name: 'ProjectName', Value: projectRef(template, 'GateScanProject') }]);
    expect(alarm.AlarmDescription).toContain('a scan build FAILED');
  });

  it('watches the metric exactly as the gate emits it: ScansFinished with the one dimension outcome=error (EMF, no default dimensions)', () => {
    // Every scan error path counts it so (finishScan, and endWithScanError for a scan given up on or refused for good).
    const completion = readFileSync(join(__dirname, '../../functions/handlers/scans/completion.ts'), 'utf8');
    const errorCounts = [...completion.matchAll(/metrics\.count\('ScansFinished', 1, \{ outcome: ([^}]+) \}\)/g)].map((m) => m[1].trim());
    expect(errorCounts).toEqual(["verdict ? 'verdict' : 'error'", "'error'"]);
    expect(SCAN_ERRORS_METRIC).toEqual({ metricName: 'ScansFinished', dimensionsMap: { outcome: 'error' } });
    for (const wiring of ['wiring.ts', 'hook.ts']) {
      expect(readFileSync(join(__dirname, '../../functions/handlers/lambda', wiring), 'utf8')).not.toContain('defaultDimensions');
    }
  });
});
