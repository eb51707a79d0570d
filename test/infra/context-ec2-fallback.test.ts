import { gateSettingsFromContext } from '../../infra/context';

/** The settings `cdk -c` gives, read the way the app reads them (a lookup by key). */
const fromMap = (values: Record<string, unknown>) => gateSettingsFromContext((key) => values[key]);

describe('scan-ec2-fallback', () => {
  it('turns the EC2 fallback of a Lambda-compute scan project off, as -c passes it', () => {
    expect(fromMap({ 'scan-ec2-fallback': 'false' }).gate.scanCompute?.ec2Fallback).toBe(false);
    expect(fromMap({ 'scan-ec2-fallback': true }).gate.scanCompute?.ec2Fallback).toBe(true);
    expect(fromMap({}).gate.scanCompute?.ec2Fallback).toBeUndefined();
  });

  it('refuses a value that is not a boolean, naming the key', () => {
    expect(() => fromMap({ 'scan-ec2-fallback': 'sometimes' })).toThrow(/fargate-gate:scan-ec2-fallback/);
  });
});
