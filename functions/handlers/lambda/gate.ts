import type { EventResult } from '../gate';
import { lambdaGate } from './wiring';

/**
 * Entry point for every EventBridge rule of the gate (task state changes, RunTask via CloudTrail, scan build
 * state changes, ECR pushes, the sweep schedule). Invoked asynchronously: a thrown error means "retry this event"
 * (and, after the retries, the dead-letter queue), so only retryable failures are thrown.
 */
export async function handler(event: unknown): Promise<EventResult> {
  const { gate, metrics } = await lambdaGate();
  try {
    return await gate.handleEvent(event);
  } finally {
    metrics.flush();
  }
}
