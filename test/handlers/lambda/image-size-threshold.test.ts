import { GATE_ENV } from '../../../functions/handlers/environment';
import { imageSizeThreshold } from '../../../functions/handlers/lambda/image-size-threshold';
import { readSettings } from '../../../functions/handlers/lambda/wiring';
import { requiredSettingsEnv } from './support';

const env = requiredSettingsEnv;

describe('GATE_EC2_ABOVE_IMAGE_BYTES', () => {
  it('reaches the gate config as the construct writes it (bytes), or as a size written by hand', () => {
    expect(readSettings(env({ [GATE_ENV.ec2AboveImageBytes]: '4294967296' })).config.ec2AboveImageBytes).toBe(4294967296);
    expect(imageSizeThreshold({ [GATE_ENV.ec2AboveImageBytes]: ' 3GiB ' })).toBe(3 * 1024 ** 3);
  });

  it('is absent (the core default) when the variable is unset or empty', () => {
    for (const value of [undefined, '', '  ']) expect(readSettings(env({ [GATE_ENV.ec2AboveImageBytes]: value })).config.ec2AboveImageBytes).toBeUndefined();
  });

  it.each(['0', '1024', '-5', 'NaN', 'big', '2048GiB'])('refuses %j at cold start, naming the variable', (value) => {
    expect(() => readSettings(env({ [GATE_ENV.ec2AboveImageBytes]: value }))).toThrow(/GATE_EC2_ABOVE_IMAGE_BYTES/);
  });
});
