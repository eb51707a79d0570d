import { DynamoGateStore } from '../../adapters/dynamo-gate-store';
import { DynamoInventoryStore } from '../../adapters/dynamo-inventory';
import { EcrRegistry } from '../../adapters/ecr';
import { EcsGate, EcsTaskDefinitions } from '../../adapters/ecs';
import { createLazyAwsClients } from '../../adapters/lazy-clients';
import type { LoadedPolicy, Policy } from '../../core/policy';
import { loadBundledPolicy } from '../../io/bundled-policy';
import { GATE_ENV } from '../environment';
import { createGate, type Gate } from '../gate';
import { createLogger, type Logger } from '../logger';
import { EmfMetrics } from '../metrics-emf';
import { lazyFindingEvents, lazyKevCatalogue, lazyNotifier, lazyOpenFindings, lazyReports, lazyScanner, lazyServiceExposure } from './lazy-ports';
import { readSettings, type Environment } from './settings';
import { lambdaComputeSlotsFor } from './lambda-slots-port';

// The settings moved to settings.ts (the hook function reads them without this module's gate-only imports).
export { readSettings, type Environment, type Settings } from './settings';

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

export async function createLambdaGate(env: Environment = process.env): Promise<LambdaGate> {
  const settings = readSettings(env);
  const logger = createLogger({ level: env[GATE_ENV.logLevel] });
  const metrics = new EmfMetrics({ namespace: env[GATE_ENV.metricsNamespace] || undefined });
  // Prepared at synth when it can be (io/bundled-policy.ts), else read as the CLI and `cdk synth` read it (the policy
  // schema loaded by import() only then); an error names the file and the JSON path, and fails the cold start.
  const loaded = await loadBundledPolicy(settings.policyFile);
  const policy = loaded.policy;
  // DynamoDB, ECS and ECR serve the first event of every kind; the other adapters, with their SDK clients, are loaded
  // when a path first calls them (lazy-ports.ts, adapters/lazy-clients.ts), so a cold start loads only what it uses.
  const clients = createLazyAwsClients();
  const ecsClient = clients.ecs();
  const local = {
    ecs: new EcsGate({ client: ecsClient }),
    taskDefinitions: new EcsTaskDefinitions({ client: ecsClient }),
    registry: new EcrRegistry({ clientFor: clients.ecrFor }),
  };
  // With an organisation id, ECS and ECR calls go to each resource's own account through its member role (the routing
  // loaded only then, as in hook-wiring.ts: a single-account gate's cold start does not load it).
  const placed = env[GATE_ENV.organizationId]?.trim() ? (await import('./organisation')).organisationPorts(env, local, metrics) : local;
  const kevCatalogueKey = env[GATE_ENV.kevCatalogueKey];
  logger.info({ policy: policy.name, policyHash: policy.hash, policyPrepared: loaded.prepared ? true : loaded.why, clusters: settings.config.clusterArns?.length ?? 0, organisation: env[GATE_ENV.organizationId] || undefined }, 'gate ready');
  const gate = createGate({
    store: new DynamoGateStore({ client: clients.dynamo(), tableName: settings.tableName }),
    // On Lambda compute with the EC2 fallback: the gate's count of its Lambda-compute builds (scans/lambda-overflow.ts).
    ...lambdaComputeSlotsFor(settings.config, () => clients.dynamo(), settings.tableName),
    ecs: placed.ecs,
    taskDefinitions: placed.taskDefinitions,
    registry: placed.registry,
    scanner: lazyScanner(async () => {
      const { CodeBuildScanner } = await import('../../adapters/codebuild');
      return new CodeBuildScanner({ client: await clients.codeBuild(), projectName: settings.scanProjectName, ...(settings.config.fallbackScanProjectName ? { fallbackProjectName: settings.config.fallbackScanProjectName } : {}) });
    }),
    reports: lazyReports(settings.reportBucket, async () => {
      const { S3Reports } = await import('../../adapters/s3-reports');
      return new S3Reports({ client: await clients.s3(), bucket: settings.reportBucket, prefix: settings.config.reportPrefix, maxReportBytes: settings.config.maxReportBytes });
    }),
    notifier: lazyNotifier(async () => {
      const { EventBridgeNotifier } = await import('../../adapters/eventbridge');
      return new EventBridgeNotifier({ client: await clients.eventBridge(), eventBusName: settings.eventBusName });
    }),
    metrics,
    clock: { now: () => new Date() },
    policy,
    config: settings.config,
    logger,
    // Task events record what runs (one conditional write per digest on RUNNING and STOPPED): handlers/posture/record-uses.ts.
    // The posture sweep, drift and Inspector findings read the same inventory (handlers/posture/rejudge.ts).
    inventory: new DynamoInventoryStore({ client: clients.dynamo(), tableName: settings.tableName, onDamagedItem: (err) => logger.error({ err }, 'damaged use item skipped') }),
    // The KEV catalogue the stack keeps, when it keeps one: verdicts of a policy with knownExploited count its listings.
    ...(kevCatalogueKey
      ? {
          kevCatalogue: lazyKevCatalogue(async () => {
            const { S3KevCatalogue } = await import('../../adapters/s3-kev-catalogue');
            return new S3KevCatalogue({ client: await clients.s3(), bucket: settings.reportBucket, key: kevCatalogueKey });
          }),
        }
      : {}),
    // "Fargate Gate Finding" events go on the gate's bus, beside the verdicts (docs/findings.md).
    findingEvents: lazyFindingEvents(async () => {
      const { EventBridgeFindingEvents } = await import('../../adapters/eventbridge-findings');
      return new EventBridgeFindingEvents({ client: await clients.eventBridge(), eventBusName: settings.eventBusName });
    }),
    // The findings whose opened event went out: a lost resolved event goes out with the digest's next verdict.
    // Both loaded on first use (lazy-ports.ts): only a verdict change calls them.
    openFindings: lazyOpenFindings(async () => {
      const { DynamoOpenFindingStore } = await import('../../adapters/dynamo-open-findings');
      return new DynamoOpenFindingStore({ client: clients.dynamo(), tableName: settings.tableName, onDamagedItem: (description) => logger.error({ description }, 'damaged open finding item skipped') });
    }),
    // When a finding opens, DescribeServices settles its services' exposure (handlers/posture/use-exposure.ts). Only
    // in one account: a member account's services would need the member's ECS client (organisation routing), so in
    // the organisation mode their exposure stays as recorded.
    ...(env[GATE_ENV.organizationId]
      ? {}
      : {
          serviceExposure: lazyServiceExposure(async () => {
            const { EcsServiceExposure } = await import('../../adapters/ecs-service-exposure');
            return new EcsServiceExposure({ client: ecsClient });
          }),
        }),
  });
  return { gate, metrics, logger, policy };
}

let instance: Promise<LambdaGate> | undefined;

/** The execution environment's gate, built on first use. A failed build is not kept: the next invocation tries again. */
export function lambdaGate(): Promise<LambdaGate> {
  instance ??= createLambdaGate().catch((error: unknown) => {
    instance = undefined;
    throw error;
  });
  return instance;
}
