import { Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { fargateTaskStoppedPattern } from './event-patterns';
import { grantWithReasons } from './nag-suppressions';
import * as permissions from './permissions';
import type { GateScope } from './scope';

/** How often the inventory is reconciled with ListTasks / DescribeTasks when nothing says otherwise. */
export const DEFAULT_RECONCILE_INTERVAL = Duration.hours(1);
/** The reconciliation's Lambda timeout: a run of 200 ECS calls and its writes takes well under a minute. */
const RECONCILE_TIMEOUT = Duration.minutes(5);
const RECONCILE_MEMORY_MB = 256;

/** Whole minutes from 5 (a run must be able to finish before the next) to one day (a lost STOPPED event stays open at most that long). */
export function resolveReconcileInterval(interval: Duration | undefined): Duration {
  const value = interval ?? DEFAULT_RECONCILE_INTERVAL;
  const ms = value.toMilliseconds();
  if (ms % 60_000 !== 0 || ms < 5 * 60_000 || ms > 24 * 60 * 60_000) throw new Error('reconcileInterval must be whole minutes between 5 and 1440 (one day)');
  return value;
}

export interface InventoryProps {
  scope: GateScope;
  tableArn: string;
  tableIndexName: string;
  reconcileInterval: Duration;
  /** The gate function's rule target (its dead-letter queue and retries): STOPPED task events go there too. */
  gateRuleTarget: events.IRuleTarget;
  /** Creates a function as the gate's own are created (log group, role, bundling, async failure queue). */
  newFunction: (id: string, options: { description: string; timeout: Duration; memorySize: number; async: boolean }) => lambda.Function;
}

export interface GateInventoryResources {
  taskStoppedRule: events.Rule;
  reconcileFunction: lambda.Function;
  reconcileSchedule: events.Rule;
}

/**
 * The inventory's infrastructure (issue 12, "what runs, where, since when"): the rule delivering STOPPED Fargate task
 * events to the gate function (they close uses; the starting rule never delivers them), and the scheduled
 * reconciliation function with the least privilege it needs: ListTasks and DescribeTasks in the clusters in scope,
 * DescribeTaskDefinition (the owner tags of the tasks it records; no resource-level permission exists), ListClusters
 * only when every cluster is, and the gate table.
 */
export function addGateInventory(gate: Construct, props: InventoryProps): GateInventoryResources {
  const stack = Stack.of(gate);
  const taskStoppedRule = new events.Rule(gate, 'FargateTaskStopped', {
    description: 'fargate-gate: Fargate tasks that stopped in the clusters in scope (closes their uses in the inventory)',
    eventPattern: fargateTaskStoppedPattern(props.scope.clusterPattern),
    targets: [props.gateRuleTarget],
  });
  const reconcileFunction = props.newFunction('ReconcileFunction', {
    description: 'fargate-gate: reconciles the inventory of running tasks with ListTasks and DescribeTasks',
    timeout: RECONCILE_TIMEOUT,
    memorySize: RECONCILE_MEMORY_MB,
    async: true,
  });
  grantWithReasons(reconcileFunction, [
    permissions.listTasks(stack, props.scope),
    permissions.describeTasks(stack, props.scope),
    // The owner tags of the tasks it records (DescribeTaskDefinition include TAGS, handlers/posture/reconcile.ts).
    permissions.describeTaskDefinitions(),
    ...(props.scope.clusters === undefined ? [permissions.listClusters()] : []),
    ...permissions.useInventoryItems(props.tableArn, props.tableIndexName),
  ]);
  const reconcileSchedule = new events.Rule(gate, 'ReconcileInventory', {
    description: 'fargate-gate: reconciles the inventory with what ECS runs (tasks started before the gate, lost STOPPED events)',
    schedule: events.Schedule.rate(props.reconcileInterval),
    // One run at a time is enough: a missed run is the next one's work (its cursor is in the table).
    targets: [new targets.LambdaFunction(reconcileFunction, { retryAttempts: 0 })],
  });
  return { taskStoppedRule, reconcileFunction, reconcileSchedule };
}
