import { resolve } from 'node:path';
import { CLUSTER_ARN } from '../../core/events/common';
import { parseByteSize } from '../../core/report-size';
import type { GateConfig } from '../config';
import { GATE_ENV } from '../environment';
import { exceptionWindowDaysFrom } from './exception-window';
import { imageSizeThreshold } from './image-size-threshold';
import { lambdaComputeConcurrencyFrom } from './lambda-compute-concurrency';

/**
 * The Lambda functions' settings, read from their environment (`GATE_ENV`, set by the construct): shared by the gate
 * function (wiring.ts) and the lifecycle hook function (hook-wiring.ts), in a module of its own so that reading them
 * imports nothing else. A missing or invalid setting throws an error naming the variable.
 */
export type Environment = Record<string, string | undefined>;

export interface Settings {
  tableName: string;
  reportBucket: string;
  scanProjectName: string;
  eventBusName: string;
  policyFile: string;
  config: Partial<GateConfig>;
}

export function readSettings(env: Environment): Settings {
  const required = (name: string): string => {
    const value = env[name]?.trim();
    if (!value) throw new Error(`fargate-gate: environment variable ${name} is required`);
    return value;
  };
  const positive = (name: string): number | undefined => {
    const text = env[name]?.trim();
    if (!text) return undefined;
    const value = Number(text);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`fargate-gate: environment variable ${name} must be a positive number, got ${JSON.stringify(text)}`);
    return value;
  };
  // The construct writes a number of bytes; a size such as "128MiB" set by hand is read the way the CLI reads it.
  const byteSize = (name: string): number | undefined => {
    const text = env[name]?.trim();
    return text ? parseByteSize(text, `fargate-gate: environment variable ${name}`) : undefined;
  };
  const clusterArns = (env[GATE_ENV.clusterArns] ?? '')
    .split(',')
    .map((arn) => arn.trim())
    .filter(Boolean);
  const invalid = clusterArns.filter((arn) => !CLUSTER_ARN.test(arn));
  if (invalid.length > 0) throw new Error(`fargate-gate: ${GATE_ENV.clusterArns} has entries that are not cluster ARNs: ${invalid.map((a) => JSON.stringify(a)).join(', ')}`);

  const scanProjectName = required(GATE_ENV.scanProjectName);
  const fallbackScanProjectName = env[GATE_ENV.fallbackScanProjectName]?.trim() || undefined;
  const config: Partial<GateConfig> = {
    reportPrefix: env[GATE_ENV.reportPrefix] ?? undefined,
    scanProjectName,
    fallbackScanProjectName,
    fallbackScanTimeoutMinutes: positive(GATE_ENV.fallbackScanTimeoutMinutes),
    ec2AboveImageBytes: imageSizeThreshold(env),
    lambdaComputeConcurrency: lambdaComputeConcurrencyFrom(env),
    clusterArns,
    // With an organisation id, the gate's own account (its cluster list holds there only; events are checked against it).
    ...(env[GATE_ENV.organizationId]?.trim() && env[GATE_ENV.accountId]?.trim() ? { organisationAccount: env[GATE_ENV.accountId]?.trim() } : {}),
    verdictTtlDays: positive(GATE_ENV.verdictTtlDays),
    scanTimeoutMinutes: positive(GATE_ENV.scanTimeoutMinutes),
    hookCallBackDelaySeconds: positive(GATE_ENV.hookCallBackDelaySeconds),
    sweepIntervalMinutes: positive(GATE_ENV.sweepMinutes),
    maxReportBytes: byteSize(GATE_ENV.maxReportBytes),
    rescanIntervalHours: positive(GATE_ENV.rescanIntervalHours),
    rejudgeScansPerRun: positive(GATE_ENV.rejudgeScansPerRun),
    exceptionWindowDays: exceptionWindowDaysFrom(env),
  };
  return {
    tableName: required(GATE_ENV.tableName),
    reportBucket: required(GATE_ENV.reportBucket),
    scanProjectName,
    eventBusName: required(GATE_ENV.eventBusName),
    policyFile: resolve(env.LAMBDA_TASK_ROOT ?? process.cwd(), required(GATE_ENV.policyFile)),
    config,
  };
}
