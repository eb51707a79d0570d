import type { HookResponse } from '../../core/events';
import { lambdaGate } from './wiring';

/**
 * Entry point for the ECS deployment lifecycle hook (PRE_SCALE_UP), invoked synchronously by ECS. It always
 * answers a valid hookStatus: a thrown error would make ECS roll the deployment back.
 */
export async function handler(payload: unknown): Promise<HookResponse> {
  const { gate, metrics } = lambdaGate();
  try {
    return await gate.handleHook(payload);
  } finally {
    metrics.flush();
  }
}
