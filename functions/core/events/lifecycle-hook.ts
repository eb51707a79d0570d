import * as z from 'zod';
import { SERVICE_ARN, SERVICE_REVISION_ARN, describeSchemaError } from './common';
import { lazySchema } from './lazy-schema';

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
const deploymentDetailsSchema = lazySchema(() => z.looseObject({
  serviceArn: z.string().regex(SERVICE_ARN, 'expected a service ARN'),
  targetServiceRevisionArn: z.string().regex(SERVICE_REVISION_ARN, 'expected a service revision ARN'),
  testTrafficWeights: z.record(z.string(), z.number()).nullish(),
  productionTrafficWeights: z.record(z.string(), z.number()).nullish(),
}));

/** What either shape may carry beside the deployment details. Optional: the flat examples have none of them. */
const invocationFields = lazySchema(() => ({
  executionId: z.string().min(1).max(256).nullish(),
  lifecycleStage: z.string().min(1).max(64).nullish(),
  resourceArn: z.string().max(2048).nullish(),
  hookDetails: z.record(z.string(), z.unknown()).nullish(),
}));

export const lifecycleHookPayloadSchema = lazySchema(() => z.looseObject({ ...invocationFields(), executionDetails: deploymentDetailsSchema() }));

const flatLifecycleHookPayloadSchema = lazySchema(() => deploymentDetailsSchema().extend(invocationFields()));

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

export const hookStateSchema = lazySchema(() => z.looseObject({
  scans: z.record(z.string(), z.string()).optional(),
  failures: z.number().int().nonnegative().optional(),
}));

export type HookState = z.infer<ReturnType<typeof hookStateSchema>>;

export type HookReading = { ok: true; payload: LifecycleHookPayload; state: HookState } | { ok: false; reason: string };

export function readLifecycleHook(payload: unknown): HookReading {
  const parsed = parseEitherShape(payload);
  if (!parsed.ok) return parsed;
  const stored = parsed.payload.hookDetails?.[GATE_HOOK_STATE_KEY];
  const state = hookStateSchema().safeParse(stored ?? {});
  // State the gate cannot read is treated as none: the worst case is one more scan claim, never a wrong answer.
  return { ok: true, payload: parsed.payload, state: state.success ? state.data : {} };
}

function parseEitherShape(payload: unknown): { ok: true; payload: LifecycleHookPayload } | { ok: false; reason: string } {
  const record = typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? (payload as Record<string, unknown>) : undefined;
  if (record?.executionDetails === undefined || record.executionDetails === null) {
    // No wrapper: the flat shape, or nothing the gate can read (named as the flat shape's missing fields).
    const flat = flatLifecycleHookPayloadSchema().safeParse(payload);
    if (!flat.success) return { ok: false, reason: describeSchemaError(flat.error, payload, 'malformed lifecycle hook payload (neither executionDetails nor the flat form)', []) };
    const { serviceArn, targetServiceRevisionArn, testTrafficWeights, productionTrafficWeights, ...rest } = flat.data;
    return { ok: true, payload: { ...rest, executionDetails: { serviceArn, targetServiceRevisionArn, testTrafficWeights, productionTrafficWeights } } };
  }
  const wrapped = lifecycleHookPayloadSchema().safeParse(payload);
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
