import { createAwsClients, DynamoInventoryStore, EcsTaskListing } from '../../adapters';
import { CLUSTER_ARN } from '../../core/events/common';
import { GATE_ENV } from '../environment';
import { createLogger } from '../logger';
import { EmfMetrics } from '../metrics-emf';
import { organisationReconcile } from './reconcile-organisation';
import { reconcileInventory, type ReconcileSummary } from '../posture/reconcile';
import type { Environment } from './wiring';

/**
 * Entry point of the scheduled inventory reconciliation (handlers/posture/reconcile.ts). Thin: reads the table and the
 * clusters in scope from the environment the construct sets, and runs one bounded pass.
 */
export async function handler(): Promise<ReconcileSummary> {
  try {
    return await reconcileInventory(reconcileDeps());
  } finally {
    // Member-role errors of an organisation's reconciliation are counted (MemberRoleErrors per account).
    metrics?.flush();
  }
}

export function reconcileDeps(env: Environment = process.env) {
  const tableName = env[GATE_ENV.tableName]?.trim();
  if (!tableName) throw new Error(`fargate-gate: environment variable ${GATE_ENV.tableName} is required`);
  const clusters = (env[GATE_ENV.clusterArns] ?? '').split(',').map((arn) => arn.trim()).filter(Boolean);
  const invalid = clusters.filter((arn) => !CLUSTER_ARN.test(arn));
  if (invalid.length > 0) throw new Error(`fargate-gate: ${GATE_ENV.clusterArns} has entries that are not cluster ARNs: ${invalid.map((a) => JSON.stringify(a)).join(', ')}`);
  const budgetText = env[RECONCILE_BUDGET_ENV]?.trim();
  const budget = budgetText ? Number(budgetText) : undefined;
  if (budget !== undefined && (!Number.isSafeInteger(budget) || budget < 1)) throw new Error(`fargate-gate: ${RECONCILE_BUDGET_ENV} must be a whole number of at least 1, got ${JSON.stringify(budgetText)}`);
  const clients = (cached ??= createAwsClients({}));
  const logger = createLogger({ level: env[GATE_ENV.logLevel] });
  const inventory = new DynamoInventoryStore({ client: clients.dynamo, tableName, onDamagedItem: (err) => logger.error({ err }, 'damaged use item skipped: the run goes on without it') });
  // With an organisation id, member clusters with open uses too, through the member role (reconcile-organisation.ts).
  const placed = organisationReconcile(env, new EcsTaskListing({ client: clients.ecs }), inventory, (metrics ??= new EmfMetrics({ namespace: env[GATE_ENV.metricsNamespace] || undefined })));
  return {
    ecs: placed.ecs,
    ...(placed.memberClusters ? { memberClusters: placed.memberClusters } : {}),
    inventory,
    clock: { now: () => new Date() },
    logger,
    clusters,
    ...(budget !== undefined ? { budget } : {}),
  };
}

/** Read by the reconciliation only, and optional: ECS calls one run may make (default 200); the next run resumes where it stopped. */
export const RECONCILE_BUDGET_ENV = 'GATE_RECONCILE_BUDGET';

let cached: ReturnType<typeof createAwsClients> | undefined;
let metrics: EmfMetrics | undefined;
