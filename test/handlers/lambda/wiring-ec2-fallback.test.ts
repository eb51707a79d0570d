import { GATE_ENV } from '../../../functions/handlers/environment';
import { readSettings } from '../../../functions/handlers/lambda/wiring';
import { requiredSettingsEnv } from './support';

const env = requiredSettingsEnv;

describe('readSettings: the EC2 fallback project', () => {
  it('reads the project and its scan deadline as the construct writes them', () => {
    const { config } = readSettings(env({ [GATE_ENV.fallbackScanProjectName]: ' fargate-gate-scan-ec2 ', [GATE_ENV.fallbackScanTimeoutMinutes]: '75' }));
    expect(config).toMatchObject({ scanProjectName: 'fargate-gate-scan', fallbackScanProjectName: 'fargate-gate-scan-ec2', fallbackScanTimeoutMinutes: 75 });
  });

  it('has no fallback when the variable is absent or empty (a scan project on EC2 compute)', () => {
    for (const value of [undefined, '', '  ']) expect(readSettings(env({ [GATE_ENV.fallbackScanProjectName]: value })).config.fallbackScanProjectName).toBeUndefined();
  });

  it('refuses a deadline that is not a positive number, naming the variable', () => {
    expect(() => readSettings(env({ [GATE_ENV.fallbackScanTimeoutMinutes]: 'soon' }))).toThrow(/GATE_FALLBACK_SCAN_TIMEOUT_MINUTES must be a positive number/);
  });
});
