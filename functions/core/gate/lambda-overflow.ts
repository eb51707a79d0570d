/*
 * Overflow from CodeBuild Lambda compute to the EC2 fallback project when Lambda compute is full.
 *
 * AWS's default quota of concurrently running builds is 1 for every Lambda compute type ("Concurrently running builds
 * for ARM Lambda/<n>GB environment: 1, adjustable", Quotas for AWS CodeBuild,
 * https://docs.aws.amazon.com/codebuild/latest/userguide/limits.html), and the quota is per compute type, for the
 * account and region. A second new digest then waits for the first one's build: "If the build project does not have a
 * concurrent build limit set, builds are queued if the number of running builds reaches the concurrent build limit for
 * the platform and compute type"; with a project limit reached, "builds return an error" (Builds in AWS CodeBuild,
 * https://docs.aws.amazon.com/codebuild/latest/userguide/builds-working.html) — StartBuild's AccountLimitExceededException,
 * "An AWS service limit was exceeded for the calling AWS account" (StartBuild, CodeBuild API Reference). The EC2
 * fallback project runs on another compute type, under its own quota, so a scan that would wait starts there instead.
 *
 * How the gate knows Lambda compute is full: it counts its own Lambda-compute builds, as leases on `limit` slots
 * (`LambdaComputeSlotsPort`, one conditional write per claim, so concurrent invocations never hold more slots than the
 * limit). This decides before StartBuild, with no CodeBuild call: at the quota CodeBuild queues the build silently, so
 * its answer cannot tell the gate that Lambda compute is full. A Lambda build the gate starts without a slot (the EC2
 * fallback refusing too) holds an overflow lease above the limit, so the count stays right until it ends.
 * Two nets behind it: a StartBuild on Lambda compute refused for capacity starts on EC2 at once (refused at the
 * project's concurrent build limit or with a full queue: builds-working.html above); and the scan project's
 * QueuedDuration alarm shows a Lambda build that queued anyway: the setting above the real quota, or another project
 * on the same compute type making the gate's builds queue (CodeBuild queues them; the gate cannot see those builds).
 * A sweep that stops a queued Lambda build and restarts it on EC2 was not added: a queued build means a wrong setting
 * or a shared quota, which the alarm names, and stopping builds needs codebuild:StopBuild the gate has not had.
 */

// The setting (how many Lambda-compute builds at once) is in ./lambda-compute-concurrency.ts: read at every cold start,
// the slots only when a scan starts.

/** One slot as the store read it: its index, who holds it, and until when (epoch ms). */
export interface LambdaSlotReading {
  index: number;
  holder: string;
  leaseUntilMs: number;
}

/**
 * The slots a claim may try, in the order to try them: every index below `limit` that is free (no item), whose lease
 * ran out, or that `holder` holds already (a retried start of the same scan takes its own slot again). Live leases at
 * or above the limit (an overflow lease, `overflowSlots`, or a slot left by a larger setting) hold a place too: each
 * takes one free index below the limit out of the list until its holder releases it or its lease runs out, so the
 * count never says Lambda compute has room while builds the gate started still occupy it. The free ones are tried
 * from a rotating start (`offset` in [0, 1)), so concurrent claimers spread over the slots instead of all racing for
 * slot 0; with leases above the limit live, only the lowest free indices are listed, so concurrent claimers race for
 * the same ones and the conditional writes keep them within the places left.
 */
export function claimableSlots(slots: readonly LambdaSlotReading[], limit: number, holder: string, nowMs: number, offset: number): number[] {
  const held = new Map(slots.map((slot) => [slot.index, slot]));
  const own = slots.filter((slot) => slot.holder === holder && slot.index < limit).map((slot) => slot.index);
  if (own.length > 0) return own;
  const free: number[] = [];
  for (let index = 0; index < limit; index += 1) {
    const slot = held.get(index);
    if (!slot || !(slot.leaseUntilMs > nowMs)) free.push(index);
  }
  const above = slots.filter((slot) => slot.index >= limit && slot.leaseUntilMs > nowMs && slot.holder !== holder).length;
  if (above > 0) return free.slice(0, Math.max(0, free.length - above));
  const start = free.length === 0 ? 0 : Math.min(free.length - 1, Math.floor(Math.max(0, offset) * free.length));
  return [...free.slice(start), ...free.slice(0, start)];
}

/**
 * The indices at or above `limit` an overflow lease may try, in order: the one `holder` holds already, else every free
 * or expired index from `limit` up to one past the highest item read (so there is always one to try). An overflow lease
 * stands for a Lambda-compute build the gate starts without a slot (Lambda compute and its EC2 fallback both full:
 * CodeBuild queues it for the Lambda quota); `claimableSlots` counts it as occupying a place below the limit.
 */
export function overflowSlots(slots: readonly LambdaSlotReading[], limit: number, holder: string, nowMs: number): number[] {
  const own = slots.filter((slot) => slot.holder === holder && slot.index >= limit).map((slot) => slot.index);
  if (own.length > 0) return own;
  const held = new Map(slots.map((slot) => [slot.index, slot]));
  const end = Math.max(limit, ...slots.map((slot) => slot.index + 1)) + 1;
  const free: number[] = [];
  for (let index = limit; index < end; index += 1) {
    const slot = held.get(index);
    if (!slot || !(slot.leaseUntilMs > nowMs)) free.push(index);
  }
  return free;
}

/**
 * The gate's count of its own Lambda-compute scan builds, as `limit` leased slots. Every claim is a conditional write
 * (the slot is free, expired, or already this holder's), so however many invocations claim at once, no more than
 * `limit` hold a slot. A lease ends by itself (`leaseUntilMs`, the scan's deadline), so a release that never came (a
 * crashed invocation, a lost build event) frees the slot at the latest when the sweep would end the scan anyway.
 */
export interface LambdaComputeSlotsPort {
  /** Takes a slot for the scan `holder` until `leaseUntilMs`; false when all `limit` slots are held by others. */
  claim(holder: { scanId: string; digest: string }, limit: number, leaseUntilMs: number): Promise<boolean>;
  /**
   * Records a Lambda-compute build started without a slot (every slot held, the EC2 fallback refusing too) as a lease
   * at an index at or above `limit` (`overflowSlots`), until `leaseUntilMs`: it counts against the limit until the
   * same `release(scanId)` gives it back, so a slot freed meanwhile does not send the next scan to Lambda compute.
   */
  claimOverflow(holder: { scanId: string; digest: string }, limit: number, leaseUntilMs: number): Promise<void>;
  /** Gives back the slot (or overflow lease) `scanId` holds, if any; a slot since taken by another scan is left alone. */
  release(scanId: string): Promise<void>;
}

/**
 * Why a scan that could have run on Lambda compute starts on the EC2 fallback project (the `cause` dimension of
 * `ScanComputeFallbacks`): `lambda-full`, the gate's own count was at the limit; `lambda-refused`, CodeBuild refused
 * the Lambda build for capacity (at the scan project's concurrent build limit, or with a full queue).
 */
export type LambdaOverflowCause = 'lambda-full' | 'lambda-refused';
