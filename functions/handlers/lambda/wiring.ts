import { resolve } from 'node:path';
import { createAwsPorts, DynamoInventoryStore } from '../../adapters';
import { S3KevCatalogue } from '../../adapters/s3-kev-catalogue';
import { EventBridgeFindingEvents } from '../../adapters/eventbridge-findings';
import { CLUSTER_ARN } from '../../core/events/common';
import { parseByteSize } from '../../core/report-size';
import type { LoadedPolicy, Policy } from '../../core/policy';
import { readPolicyFileSync } from '../../io/policy-file';
import type { GateConfig } from '../config';
import { GATE_ENV } from '../environment';
import { createGate, type Gate } from '../gate';
import { createLogger, type Logger } from '../logger';
import { EmfMetrics } from '../metrics-emf';
import { organisationPorts } from './organisation';

/**
 * Builds the gate on AWS from the function's environment (`GATE_ENV`, set by the construct). Everything here is
 * done once per execution environment: clients, the task-definition cache and the policy (read from
 * `GATE_POLICY_FILE` in the bundle) live across invocations. A missing or invalid setting fails the cold start
 * with a message naming the variable, rather than every event later.
 */
export interface LambdaGate {
  gate: Gate;
  metrics: EmfMetrics;
  logger: Logger;
  policy: LoadedPolicy<Policy>;
}

export type Environment = Record<string, string | undefined>;

export function createLambdaGate(env: Environment = process.env): LambdaGate {
  const settings = readSettings(env);
  const logger = createLogger({ level: env[GATE_ENV.logLevel] });
  const metrics = new EmfMetrics({ namespace: env[GATE_ENV.metricsNamespace] || undefined });
  // Read as the CLI and `cdk synth` read it; an error names the file and the JSON path, and fails the cold start.
  const policy = readPolicyFileSync(settings.policyFile);
  const ports = createAwsPorts({
    tableName: settings.tableName,
    reportBucket: settings.reportBucket,
    reportPrefix: settings.config.reportPrefix,
    scanProjectName: settings.scanProjectName,
    eventBusName: settings.eventBusName,
    ...(settings.config.maxReportBytes !== undefined ? { maxReportBytes: settings.config.maxReportBytes } : {}),
  });
  // With an organisation id, ECS and ECR calls go to each resource's own account through its member role.
  const placed = organisationPorts(env, ports, metrics);
  logger.info({ policy: policy.name, policyHash: policy.hash, clusters: settings.config.clusterArns?.length ?? 0, organisation: env[GATE_ENV.organizationId] || undefined }, 'gate ready');
  const gate = createGate({
    store: ports.store,
    ecs: placed.ecs,
    taskDefinitions: placed.taskDefinitions,
    registry: placed.registry,
    scanner: ports.scanner,
    reports: ports.reports,
    notifier: ports.notifier,
    metrics,
    clock: { now: () => new Date() },
    policy,
    config: settings.config,
    logger,
    // Task events record what runs (one conditional write per digest on RUNNING and STOPPED): handlers/posture/record-uses.ts.
    // The posture sweep, drift and Inspector findings read the same inventory (handlers/posture/rejudge.ts).
    inventory: new DynamoInventoryStore({ client: ports.clients.dynamo, tableName: settings.tableName }),
    // The KEV catalogue the stack keeps, when it keeps one: verdicts of a policy with knownExploited count its listings.
    ...(env[GATE_ENV.kevCatalogueKey] ? { kevCatalogue: new S3KevCatalogue({ client: ports.clients.s3, bucket: settings.reportBucket, key: env[GATE_ENV.kevCatalogueKey] }) } : {}),
    // "Fargate Gate Finding" events go on the gate's bus, beside the verdicts (docs/findings.md).
    findingEvents: new EventBridgeFindingEvents({ client: ports.clients.eventBridge, eventBusName: settings.eventBusName }),
  });
  return { gate, metrics, logger, policy };
}

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
  const config: Partial<GateConfig> = {
    reportPrefix: env[GATE_ENV.reportPrefix] ?? undefined,
    scanProjectName,
    clusterArns,
    verdictTtlDays: positive(GATE_ENV.verdictTtlDays),
    scanTimeoutMinutes: positive(GATE_ENV.scanTimeoutMinutes),
    hookCallBackDelaySeconds: positive(GATE_ENV.hookCallBackDelaySeconds),
    sweepIntervalMinutes: positive(GATE_ENV.sweepMinutes),
    maxReportBytes: byteSize(GATE_ENV.maxReportBytes),
    rescanIntervalHours: positive(GATE_ENV.rescanIntervalHours),
    rejudgeScansPerRun: positive(GATE_ENV.rejudgeScansPerRun),
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

let instance: LambdaGate | undefined;

/** The execution environment's gate, built on first use. */
export function lambdaGate(): LambdaGate {
  instance ??= createLambdaGate();
  return instance;
}
