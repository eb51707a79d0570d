import { claimableSlots, overflowSlots, type LambdaComputeSlotsPort, type LambdaSlotReading } from '../core/gate/lambda-overflow';
import type { Clock } from '../core/ports';
import type { ActivityLog } from './activity';

/**
 * `LambdaComputeSlotsPort` in memory, with the DynamoDB adapter's rules (functions/adapters/dynamo-lambda-slots.ts):
 * a slot is taken when free, expired or already the claimer's; a release frees only the claimer's own slot.
 */
export class MemoryLambdaComputeSlots implements LambdaComputeSlotsPort {
  private readonly slots = new Map<number, LambdaSlotReading>();

  constructor(
    private readonly clock: Clock,
    private readonly activity?: ActivityLog,
  ) {}

  async claim(holder: { scanId: string; digest: string }, limit: number, leaseUntilMs: number): Promise<boolean> {
    this.activity?.call('lambdaSlots.claim');
    const [index] = claimableSlots([...this.slots.values()], limit, holder.scanId, this.clock.now().getTime(), 0);
    if (index === undefined) return false;
    this.slots.set(index, { index, holder: holder.scanId, leaseUntilMs });
    return true;
  }

  async claimOverflow(holder: { scanId: string; digest: string }, limit: number, leaseUntilMs: number): Promise<void> {
    this.activity?.call('lambdaSlots.claimOverflow');
    const [index] = overflowSlots([...this.slots.values()], limit, holder.scanId, this.clock.now().getTime());
    this.slots.set(index, { index, holder: holder.scanId, leaseUntilMs });
  }

  async release(scanId: string): Promise<void> {
    this.activity?.call('lambdaSlots.release');
    for (const [index, slot] of this.slots) if (slot.holder === scanId) this.slots.delete(index);
  }

  /** Scans holding a slot now (leases not run out), for tests and the simulation's output. */
  holders(): string[] {
    const now = this.clock.now().getTime();
    return [...this.slots.values()].filter((slot) => slot.leaseUntilMs > now).map((slot) => slot.holder);
  }
}
