import { zodSchema } from '../zod-on-demand';
import { describeSchemaError, PARTITION_REGION_ACCOUNT, SERVICE_ARN } from './common';
import { ADMISSION_STAGE } from './lifecycle-hook';
import { ignoredEvent, type DetailReader } from './route';

/**
 * ECS Hook State Change: a PAUSE lifecycle hook is waiting. AWS documents that, when a deployment reaches a stage with
 * a PAUSE hook, "Amazon ECS emits an EventBridge event with the detail-type `ECS Hook State Change` and the event name
 * `HOOK_AWAITING_ACTION`", and that the `hookId` to continue it comes from DescribeServiceDeployments'
 * `lifecycleHookDetails` ("Pause hooks for Amazon ECS service deployments",
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/pause-lifecycle-hooks.html). AWS publishes an example of
 * the event ("Amazon ECS service deployment hook state change events",
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_hook_state_change_events.html; the same example on
 * the pause-hooks page): `resources` holds the service deployment ARN, and `detail` carries `eventName`, `hookId`,
 * `hookType` ("PAUSE"), `expiresAt`, `lifecycleStage`, `clusterArn`, `serviceArn`, `serviceDeploymentArn` and
 * `updatedAt` (test/fixtures/events/ecs-hook-state-change-awaiting-action-pre-scale-up.json is that example at
 * PRE_SCALE_UP).
 *
 * The gate admits at PRE_SCALE_UP only, and a PAUSE hook carries no owner marker (`hookDetails` and `hookTargetArn` are
 * "not used for PAUSE hooks", API_DeploymentLifecycleHook), so the event is the gate's only when it is about a PAUSE hook
 * at PRE_SCALE_UP: a `hookType` other than PAUSE, or a `lifecycleStage` other than PRE_SCALE_UP, is someone else's hook
 * and is ignored here, before any AWS call. The event must name its hook (`hookId`): the gate never picks "some hook
 * awaiting action" of a deployment for one it cannot name. The deployment is named by the event's service deployment
 * ARN (`detail.serviceDeploymentArn` or in `resources`), else its service ARN (`detail.serviceArn` or `resources`).
 * Hook status, stage and revision are read back from DescribeServiceDeployments before anything is continued or
 * rolled back.
 */
export const HOOK_AWAITING_ACTION = 'HOOK_AWAITING_ACTION';

/** `arn:aws:ecs:<region>:<account>:service-deployment/<cluster>/<service>/<id>` (API_ServiceDeployment). */
export const SERVICE_DEPLOYMENT_ARN = new RegExp(`^${PARTITION_REGION_ACCOUNT}:service-deployment/[A-Za-z0-9_-]{1,255}/[A-Za-z0-9_-]{1,255}/[A-Za-z0-9_-]{1,64}$`);

/** The hook ids AWS shows (`ecs-pause-<43 url-safe characters>`); bounded, so a hostile one cannot reach a call. */
export const HOOK_ID = /^[A-Za-z0-9_-]{1,128}$/;

/** The one hook type the gate answers (API_DeploymentLifecycleHook `targetType`: AWS_LAMBDA | PAUSE). */
export const PAUSE_HOOK_TYPE = 'PAUSE';

/**
 * `eventName` is required; `hookType`, `lifecycleStage` and `expiresAt` are documented strings, bounded so a hostile
 * one is a malformed event. The names (ARNs, hook id) are checked against their patterns below: one that does not fit
 * is never used and never reaches a call.
 */
export const hookStateChangeSchema = zodSchema((z) => z.looseObject({
  eventName: z.string().min(1).max(128),
  hookType: z.string().min(1).max(64).optional(),
  lifecycleStage: z.string().min(1).max(64).optional(),
  expiresAt: z.unknown().optional(),
  serviceDeploymentArn: z.unknown().optional(),
  serviceArn: z.unknown().optional(),
  hookId: z.unknown().optional(),
}));

/** Which deployment a paused hook belongs to, as far as the event says. */
export type PausedTarget = { serviceDeploymentArn: string; serviceArn?: string } | { serviceArn: string };

export interface PausedHookEvent {
  target: PausedTarget;
  /** The hook the event is about; ContinueServiceDeployment names it. */
  hookId: string;
  /** The event's `lifecycleStage`: PRE_SCALE_UP, or absent when the event does not say (any other stage is ignored). */
  lifecycleStage?: typeof ADMISSION_STAGE;
  /** The event's `expiresAt` (ISO-8601): when ECS takes the hook's timeout action. Absent when missing or unreadable. */
  expiresAt?: string;
}

export type HookStateReading =
  | ({ ok: true } & PausedHookEvent)
  | { ok: false; reason: string; malformed: boolean };

/** A name's value when it fits its pattern; anything else counts as absent (never used, never reaches a call). */
function fitting(value: unknown, pattern: RegExp): string | undefined {
  return typeof value === 'string' && pattern.test(value) ? value : undefined;
}

export function readHookStateChange(detail: unknown, resources: readonly string[] | undefined): HookStateReading {
  const parsed = hookStateChangeSchema().safeParse(detail);
  if (!parsed.success) return { ok: false, reason: describeSchemaError(parsed.error, detail, 'malformed ECS Hook State Change'), malformed: true };
  const { eventName, hookType, lifecycleStage } = parsed.data;
  if (eventName !== HOOK_AWAITING_ACTION) return { ok: false, reason: `hook event ${eventName} is not ${HOOK_AWAITING_ACTION}: nothing to decide`, malformed: false };
  if (hookType !== undefined && hookType !== PAUSE_HOOK_TYPE) {
    return { ok: false, reason: `detail.hookType is ${hookType}, not ${PAUSE_HOOK_TYPE}: not a hook the gate answers`, malformed: false };
  }
  if (lifecycleStage !== undefined && lifecycleStage !== ADMISSION_STAGE) {
    return { ok: false, reason: `detail.lifecycleStage is ${lifecycleStage}, not ${ADMISSION_STAGE}: someone else's PAUSE hook, never answered by the gate`, malformed: false };
  }
  const hookId = fitting(parsed.data.hookId, HOOK_ID);
  if (!hookId) {
    const why = parsed.data.hookId === undefined ? 'names no hook (detail.hookId)' : 'has a detail.hookId that is not a hook id ECS issues';
    return { ok: false, reason: `ECS Hook State Change ${why}: the gate answers only the hook an event names`, malformed: true };
  }
  const listed = (resources ?? []).filter((arn): arn is string => typeof arn === 'string');
  const deploymentArn = fitting(parsed.data.serviceDeploymentArn, SERVICE_DEPLOYMENT_ARN) ?? listed.find((arn) => SERVICE_DEPLOYMENT_ARN.test(arn));
  const serviceArn = fitting(parsed.data.serviceArn, SERVICE_ARN) ?? listed.find((arn) => SERVICE_ARN.test(arn));
  const expiresAt = readableTime(parsed.data.expiresAt);
  const facts = { hookId, ...(lifecycleStage === ADMISSION_STAGE ? { lifecycleStage: ADMISSION_STAGE as typeof ADMISSION_STAGE } : {}), ...(expiresAt ? { expiresAt } : {}) };
  if (deploymentArn) return { ok: true, target: { serviceDeploymentArn: deploymentArn, ...(serviceArn ? { serviceArn } : {}) }, ...facts };
  if (serviceArn) return { ok: true, target: { serviceArn }, ...facts };
  return { ok: false, reason: 'ECS Hook State Change names neither a service deployment nor a service (detail.serviceDeploymentArn, detail.serviceArn, resources)', malformed: true };
}

/** An ISO-8601 time as ECS writes `expiresAt` ("2026-03-05T16:04:41Z"), normalised; anything else counts as absent. */
function readableTime(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 64 || !/^\d{4}-\d{2}-\d{2}T/.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** The GateEvent of an ECS Hook State Change: a PAUSE hook awaiting the gate's action, anything else ignored. */
export const readHookAwaitingActionEvent: DetailReader = (event, meta) => {
  const reading = readHookStateChange(event.detail, event.resources);
  if (!reading.ok) return ignoredEvent(meta, reading.reason, reading.malformed);
  const { target, hookId, lifecycleStage, expiresAt } = reading;
  return { kind: 'hookAwaitingAction', meta, target, hookId, ...(lifecycleStage ? { lifecycleStage } : {}), ...(expiresAt ? { expiresAt } : {}) };
};
