import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { onceAsync } from '../../adapters/once-async';
import type { LambdaComputeSlotsPort } from '../../core/gate/lambda-overflow';
import type { GateConfig } from '../config';

/**
 * The Lambda-compute slots (core/gate/lambda-overflow.ts) for a function's ports: only on a stack with an EC2 fallback
 * project (its scan project is on Lambda compute), in the gate's table. The adapter module is imported on the first
 * claim, as the other path-specific adapters are (lazy-ports.ts), so a cold start that starts no scan does not load it.
 */
export function lambdaComputeSlotsFor(config: Pick<Partial<GateConfig>, 'fallbackScanProjectName'>, dynamo: () => DynamoDBDocumentClient, tableName: string): { lambdaComputeSlots?: LambdaComputeSlotsPort } {
  if (!config.fallbackScanProjectName) return {};
  const adapter = onceAsync(async () => new (await import('../../adapters/dynamo-lambda-slots')).DynamoLambdaComputeSlots({ client: dynamo(), tableName }));
  return {
    lambdaComputeSlots: {
      claim: async (holder, limit, leaseUntilMs) => (await adapter()).claim(holder, limit, leaseUntilMs),
      claimOverflow: async (holder, limit, leaseUntilMs) => (await adapter()).claimOverflow(holder, limit, leaseUntilMs),
      release: async (scanId) => (await adapter()).release(scanId),
    },
  };
}
