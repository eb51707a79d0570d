import { PutEventsCommand, type EventBridgeClient, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { FindingEventPort } from '../core/posture/drift-ports';
import type { FindingEvent } from '../core/posture/findings';
import { ENTRY_BUDGET_BYTES, EventPublishError, VERDICT_EVENT_SOURCE, entrySizeBytes } from './eventbridge';

export const FINDING_EVENT_DETAIL_TYPE = 'Fargate Gate Finding';

/**
 * `FindingEventPort` on EventBridge: one "Fargate Gate Finding" event per opened or resolved finding, source
 * `fargate-gate` like the verdicts, so a rule on `detail-type` and `detail.state` routes them to a ticketing API
 * destination (docs/findings.md). PutEvents reports per-entry failures in a 200 response
 * (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html), so they are checked and thrown.
 */
export class EventBridgeFindingEvents implements FindingEventPort {
  constructor(private readonly options: { client: EventBridgeClient; eventBusName: string }) {
    if (!options.eventBusName) throw new Error('EventBridgeFindingEvents: eventBusName is required');
  }

  async publishFinding(event: FindingEvent): Promise<void> {
    const entry = buildFindingEntry(event, this.options.eventBusName);
    const result = await this.options.client.send(new PutEventsCommand({ Entries: [entry] }));
    const failure = result.Entries?.find((resultEntry) => resultEntry.ErrorCode);
    if ((result.FailedEntryCount ?? 0) > 0 || failure) {
      throw new EventPublishError(
        `PutEvents to ${this.options.eventBusName} rejected the ${event.state} finding event for ${event.finding.id} on ${event.digest}: ` +
          `${failure?.ErrorCode ?? 'unknown error'}${failure?.ErrorMessage ? ` (${failure.ErrorMessage})` : ''}`,
      );
    }
  }
}

/** The entry, within the gate's event budget: uses beyond what fits are dropped (`totalUses` still counts them all). */
export function buildFindingEntry(event: FindingEvent, eventBusName: string): PutEventsRequestEntry {
  const entryFor = (detail: FindingEvent): PutEventsRequestEntry => ({
    Source: VERDICT_EVENT_SOURCE,
    DetailType: FINDING_EVENT_DETAIL_TYPE,
    Detail: JSON.stringify(detail),
    EventBusName: eventBusName,
  });
  let detail = event;
  let entry = entryFor(detail);
  while (entrySizeBytes(entry) > ENTRY_BUDGET_BYTES && detail.uses.length > 0) {
    detail = { ...detail, uses: detail.uses.slice(0, Math.floor(detail.uses.length / 2)) };
    entry = entryFor(detail);
  }
  // Then the owner tags (task definitions may carry 50 tags of 384 characters each): the finding and where it runs
  // matter more than who to route it to, and a ticket without tags still names the services.
  if (entrySizeBytes(entry) > ENTRY_BUDGET_BYTES && Object.keys(detail.ownerTags).length > 0) {
    detail = { ...detail, ownerTags: {} };
    entry = entryFor(detail);
  }
  if (entrySizeBytes(entry) > ENTRY_BUDGET_BYTES) throw new EventPublishError(`the finding event for ${event.finding.id} is over the ${ENTRY_BUDGET_BYTES}-byte budget even without uses`);
  return entry;
}
