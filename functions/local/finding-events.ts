import type { FindingEventPort } from '../core/posture/drift-ports';
import type { FindingEvent } from '../core/posture/findings';
import type { ActivityLog } from './activity';

/** The bus's "Fargate Gate Finding" events in a simulation: kept in order, each also in the activity log. */
export class MemoryFindingEvents implements FindingEventPort {
  readonly published: FindingEvent[] = [];

  constructor(private readonly activity?: ActivityLog) {}

  async publishFinding(event: FindingEvent): Promise<void> {
    this.activity?.call('events.putFinding');
    const services = [...new Set(event.uses.map((use) => use.service ?? 'standalone'))].join(', ');
    this.activity?.note(`Fargate Gate Finding ${event.state}: ${event.finding.id} (${event.finding.severity}) on ${event.digest.slice(0, 19)}… in ${services}, ${event.totalUses} task(s)`);
    this.published.push(structuredClone(event));
  }
}
