import { resolve } from 'node:path';
import { createAwsClients, type AwsClients } from '../../adapters/clients';
import { DynamoGateStore } from '../../adapters/dynamo-gate-store';
import { S3ReportObjects } from '../../adapters/s3-report-objects';
import type { InventoryStore } from '../../core/posture/ports';
import { readBundledPolicyFileSync } from '../../io/bundled-policy-file';
import { GATE_ENV } from '../environment';
import { createLogger } from '../logger';
import { EmfMetrics } from '../metrics-emf';
import { publishInUseReport, type InUseReportDependencies, type InUseReportRun } from '../posture/in-use-report';
import { exceptionWindowDaysFrom } from './exception-window';
import { inventoryStoreFor } from './in-use-report-inventory';

/**
 * Environment the in-use report function reads beside the table, bucket, policy, metrics and log level: the window of
 * expiring exceptions is the gate's one setting (`GATE_ENV.exceptionWindowDays`), which the posture sweep reads too.
 */
export const IN_USE_REPORT_ENV = {
  exceptionWindowDays: GATE_ENV.exceptionWindowDays,
} as const;

export type Environment = Record<string, string | undefined>;
export type InventoryFactory = (clients: AwsClients, tableName: string) => InventoryStore;

export interface InUseReportLambda {
  deps: InUseReportDependencies;
  metrics: EmfMetrics;
}

/** Builds the report's dependencies from the function's environment; a missing or bad setting fails the cold start, naming it. */
export function createInUseReportLambda(env: Environment = process.env, inventoryOf: InventoryFactory = inventoryStoreFor, clients?: AwsClients): InUseReportLambda {
  const required = (name: string): string => {
    const value = env[name]?.trim();
    if (!value) throw new Error(`fargate-gate: environment variable ${name} is required`);
    return value;
  };
  const exceptionWindowDays = exceptionWindowDaysFrom(env);
  const tableName = required(GATE_ENV.tableName);
  const aws = clients ?? createAwsClients();
  const logger = createLogger({ level: env[GATE_ENV.logLevel] });
  const metrics = new EmfMetrics({ namespace: env[GATE_ENV.metricsNamespace] || undefined });
  const policy = readBundledPolicyFileSync(resolve(env.LAMBDA_TASK_ROOT ?? process.cwd(), required(GATE_ENV.policyFile)));
  return {
    deps: {
      inventory: inventoryOf(aws, tableName),
      store: new DynamoGateStore({ client: aws.dynamo, tableName }),
      objects: new S3ReportObjects({ client: aws.s3, bucket: required(GATE_ENV.reportBucket) }),
      policy,
      clock: { now: () => new Date() },
      metrics,
      logger,
      ...(exceptionWindowDays !== undefined ? { exceptionWindowDays } : {}),
    },
    metrics,
  };
}

let instance: InUseReportLambda | undefined;

/** Entry point of the in-use report's schedule (EventBridge Scheduler or rule): the event itself carries nothing it needs. */
export async function handler(): Promise<InUseReportRun> {
  instance ??= createInUseReportLambda();
  try {
    return await publishInUseReport(instance.deps);
  } finally {
    instance.metrics.flush();
  }
}
