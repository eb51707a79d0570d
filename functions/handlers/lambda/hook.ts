import { resolve } from 'node:path';
import type { HookResponse } from '../../core/events/lifecycle-hook';
import type { LoadedPolicy } from '../../core/policy/input';
import type { Policy } from '../../core/policy/schema';
import { readBundledPolicy } from '../../io/bundled-policy';
import { GATE_ENV } from '../environment';
import { describeError } from '../failures';
import { unjudgeableStatus, type HookInvocation } from '../admission/lifecycle-hook';
import type { MetricsPort } from '../../core/ports';
import { createLogger, type Logger } from '../logger';
import { EmfMetrics } from '../metrics-emf';
import { lambdaHook, type LambdaHook } from './hook-wiring';
import type { Environment } from './settings';

/** The part of the Lambda context the hook reads. */
export interface HookContext {
  getRemainingTimeInMillis?: () => number;
}

/**
 * Entry point for the ECS deployment lifecycle hook (PRE_SCALE_UP), invoked synchronously by ECS. It always
 * answers a valid hookStatus, and before the function times out (the gate's deadline comes from the context's
 * `getRemainingTimeInMillis`): a thrown error or a timed-out invocation would make ECS roll the deployment back.
 *
 * When the gate cannot even be built (a missing or invalid setting, a policy that does not load), the answer is
 * decided here, loudly logged and counted (`GateUnavailable`): by the bundled policy's onScanError when that policy
 * loads (the gate is then like a scanner that cannot run), else FAILED. Failing closed is deliberate: a gate that
 * does not know its policy cannot tell a safe revision from an unsafe one, and a refused deployment is visible and
 * retried once the configuration is fixed, while an admitted unsafe one runs. Nothing is cached on failure, so the
 * next invocation tries to build the gate again.
 */
export async function handler(payload: unknown, context?: HookContext): Promise<HookResponse> {
  let built: LambdaHook;
  try {
    built = await lambdaHook();
  } catch (error) {
    return await answerWithoutGate(error);
  }
  const invocation: HookInvocation = {};
  if (typeof context?.getRemainingTimeInMillis === 'function') {
    const remaining = context.getRemainingTimeInMillis.bind(context);
    invocation.remainingTimeMs = () => remaining();
  }
  try {
    return await built.hook(payload, invocation);
  } catch (error) {
    // handleHook never throws by design; should a bug make it, the answer still comes from the policy.
    const hookStatus = unjudgeableStatus(built.policy, `the gate failed unexpectedly: ${describeError(error).message}`, new Date());
    built.logger.error({ err: error, hookStatus }, 'lifecycle hook failed unexpectedly; onScanError decides');
    built.metrics.count('GateErrors', 1, { failure: 'unknown' });
    built.metrics.count('HookResponses', 1, { status: hookStatus });
    return { hookStatus };
  } finally {
    built.metrics.flush();
  }
}

/** The answer when the gate could not be built: see `handler`. Logger and metrics default to the function's own. */
export async function answerWithoutGate(error: unknown, env: Environment = process.env, outputs: { logger?: Logger; metrics?: MetricsPort } = {}): Promise<HookResponse> {
  const logger = outputs.logger ?? createLogger({ level: env[GATE_ENV.logLevel] });
  const metrics = outputs.metrics ?? new EmfMetrics({ namespace: env[GATE_ENV.metricsNamespace] || undefined });
  const policy = await bundledPolicy(env);
  const why = `the gate could not start: ${describeError(error).message}`;
  const hookStatus = policy ? unjudgeableStatus(policy, why, new Date()) : 'FAILED';
  logger.error(
    { err: error, hookStatus, policyLoaded: policy !== undefined },
    policy
      ? `fargate-gate cannot start (${describeError(error).message}); the policy's onScanError answers ${hookStatus} until the configuration is fixed`
      : `fargate-gate cannot start and has no usable policy (${describeError(error).message}); answering FAILED until the configuration is fixed`,
  );
  metrics.count('GateUnavailable');
  metrics.count('HookResponses', 1, { status: hookStatus });
  metrics.flush();
  return { hookStatus };
}

async function bundledPolicy(env: Environment): Promise<LoadedPolicy<Policy> | undefined> {
  const file = env[GATE_ENV.policyFile]?.trim();
  if (!file) return undefined;
  try {
    return await readBundledPolicy(resolve(env.LAMBDA_TASK_ROOT ?? process.cwd(), file));
  } catch {
    return undefined;
  }
}
