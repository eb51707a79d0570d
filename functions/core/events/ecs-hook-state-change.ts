import * as z from 'zod';
import { describeSchemaError, PARTITION_REGION_ACCOUNT, SERVICE_ARN } from './common';
import { lazySchema } from './lazy-schema';

/**
 * ECS Hook State Change: a PAUSE lifecycle hook is waiting. AWS documents that, when a deployment reaches a stage with
 * a PAUSE hook, "Amazon ECS emits an EventBridge event with the detail-type `ECS Hook State Change` and the event name
 * `HOOK_AWAITING_ACTION`", and that the `hookId` to continue it comes from DescribeServiceDeployments'
 * `lifecycleHookDetails` ("Pause hooks for Amazon ECS service deployments",
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/pause-lifecycle-hooks.html; "Hook state change" is
 * listed among the ECS event types in https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_cwe_events.html).
 * No example of the event's `detail` was found in AWS's docs, so only `detail.eventName` is required here; the
 * deployment is named by whatever the event carries: a service deployment ARN (`detail.serviceDeploymentArn` or in
 * `resources`), else the service ARN (`resources`, as ECS Deployment State Change events carry it, or
 * `detail.serviceArn`). The gate never trusts the event for more than that: hook id, status, stage and revision are
 * read back from DescribeServiceDeployments before anything is continued or rolled back.
 */
export const HOOK_AWAITING_ACTION = 'HOOK_AWAITING_ACTION';

/** `arn:aws:ecs:<region>:<account>:service-deployment/<cluster>/<service>/<id>` (API_ServiceDeployment). */
export const SERVICE_DEPLOYMENT_ARN = new RegExp(`^${PARTITION_REGION_ACCOUNT}:service-deployment/[A-Za-z0-9_-]{1,255}/[A-Za-z0-9_-]{1,255}/[A-Za-z0-9_-]{1,64}$`);

/** The hook ids AWS shows (`ecs-pause-<43 url-safe characters>`); bounded, so a hostile one cannot reach a call. */
export const HOOK_ID = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * Only `eventName` is documented, so only it is required. The other fields are AWS-unpublished guesses: one that does
 * not fit its pattern (a shape AWS never showed, or a hostile value) is dropped, never used and never reaches a call,
 * and the event falls back to what else names the deployment. Rejecting the whole event for it would leave the
 * deployment to its timeout action on the strength of a guess.
 */
export const hookStateChangeSchema = lazySchema(() => z.looseObject({
  eventName: z.string().min(1).max(128),
  serviceDeploymentArn: z.unknown().optional(),
  serviceArn: z.unknown().optional(),
  hookId: z.unknown().optional(),
}));

/** Which deployment a paused hook belongs to, as far as the event says. */
export type PausedTarget = { serviceDeploymentArn: string; serviceArn?: string } | { serviceArn: string };

export type HookStateReading =
  | { ok: true; target: PausedTarget; hookId?: string }
  | { ok: false; reason: string; malformed: boolean };

/** A guessed field's value when it fits its pattern; anything else counts as absent. */
function fitting(value: unknown, pattern: RegExp): string | undefined {
  return typeof value === 'string' && pattern.test(value) ? value : undefined;
}

export function readHookStateChange(detail: unknown, resources: readonly string[] | undefined): HookStateReading {
  const parsed = hookStateChangeSchema().safeParse(detail);
  if (!parsed.success) return { ok: false, reason: describeSchemaError(parsed.error, detail, 'malformed ECS Hook State Change'), malformed: true };
  const { eventName } = parsed.data;
  if (eventName !== HOOK_AWAITING_ACTION) return { ok: false, reason: `hook event ${eventName} is not ${HOOK_AWAITING_ACTION}: nothing to decide`, malformed: false };
  const listed = (resources ?? []).filter((arn): arn is string => typeof arn === 'string');
  const hookId = fitting(parsed.data.hookId, HOOK_ID);
  const deploymentArn = fitting(parsed.data.serviceDeploymentArn, SERVICE_DEPLOYMENT_ARN) ?? listed.find((arn) => SERVICE_DEPLOYMENT_ARN.test(arn));
  const serviceArn = fitting(parsed.data.serviceArn, SERVICE_ARN) ?? listed.find((arn) => SERVICE_ARN.test(arn));
  const withHook = hookId ? { hookId } : {};
  if (deploymentArn) return { ok: true, target: { serviceDeploymentArn: deploymentArn, ...(serviceArn ? { serviceArn } : {}) }, ...withHook };
  if (serviceArn) return { ok: true, target: { serviceArn }, ...withHook };
  return { ok: false, reason: 'ECS Hook State Change names neither a service deployment nor a service (detail.serviceDeploymentArn, detail.serviceArn, resources)', malformed: true };
}
