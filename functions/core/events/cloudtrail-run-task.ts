import type * as z from 'zod';
import { zodSchema } from '../zod-on-demand';
import type { TaskSnapshot } from '../gate/task';
import { exposureFromLaunch } from '../taskdef/exposure';
import { launchFactsFromRecordedRequest } from '../taskdef/launch';
import { describeSchemaError, orUndefined } from './common';
import { readEcsTask, type TaskScope } from './ecs-task-state-change';
import { ignoredEvent, type DetailReader, type GateEvent } from './route';

/**
 * "AWS API Call via CloudTrail" for ECS: the detail is the CloudTrail record
 * (https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-ecs.html; record fields:
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html).
 * For RunTask, `responseElements.tasks[]` are the created tasks (API_Task) and `requestParameters.overrides` the
 * RunTask overrides. It arrives late and best effort, so it is a hint: who launched the task, and an early look.
 */
export const userIdentitySchema = zodSchema((z) => z.looseObject({
  type: z.string().nullish(),
  arn: z.string().max(2048).nullish(),
  principalId: z.string().max(2048).nullish(),
  accountId: z.string().nullish(),
  invokedBy: z.string().max(2048).nullish(),
}));

export const cloudTrailEcsCallSchema = zodSchema((z) => z.looseObject({
  eventSource: z.literal('ecs.amazonaws.com'),
  eventName: z.string().min(1),
  errorCode: z.string().nullish(),
  userIdentity: userIdentitySchema().nullish(),
  requestParameters: z
    .looseObject({
      cluster: z.string().nullish(),
      taskDefinition: z.string().nullish(),
      launchType: z.string().nullish(),
      overrides: z.unknown().optional(),
    })
    .nullish(),
  responseElements: z
    .looseObject({
      tasks: z.array(z.unknown()).max(10).nullish(),
    })
    .nullish(),
}));

/** How launch facts read from a CloudTrail RunTask record name their source. */
export const RUN_TASK_REQUEST_SOURCE = 'from the RunTask call';
export const RUN_TASK_RESPONSE_SOURCE = 'from the RunTask response';

export type RunTaskReading =
  | { ok: true; launchedBy?: string; tasks: TaskSnapshot[]; declined: string[] }
  | { ok: false; reason: string; malformed: boolean };

/**
 * The principal to name in a verdict: the caller's ARN (an assumed-role session names the role and the session),
 * else the AWS service that called on someone's behalf (`invokedBy`, e.g. EventBridge Scheduler), else the principal id.
 */
export function launcherOf(identity: z.infer<ReturnType<typeof userIdentitySchema>> | null | undefined): string | undefined {
  if (!identity) return undefined;
  return orUndefined(identity.arn) ?? orUndefined(identity.invokedBy) ?? orUndefined(identity.principalId);
}

export function readRunTaskCall(detail: unknown, scope: TaskScope): RunTaskReading {
  const parsed = cloudTrailEcsCallSchema().safeParse(detail);
  if (!parsed.success) return { ok: false, reason: describeSchemaError(parsed.error, detail, 'malformed CloudTrail ECS record'), malformed: true };
  const record = parsed.data;
  if (record.eventName !== 'RunTask') return { ok: false, reason: `CloudTrail ${record.eventName} is not RunTask`, malformed: false };
  if (record.errorCode) return { ok: false, reason: `RunTask failed (${record.errorCode}): no task was started`, malformed: false };
  const launched = record.responseElements?.tasks ?? [];
  if (launched.length === 0) return { ok: false, reason: 'RunTask response names no task', malformed: false };

  // The request says whether the task gets a public IP (requestParameters.networkConfiguration.awsvpcConfiguration
  // .assignPublicIp, API default DISABLED); the response task says what ECS applied for ECS Exec and the platform
  // version (LATEST resolved to a version), so its facts win where both speak. RunTask takes no load balancer.
  const requested = launchFactsFromRecordedRequest(record.requestParameters, RUN_TASK_REQUEST_SOURCE);
  const tasks: TaskSnapshot[] = [];
  const declined: string[] = [];
  launched.forEach((element, index) => {
    const withLaunchType = withRequestDefaults(element, record.requestParameters);
    const reading = readEcsTask(withLaunchType, scope, `responseElements.tasks[${index}]`, RUN_TASK_RESPONSE_SOURCE);
    if (!reading.ok) {
      declined.push(reading.reason);
      return;
    }
    const launch = { ...requested, ...reading.task.launch };
    const task: TaskSnapshot = Object.keys(launch).length > 0 ? { ...reading.task, launch } : reading.task;
    const exposure = exposureFromLaunch(launch, 'none');
    tasks.push(exposure ? { ...task, exposure } : task);
  });
  if (tasks.length === 0) return { ok: false, reason: `no Fargate task to judge: ${declined.join('; ')}`, malformed: declined.some((r) => r.startsWith('malformed')) };
  return { ok: true, launchedBy: launcherOf(record.userIdentity), tasks, declined };
}

/** A response task without its own `launchType`/`overrides` takes the request's: that is what RunTask applied. */
function withRequestDefaults(element: unknown, request: { launchType?: string | null; overrides?: unknown } | null | undefined): unknown {
  if (element === null || typeof element !== 'object' || Array.isArray(element) || !request) return element;
  const task = element as Record<string, unknown>;
  return {
    ...task,
    launchType: task.launchType ?? request.launchType ?? undefined,
    overrides: task.overrides ?? request.overrides ?? undefined,
  };
}

/** The GateEvent of an ECS call through CloudTrail: a RunTask call's tasks, anything else ignored. */
export const readRunTaskCallEvent: DetailReader = (event, meta, options) => {
  const reading = readRunTaskCall(event.detail, options);
  if (!reading.ok) return ignoredEvent(meta, reading.reason, reading.malformed);
  const call: GateEvent = { kind: 'runTaskCall', meta, tasks: reading.tasks };
  if (reading.launchedBy) call.launchedBy = reading.launchedBy;
  return call;
};
