import type { LambdaOverflowCause } from '../../core/gate/lambda-overflow';
import { DEFAULT_LAMBDA_COMPUTE_CONCURRENCY, isValidLambdaComputeConcurrency } from '../../core/gate/lambda-compute-concurrency';
import type { ScanRecord } from '../../core/ports';
import { classifyFailure } from '../failures';
import { childBinding, type Logger } from '../logger';
import type { GateRuntime } from '../runtime';

/*
 * The gate's side of the overflow to EC2 compute (core/gate/lambda-overflow.ts says why and how): a scan that would
 * start on the Lambda-compute scan project first takes one of the gate's Lambda slots; with none free it starts on the
 * EC2 fallback project. The slot is given back when the Lambda build ends (completion.ts) or never started.
 */

/** The Lambda-compute builds the gate allows itself: the setting when valid, else AWS's default quota (1). */
export function lambdaComputeConcurrency(rt: GateRuntime): number {
  const value = rt.config.lambdaComputeConcurrency;
  return isValidLambdaComputeConcurrency(value) ? value : DEFAULT_LAMBDA_COMPUTE_CONCURRENCY;
}

/**
 * Whether this scan counts against the Lambda slots: the stack has a fallback project to overflow to, and a slot
 * count, and the scan is not on the fallback project already (for its size, or a retry after outgrowing Lambda compute).
 */
export function countsAgainstLambdaSlots(rt: GateRuntime, record: Pick<ScanRecord, 'compute'>): boolean {
  return !!rt.lambdaComputeSlots && !!rt.config.fallbackScanProjectName && record.compute !== 'ec2Fallback';
}

/**
 * Takes a Lambda slot for the scan until `leaseUntilMs` (its deadline there). True: start on Lambda compute. False:
 * every slot is held, start on EC2. A failure of the slot store itself (throttled, refused) is no reason to hold the
 * scan up: it starts on Lambda compute as it did before the count existed, and CodeBuild's own answer decides.
 */
export async function claimLambdaSlot(rt: GateRuntime, record: Pick<ScanRecord, 'digest' | 'scanId'>, leaseUntilMs: number, log: Logger): Promise<boolean> {
  const slots = rt.lambdaComputeSlots;
  if (!slots) return true;
  try {
    return await slots.claim({ scanId: record.scanId, digest: record.digest }, lambdaComputeConcurrency(rt), leaseUntilMs);
  } catch (error) {
    rt.metrics.count('GateErrors', 1, { failure: classifyFailure(error) });
    childBinding(log, { digest: record.digest, scanId: record.scanId }).error({ err: error }, 'could not count the Lambda-compute scans: this one starts on Lambda compute');
    return true;
  }
}

/**
 * Records a Lambda-compute build the scan starts without a slot (every slot held and the EC2 fallback refusing too) as
 * an overflow lease until `leaseUntilMs`, so the count keeps saying Lambda compute is full until that build ends (the
 * same release gives it back). A failure is logged, not thrown: the build is wanted all the same, and the count is one
 * low only until the slot holders before it end.
 */
export async function claimLambdaOverflowLease(rt: GateRuntime, record: Pick<ScanRecord, 'digest' | 'scanId'>, leaseUntilMs: number, log: Logger): Promise<void> {
  try {
    await rt.lambdaComputeSlots?.claimOverflow({ scanId: record.scanId, digest: record.digest }, lambdaComputeConcurrency(rt), leaseUntilMs);
  } catch (error) {
    rt.metrics.count('GateErrors', 1, { failure: classifyFailure(error) });
    childBinding(log, { digest: record.digest, scanId: record.scanId }).error({ err: error }, 'could not record the Lambda-compute build started without a slot: the count is one low until a slot holder ends');
  }
}

/**
 * Gives back the Lambda slot (or overflow lease) a scan held, if any. A failure is logged, not thrown: the slot's lease ends by itself at
 * the scan's deadline, and the scan's own outcome matters more than the count.
 */
export async function releaseLambdaSlot(rt: GateRuntime, record: Pick<ScanRecord, 'digest' | 'scanId' | 'compute'>, log: Logger): Promise<void> {
  if (!countsAgainstLambdaSlots(rt, record)) return;
  try {
    await rt.lambdaComputeSlots?.release(record.scanId);
  } catch (error) {
    rt.metrics.count('GateErrors', 1, { failure: classifyFailure(error) });
    childBinding(log, { digest: record.digest, scanId: record.scanId }).error({ err: error }, 'could not give back the Lambda-compute slot of a scan: it frees itself at the scan deadline');
  }
}

/** Counts and logs a scan that starts on the EC2 fallback project because Lambda compute was full. */
export function noteOverflow(rt: GateRuntime, record: Pick<ScanRecord, 'digest' | 'scanId'>, cause: LambdaOverflowCause, log: Logger, detail: Record<string, unknown> = {}): void {
  rt.metrics.count('ScanComputeFallbacks', 1, { cause });
  childBinding(log, { digest: record.digest, scanId: record.scanId }).info(
    { cause, lambdaComputeConcurrency: lambdaComputeConcurrency(rt), ...detail },
    cause === 'lambda-full' ? 'Lambda compute is full (every Lambda-compute scan slot is held): the scan starts on EC2 compute' : 'CodeBuild refused the Lambda-compute build (the project\'s concurrent build limit, or a full queue): the scan starts on EC2 compute',
  );
}
