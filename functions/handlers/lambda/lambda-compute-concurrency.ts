import { parseLambdaComputeConcurrency } from '../../core/gate/lambda-compute-concurrency';
import { GATE_ENV } from '../environment';

/**
 * `GATE_LAMBDA_COMPUTE_CONCURRENCY`: the Lambda-compute scan builds the gate runs at once before new scans start on the
 * EC2 fallback project (the construct writes it from `scanCompute.lambdaConcurrency`). Unset: the default (undefined
 * here). A value that is not a whole number from 1 to 1,000 fails the cold start, naming the variable, rather than
 * sending every scan (or none) to EC2.
 */
export function lambdaComputeConcurrencyFrom(env: Record<string, string | undefined>): number | undefined {
  const text = env[GATE_ENV.lambdaComputeConcurrency];
  if (text === undefined || text.trim() === '') return undefined;
  return parseLambdaComputeConcurrency(text, `fargate-gate: environment variable ${GATE_ENV.lambdaComputeConcurrency}`);
}
