import { GATE_ENV } from '../../../functions/handlers/environment';
import { lambdaComputeConcurrencyFrom } from '../../../functions/handlers/lambda/lambda-compute-concurrency';
import { readSettings } from '../../../functions/handlers/lambda/settings';
import { requiredSettingsEnv } from './support';

describe('GATE_LAMBDA_COMPUTE_CONCURRENCY', () => {
  it('is read into the config, and absent when unset or empty', () => {
    expect(readSettings(requiredSettingsEnv({ [GATE_ENV.lambdaComputeConcurrency]: '4' })).config.lambdaComputeConcurrency).toBe(4);
    expect(lambdaComputeConcurrencyFrom({})).toBeUndefined();
    expect(lambdaComputeConcurrencyFrom({ [GATE_ENV.lambdaComputeConcurrency]: '  ' })).toBeUndefined();
  });

  it.each(['0', '1001', 'one', '1.5', '-2'])('fails the cold start on %p, naming the variable', (value) => {
    expect(() => readSettings(requiredSettingsEnv({ [GATE_ENV.lambdaComputeConcurrency]: value }))).toThrow(
      new RegExp(`fargate-gate: environment variable ${GATE_ENV.lambdaComputeConcurrency} must be a whole number of concurrent Lambda-compute builds from 1 to 1000`),
    );
  });
});
