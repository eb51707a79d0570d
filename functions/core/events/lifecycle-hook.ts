import { z } from 'zod';
import { SERVICE_ARN, SERVICE_REVISION_ARN, describeSchemaError } from './common';

/**
 * The payload ECS sends a Lambda deployment lifecycle hook, and what the function answers. Shapes from
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/lambda-lifecycle-hooks.html ("Lifecycle payloads":
 * `executionId`, `lifecycleStage`, `resourceArn` (the service deployment), `executionDetails` {`serviceArn`,
 * `targetServiceRevisionArn`, `testTrafficWeights`, `productionTrafficWeights`}, and `hookDetails` when the service's
 * hook configuration or an earlier IN_PROGRESS answer set some). The answer is `hookStatus` SUCCEEDED | FAILED |
 * IN_PROGRESS, with `callBackDelay` (seconds, default 30) and `hookDetails`, which ECS merges and passes back on the
 * next invocation. A missing or invalid `hookStatus`, or a failed invocation, rolls the deployment back.
 */
export const lifecycleHookPayloadSchema = z.looseObject({
  executionId: z.string().min(1).max(256),
  lifecycleStage: z.string().min(1).max(64),
  resourceArn: z.string().max(2048).nullish(),
  executionDetails: z.looseObject({
    serviceArn: z.string().regex(SERVICE_ARN, 'expected a service ARN'),
    targetServiceRevisionArn: z.string().regex(SERVICE_REVISION_ARN, 'expected a service revision ARN'),
    testTrafficWeights: z.record(z.string(), z.number()).nullish(),
    productionTrafficWeights: z.record(z.string(), z.number()).nullish(),
  }),
  hookDetails: z.record(z.string(), z.unknown()).nullish(),
});

export type LifecycleHookPayload = z.infer<typeof lifecycleHookPayloadSchema>;

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

export const hookStateSchema = z.looseObject({
  scans: z.record(z.string(), z.string()).optional(),
  failures: z.number().int().nonnegative().optional(),
});

export type HookState = z.infer<typeof hookStateSchema>;

export type HookReading = { ok: true; payload: LifecycleHookPayload; state: HookState } | { ok: false; reason: string };

export function readLifecycleHook(payload: unknown): HookReading {
  const parsed = lifecycleHookPayloadSchema.safeParse(payload);
  if (!parsed.success) return { ok: false, reason: describeSchemaError(parsed.error, payload, 'malformed lifecycle hook payload', []) };
  const stored = parsed.data.hookDetails?.[GATE_HOOK_STATE_KEY];
  const state = hookStateSchema.safeParse(stored ?? {});
  // State the gate cannot read is treated as none: the worst case is one more scan claim, never a wrong answer.
  return { ok: true, payload: parsed.data, state: state.success ? state.data : {} };
}

/** `arn:aws:ecs:<region>:<account>:service/<cluster>/<service>` → cluster and service names. */
export function serviceOfArn(serviceArn: string): { cluster?: string; service: string } {
  const path = serviceArn.slice(serviceArn.indexOf(':service/') + ':service/'.length);
  const parts = path.split('/');
  return parts.length === 2 ? { cluster: parts[0], service: parts[1] } : { service: parts[0] };
}
