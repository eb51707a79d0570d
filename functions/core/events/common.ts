import type * as z from 'zod';
import { zodSchema } from '../zod-on-demand';
import { describeJsonValue, issuesToInputError } from '../validation/issues';
import { isListOf, isNonEmptyString, isOptionalString, isRecord } from './plain-shape';

/*
 * Identifier shapes the gate accepts from events. Every string that later reaches an AWS call is checked here,
 * at the boundary, so a malformed or hostile event is ignored before it can cause a call.
 * Partitions: aws, aws-cn, aws-us-gov, aws-iso*, ... (`aws[a-z-]*`).
 */
const PARTITION = 'arn:aws[a-z-]*';
const REGION = '[a-z]{2}(?:-[a-z]+)+-\\d';
const ACCOUNT = '\\d{12}';
/** ECS cluster, service and task-definition family names: letters, digits, hyphens, underscores, up to 255. */
const ECS_NAME = '[A-Za-z0-9_-]{1,255}';

/** `arn:<partition>:ecs:<region>:<account>`: the head every ECS ARN shares. */
export const PARTITION_REGION_ACCOUNT = `${PARTITION}:ecs:${REGION}:${ACCOUNT}`;

/** New format `task/<cluster>/<id>` and the long-ARN-less old format `task/<id>`. */
export const TASK_ARN = new RegExp(`^${PARTITION}:ecs:${REGION}:${ACCOUNT}:task/(?:${ECS_NAME}/)?[A-Za-z0-9-]{1,64}$`);
export const CLUSTER_ARN = new RegExp(`^${PARTITION}:ecs:${REGION}:${ACCOUNT}:cluster/${ECS_NAME}$`);
export const TASK_DEFINITION_ARN = new RegExp(`^${PARTITION}:ecs:${REGION}:${ACCOUNT}:task-definition/${ECS_NAME}:\\d{1,10}$`);
/** `service/<cluster>/<service>` (new format) or `service/<service>` (old format). */
export const SERVICE_ARN = new RegExp(`^${PARTITION}:ecs:${REGION}:${ACCOUNT}:service/(?:${ECS_NAME}/)?${ECS_NAME}$`);
export const SERVICE_REVISION_ARN = new RegExp(`^${PARTITION}:ecs:${REGION}:${ACCOUNT}:service-revision/${ECS_NAME}/${ECS_NAME}/\\d{1,32}$`);
/** CodeBuild build ARN: `arn:aws:codebuild:<region>:<account>:build/<project>:<build uuid>`. */
export const BUILD_ARN = new RegExp(`^${PARTITION}:codebuild:${REGION}:${ACCOUNT}:build/[A-Za-z0-9][A-Za-z0-9_-]{1,254}:[A-Za-z0-9-]{1,64}$`);
export const ACCOUNT_ID = new RegExp(`^${ACCOUNT}$`);
export const REGION_NAME = new RegExp(`^${REGION}$`);

/** The EventBridge envelope. Loose: AWS adds members over time and an unknown one must never make an event unreadable. */
export const eventEnvelopeSchema = zodSchema((z) =>
  z.looseObject({
    version: z.string().optional(),
    id: z.string().min(1).max(256),
    'detail-type': z.string().min(1).max(256),
    source: z.string().min(1).max(256),
    account: z.string().optional(),
    time: z.string().optional(),
    region: z.string().optional(),
    resources: z.array(z.string()).optional(),
    detail: z.unknown(),
  }),
);

export type EventEnvelope = z.infer<ReturnType<typeof eventEnvelopeSchema>>;

/**
 * The envelope as `eventEnvelopeSchema` reads it, or undefined when it does not parse. What EventBridge delivers plainly
 * has the shape and is taken as it is (`plainEnvelope`); anything else goes through the schema, which decides.
 */
export function readEnvelope(raw: unknown): EventEnvelope | undefined {
  const plain = plainEnvelope(raw);
  if (plain) return plain;
  const parsed = eventEnvelopeSchema().safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

/** `raw` itself when `eventEnvelopeSchema` plainly accepts it with the same members (plain-shape.ts), else undefined. */
export function plainEnvelope(raw: unknown): EventEnvelope | undefined {
  // zod requires the `detail` member (`z.unknown()` is not optional); every EventBridge event has one.
  if (!isRecord(raw) || raw.detail === undefined) return undefined;
  if (!isNonEmptyString(raw.id, 256) || !isNonEmptyString(raw['detail-type'], 256) || !isNonEmptyString(raw.source, 256)) return undefined;
  if (!isOptionalString(raw.version) || !isOptionalString(raw.account) || !isOptionalString(raw.time) || !isOptionalString(raw.region)) return undefined;
  const resources = raw.resources;
  if (resources !== undefined && !isListOf(resources, (resource) => typeof resource === 'string')) return undefined;
  return raw as EventEnvelope;
}

/** What logs and metrics say about an event, whatever became of it. */
export interface EventMeta {
  id?: string;
  detailType?: string;
  source?: string;
  /** ISO-8601 time EventBridge gives the event. */
  time?: string;
  account?: string;
  region?: string;
}

export function metaOf(envelope: EventEnvelope): EventMeta {
  return {
    id: envelope.id,
    detailType: envelope['detail-type'],
    source: envelope.source,
    time: envelope.time,
    account: envelope.account,
    region: envelope.region,
  };
}

/**
 * One line saying what is wrong with an event part that did not parse, for the log: `what` (`malformed ECR Image
 * Action`), the JSON path of the first problem from the event's root (`detail.taskArn`), what was expected and found.
 * `input` is the value that was validated, found at `root` in the event.
 */
export function describeSchemaError(error: z.ZodError, input: unknown, what: string, root: readonly PropertyKey[] = ['detail']): string {
  return issuesToInputError(error, input, { source: what, prefix: root }).message;
}

/** `null` from JSON means "absent" everywhere the gate reads events. */
export function orUndefined<T>(value: T | null | undefined): T | undefined {
  return value === null ? undefined : value;
}

/**
 * A value from an event, for a reason message: a string as itself (cut short), anything else described
 * ("an object", "the number 3"). Never `String(value)`, which throws on objects without a prototype.
 */
export function textOf(value: unknown): string {
  if (typeof value === 'string') return value.length > 40 ? `${value.slice(0, 37)}...` : value;
  return value === undefined ? 'absent' : describeJsonValue(value);
}
