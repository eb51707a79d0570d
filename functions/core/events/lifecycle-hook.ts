import type * as z from 'zod';
import { zodSchema } from '../zod-on-demand';
import { SERVICE_ARN, SERVICE_REVISION_ARN, describeSchemaError } from './common';
import { isNullishNonEmptyString, isNullishString, isRecord, isRecordOf, matchesPattern } from './plain-shape';

/**
 * The payload ECS sends a Lambda deployment lifecycle hook, and what the function answers. AWS documents two shapes:
 *
 * - wrapped: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/lambda-lifecycle-hooks.html (`executionId`,
 *   `lifecycleStage`, `resourceArn` (the service deployment), `executionDetails` {`serviceArn`,
 *   `targetServiceRevisionArn`, `testTrafficWeights`, `productionTrafficWeights`}, and `hookDetails` when the service's
 *   hook configuration or an earlier IN_PROGRESS answer set some);
 * - flat: "Lifecycle payloads" in https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-lifecycle-hooks.html
 *   ("All lifecycle stage payloads include the following common fields: serviceArn, targetServiceRevisionArn,
 *   testTrafficWeights, productionTrafficWeights"), whose PRE_SCALE_UP example is exactly
 *   `{ "serviceArn": "arn:aws:ecs:…:service/myCluster/myService", "targetServiceRevisionArn":
 *   "arn:aws:ecs:…:service-revision/myCluster/myService/01275892", "testTrafficWeights": {}, "productionTrafficWeights": {} }`,
 *   with no execution id and no stage.
 *
 * Both are read into the wrapped form. A payload carrying both, with details that disagree, is refused: which service
 * revision is meant is then a guess. The answer is `hookStatus` SUCCEEDED | FAILED | IN_PROGRESS, with
 * `callBackDelay` (seconds, default 30) and `hookDetails`, which ECS merges and passes back on the next invocation. A
 * missing or invalid `hookStatus`, or a failed invocation, rolls the deployment back.
 */
const deploymentDetailsSchema = zodSchema((z) => z.looseObject({
  serviceArn: z.string().regex(SERVICE_ARN, 'expected a service ARN'),
  targetServiceRevisionArn: z.string().regex(SERVICE_REVISION_ARN, 'expected a service revision ARN'),
  testTrafficWeights: z.record(z.string(), z.number()).nullish(),
  productionTrafficWeights: z.record(z.string(), z.number()).nullish(),
}));

/** What either shape may carry beside the deployment details. Optional: the flat examples have none of them. */
const invocationFields = zodSchema((z) => ({
  executionId: z.string().min(1).max(256).nullish(),
  lifecycleStage: z.string().min(1).max(64).nullish(),
  resourceArn: z.string().max(2048).nullish(),
  hookDetails: z.record(z.string(), z.unknown()).nullish(),
}));

export const lifecycleHookPayloadSchema = zodSchema((z) => z.looseObject({ ...invocationFields(), executionDetails: deploymentDetailsSchema() }));

export const flatLifecycleHookPayloadSchema = zodSchema(() => deploymentDetailsSchema().extend(invocationFields()));

export type LifecycleHookPayload = z.infer<ReturnType<typeof lifecycleHookPayloadSchema>>;

/** The top-level fields of the flat shape that would contradict `executionDetails` in a wrapped payload. */
const DETAIL_FIELDS = ['serviceArn', 'targetServiceRevisionArn'] as const;

export type HookStatus = 'SUCCEEDED' | 'FAILED' | 'IN_PROGRESS';

export interface HookResponse {
  hookStatus: HookStatus;
  /** Seconds until ECS invokes the hook again; only with IN_PROGRESS. */
  callBackDelay?: number;
  hookDetails?: Record<string, unknown>;
}

/** The stage at which the gate admits a service revision: before any of its tasks start. */
export const ADMISSION_STAGE = 'PRE_SCALE_UP';

/**
 * What the gate keeps between invocations of one hook, under its own key in `hookDetails` (ECS merges keys, so
 * details the service's hook configuration sets are left alone): the scans it started, so that a scan error seen
 * on a call back is known to be this deployment's and not an older one, and how many invocations failed in a row.
 */
export const GATE_HOOK_STATE_KEY = 'fargateGate';

export const hookStateSchema = zodSchema((z) => z.looseObject({
  scans: z.record(z.string(), z.string()).optional(),
  failures: z.number().int().nonnegative().optional(),
}));

export type HookState = z.infer<ReturnType<typeof hookStateSchema>>;

export type HookReading = { ok: true; payload: LifecycleHookPayload; state: HookState } | { ok: false; reason: string };

export function readLifecycleHook(payload: unknown): HookReading {
  const parsed = parseEitherShape(payload);
  if (!parsed.ok) return parsed;
  const stored = parsed.payload.hookDetails?.[GATE_HOOK_STATE_KEY];
  // A first invocation carries no state; later ones carry what the gate wrote, plainly of the schema's shape.
  if (stored === undefined || stored === null) return { ok: true, payload: parsed.payload, state: {} };
  const state = plainHookState(stored) ? { success: true as const, data: stored } : hookStateSchema().safeParse(stored);
  // State the gate cannot read is treated as none: the worst case is one more scan claim, never a wrong answer.
  return { ok: true, payload: parsed.payload, state: state.success ? state.data : {} };
}

/** Whether `hookStateSchema` plainly accepts `stored` with the same members (plain-shape.ts). */
export function plainHookState(stored: unknown): stored is HookState {
  if (!isRecord(stored)) return false;
  if (stored.scans !== undefined && !isRecordOf(stored.scans, (location) => typeof location === 'string')) return false;
  const failures = stored.failures;
  return failures === undefined || (typeof failures === 'number' && Number.isSafeInteger(failures) && failures >= 0);
}

/** Within `z.record(z.string(), z.number()).nullish()` (zod's numbers are finite). */
function isNullishWeights(value: unknown): boolean {
  return value === undefined || value === null || isRecordOf(value, (weight) => typeof weight === 'number' && Number.isFinite(weight));
}

/** `value` itself when `deploymentDetailsSchema` plainly accepts it with the same members. */
function isPlainDeploymentDetails(value: unknown): value is Record<string, unknown> {
  return (
    isRecord(value) &&
    matchesPattern(value.serviceArn, SERVICE_ARN) &&
    matchesPattern(value.targetServiceRevisionArn, SERVICE_REVISION_ARN) &&
    isNullishWeights(value.testTrafficWeights) &&
    isNullishWeights(value.productionTrafficWeights)
  );
}

/** Whether the members `invocationFields` declares are plainly within their schemas. */
function hasPlainInvocationFields(value: Record<string, unknown>): boolean {
  return (
    isNullishNonEmptyString(value.executionId, 256) &&
    isNullishNonEmptyString(value.lifecycleStage, 64) &&
    isNullishString(value.resourceArn, 2048) &&
    (value.hookDetails === undefined || value.hookDetails === null || isRecordOf(value.hookDetails, () => true))
  );
}

/**
 * `payload` itself when `lifecycleHookPayloadSchema` plainly accepts it with the same members (plain-shape.ts), else
 * undefined: the invocations ECS sends are read without building or running the schema.
 */
export function plainWrappedHookPayload(payload: unknown): LifecycleHookPayload | undefined {
  if (!isRecord(payload) || !hasPlainInvocationFields(payload) || !isPlainDeploymentDetails(payload.executionDetails)) return undefined;
  return payload as LifecycleHookPayload;
}

/** `payload` itself when the flat shape's schema plainly accepts it with the same members, else undefined. */
export function plainFlatHookPayload(payload: unknown): Record<string, unknown> | undefined {
  if (!isRecord(payload) || !hasPlainInvocationFields(payload) || !isPlainDeploymentDetails(payload)) return undefined;
  return payload;
}

function parseEitherShape(payload: unknown): { ok: true; payload: LifecycleHookPayload } | { ok: false; reason: string } {
  const record = typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? (payload as Record<string, unknown>) : undefined;
  if (record?.executionDetails === undefined || record.executionDetails === null) {
    // No wrapper: the flat shape, or nothing the gate can read (named as the flat shape's missing fields).
    const plain = plainFlatHookPayload(payload);
    const flat = plain ? { success: true as const, data: plain as z.infer<ReturnType<typeof flatLifecycleHookPayloadSchema>> } : flatLifecycleHookPayloadSchema().safeParse(payload);
    if (!flat.success) return { ok: false, reason: describeSchemaError(flat.error, payload, 'malformed lifecycle hook payload (neither executionDetails nor the flat form)', []) };
    const { serviceArn, targetServiceRevisionArn, testTrafficWeights, productionTrafficWeights, ...rest } = flat.data;
    return { ok: true, payload: { ...rest, executionDetails: { serviceArn, targetServiceRevisionArn, testTrafficWeights, productionTrafficWeights } } };
  }
  const plain = plainWrappedHookPayload(payload);
  const wrapped = plain ? { success: true as const, data: plain } : lifecycleHookPayloadSchema().safeParse(payload);
  if (!wrapped.success) return { ok: false, reason: describeSchemaError(wrapped.error, payload, 'malformed lifecycle hook payload', []) };
  for (const field of DETAIL_FIELDS) {
    const top = record[field];
    if (top !== undefined && top !== null && top !== wrapped.data.executionDetails[field]) {
      return { ok: false, reason: `ambiguous lifecycle hook payload: ${field} at the top level and in executionDetails differ` };
    }
  }
  return { ok: true, payload: wrapped.data };
}

/**
 * What identifies one hook execution (its verdict event is claimed once under it): the execution id, else the service
 * deployment, else the service revision being deployed (the flat shape carries only that).
 */
export function hookExecutionOf(payload: LifecycleHookPayload): string {
  return payload.executionId || payload.resourceArn || payload.executionDetails.targetServiceRevisionArn;
}

/** `arn:aws:ecs:<region>:<account>:service/<cluster>/<service>` → cluster and service names. */
export function serviceOfArn(serviceArn: string): { cluster?: string; service: string } {
  const path = serviceArn.slice(serviceArn.indexOf(':service/') + ':service/'.length);
  const parts = path.split('/');
  return parts.length === 2 ? { cluster: parts[0], service: parts[1] } : { service: parts[0] };
}
