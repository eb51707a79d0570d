import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { clientSettings } from '../../adapters/client-config';
import { DOCUMENT_CLIENT_TRANSLATE_CONFIG } from '../../adapters/document-client';
import { DynamoGateStore } from '../../adapters/dynamo-gate-store';
import { EcsGate, EcsTaskDefinitions } from '../../adapters/ecs';
import { onceAsync } from '../../adapters/once-async';
import type { HookResponse } from '../../core/events/lifecycle-hook';
import type { LoadedPolicy } from '../../core/policy/input';
import type { Policy } from '../../core/policy/schema';
import { loadBundledPolicy } from '../../io/bundled-policy';
import { handleLifecycleHook, type HookInvocation } from '../admission/lifecycle-hook';
import { GATE_ENV } from '../environment';
import { createLogger, type Logger } from '../logger';
import { EmfMetrics } from '../metrics-emf';
import { buildRuntime } from '../runtime';
import { lazyKevCatalogue, lazyNotifier, lazyRegistry, lazyReports, lazyScanner } from './lazy-ports';
import { readSettings, type Environment } from './settings';
import { lambdaComputeSlotsFor } from './lambda-slots-port';

/**
 * The lifecycle hook function's gate, on AWS: the same runtime and ports the gate function builds (wiring.ts), for the
 * one thing this function does, admitting a service revision (admission/lifecycle-hook.ts). It does not go through
 * `createGate`, which brings the event classifier and every event path (task judgement, enforcement, posture), none
 * of which a hook invocation reaches.
 *
 * At cold start it loads what admitting a revision whose digests have verdicts needs: ECS (DescribeServiceRevisions,
 * DescribeTaskDefinition) and DynamoDB (BatchGetItem). The rest is `import()`ed by the path that needs it: ECR and its
 * client when a revision names an image by tag without a digest, the scan path (hook-scans.ts), CodeBuild and S3 when a
 * digest has no verdict, EventBridge when a decision is published, the organisation routing (STS, member clients)
 * when the gate serves an organisation. Everything is built once per execution environment; a setting that is missing
 * or invalid fails the build (the entry then answers by the policy, hook.ts), and nothing is kept from a failed build.
 */
export interface LambdaHook {
  hook(payload: unknown, invocation?: HookInvocation): Promise<HookResponse>;
  metrics: EmfMetrics;
  logger: Logger;
  policy: LoadedPolicy<Policy>;
}

export async function createLambdaHook(env: Environment = process.env): Promise<LambdaHook> {
  const settings = readSettings(env);
  const logger = createLogger({ level: env[GATE_ENV.logLevel] });
  const metrics = new EmfMetrics({ namespace: env[GATE_ENV.metricsNamespace] || undefined });
  const loaded = await loadBundledPolicy(settings.policyFile);
  const policy = loaded.policy;
  // The clients of the cold path, with the settings of every gate client (adapters/lazy-clients.ts builds the same two
  // for the gate function; it also imports ECR statically, which the hook needs only for a tag without a digest).
  const clients = clientSettings();
  const ecsClient = new ECSClient(clients.common);
  const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient(clients.common), DOCUMENT_CLIENT_TRANSLATE_CONFIG);
  const eventBridge = onceAsync(async () => new (await import('@aws-sdk/client-eventbridge')).EventBridgeClient(clients.common));
  const s3 = onceAsync(async () => new (await import('@aws-sdk/client-s3')).S3Client(clients.common));
  const local = {
    ecs: new EcsGate({ client: ecsClient }),
    taskDefinitions: new EcsTaskDefinitions({ client: ecsClient }),
    registry: lazyRegistry(async () => {
      const [{ EcrRegistry }, { ecrClientsByLocation }] = await Promise.all([import('../../adapters/ecr'), import('../../adapters/ecr-clients')]);
      return new EcrRegistry({ clientFor: ecrClientsByLocation(clients.common) });
    }),
  };
  // With an organisation id, ECS and ECR calls go to each resource's own account through its member role (as in wiring.ts).
  const placed = env[GATE_ENV.organizationId]?.trim() ? (await import('./organisation')).organisationPorts(env, local, metrics) : local;
  const kevCatalogueKey = env[GATE_ENV.kevCatalogueKey];
  logger.info({ policy: policy.name, policyHash: policy.hash, policyPrepared: loaded.prepared ? true : loaded.why, clusters: settings.config.clusterArns?.length ?? 0, organisation: env[GATE_ENV.organizationId] || undefined }, 'gate ready');
  const rt = buildRuntime({
    store: new DynamoGateStore({ client: dynamo, tableName: settings.tableName }),
    // The hook starts scans too: it counts them against the same Lambda-compute slots as the gate (wiring.ts).
    ...lambdaComputeSlotsFor(settings.config, () => dynamo, settings.tableName),
    ecs: placed.ecs,
    taskDefinitions: placed.taskDefinitions,
    registry: placed.registry,
    scanner: lazyScanner(async () => {
      const [{ CodeBuildScanner }, { CodeBuildClient }] = await Promise.all([import('../../adapters/codebuild'), import('@aws-sdk/client-codebuild')]);
      return new CodeBuildScanner({ client: new CodeBuildClient(clients.codeBuild), projectName: settings.scanProjectName, ...(settings.config.fallbackScanProjectName ? { fallbackProjectName: settings.config.fallbackScanProjectName } : {}) });
    }),
    reports: lazyReports(settings.reportBucket, async () => {
      const { S3Reports } = await import('../../adapters/s3-reports');
      return new S3Reports({ client: await s3(), bucket: settings.reportBucket, prefix: settings.config.reportPrefix, maxReportBytes: settings.config.maxReportBytes });
    }),
    notifier: lazyNotifier(async () => {
      const { EventBridgeNotifier } = await import('../../adapters/eventbridge');
      return new EventBridgeNotifier({ client: await eventBridge(), eventBusName: settings.eventBusName });
    }),
    metrics,
    clock: { now: () => new Date() },
    policy,
    config: settings.config,
    logger,
    // A verdict the hook produces from a stored report counts the KEV catalogue's listings, as the gate's do.
    ...(kevCatalogueKey
      ? {
          kevCatalogue: lazyKevCatalogue(async () => {
            const { S3KevCatalogue } = await import('../../adapters/s3-kev-catalogue');
            return new S3KevCatalogue({ client: await s3(), bucket: settings.reportBucket, key: kevCatalogueKey });
          }),
        }
      : {}),
  });
  return { hook: (payload, invocation) => handleLifecycleHook(rt, payload, invocation), metrics, logger, policy };
}

const instance = onceAsync(() => createLambdaHook());

/** The execution environment's hook, built on first use; a failed build is not kept, so the next invocation tries again. */
export function lambdaHook(): Promise<LambdaHook> {
  return instance();
}
