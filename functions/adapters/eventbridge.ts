import { PutEventsCommand, type EventBridgeClient, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { NotifierPort, VerdictEvent } from '../core/ports';

export const VERDICT_EVENT_SOURCE = 'fargate-gate';
export const VERDICT_EVENT_DETAIL_TYPE = 'Fargate Gate Verdict';

/** PutEvents limit per entry (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html). */
export const MAX_ENTRY_BYTES = 256 * 1024;
/**
 * What the gate allows itself: AWS also counts "necessary characters and keys of the JSON representation",
 * so a margin is kept below the documented limit.
 */
export const ENTRY_BUDGET_BYTES = MAX_ENTRY_BYTES - 4 * 1024;

/** The event detail: the verdict, plus `violationsTruncated` when not every violation fit in one event. */
export type VerdictEventDetail = VerdictEvent & { violationsTruncated?: { total: number; included: number } };

export class EventPublishError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EventPublishError';
  }
}

export interface EventBridgeNotifierOptions {
  client: EventBridgeClient;
  /** Bus name or ARN. */
  eventBusName: string;
}

/**
 * `NotifierPort` on EventBridge: one "Fargate Gate Verdict" event per decision, source `fargate-gate`, so
 * users route verdicts with an ordinary rule (`{"source": ["fargate-gate"]}`). PutEvents reports per-entry
 * failures in a 200 response, so `FailedEntryCount` is checked and a failure thrown (the caller retries).
 */
export class EventBridgeNotifier implements NotifierPort {
  private readonly client: EventBridgeClient;
  private readonly eventBusName: string;

  constructor(options: EventBridgeNotifierOptions) {
    if (!options.eventBusName) throw new Error('EventBridgeNotifier: eventBusName is required');
    this.client = options.client;
    this.eventBusName = options.eventBusName;
  }

  async publishVerdict(event: VerdictEvent): Promise<void> {
    const entry = buildVerdictEntry(event, this.eventBusName);
    const result = await this.client.send(new PutEventsCommand({ Entries: [entry] }));
    const failed = result.FailedEntryCount ?? 0;
    const failure = result.Entries?.find((resultEntry) => resultEntry.ErrorCode);
    if (failed > 0 || failure) {
      throw new EventPublishError(
        `PutEvents to ${this.eventBusName} rejected the verdict event${event.taskArn ? ` for ${event.taskArn}` : ''}: ` +
          `${failure?.ErrorCode ?? 'unknown error'}${failure?.ErrorMessage ? ` (${failure.ErrorMessage})` : ''}`,
      );
    }
  }
}

/**
 * The PutEvents entry for a verdict, within `ENTRY_BUDGET_BYTES`. When the violations do not all fit, the
 * event keeps as many as fit, denials first, and says how many there were in `violationsTruncated`; the
 * full list is in the scan report the event points to.
 */
export function buildVerdictEntry(event: VerdictEvent, eventBusName: string): PutEventsRequestEntry {
  const resources = [event.taskArn, event.cluster].filter((value): value is string => typeof value === 'string' && value.startsWith('arn:'));
  const entryFor = (detail: VerdictEventDetail): PutEventsRequestEntry => ({
    Source: VERDICT_EVENT_SOURCE,
    DetailType: VERDICT_EVENT_DETAIL_TYPE,
    Detail: JSON.stringify(detail),
    EventBusName: eventBusName,
    ...(resources.length > 0 ? { Resources: resources } : {}),
  });

  const whole = entryFor(event);
  if (entrySizeBytes(whole) <= ENTRY_BUDGET_BYTES) return whole;

  const ordered = [...event.violations].sort((a, b) => rank(a.action) - rank(b.action));
  const truncated = (included: number) =>
    entryFor({ ...event, violations: ordered.slice(0, included), violationsTruncated: { total: event.violations.length, included } });
  // Largest count that fits: the size grows with the count, so a binary search finds it in O(log n) encodings.
  let low = 0;
  let high = ordered.length;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (entrySizeBytes(truncated(middle)) <= ENTRY_BUDGET_BYTES) low = middle;
    else high = middle - 1;
  }
  const entry = truncated(low);
  if (entrySizeBytes(entry) > ENTRY_BUDGET_BYTES) {
    throw new EventPublishError(
      `the verdict event${event.taskArn ? ` for ${event.taskArn}` : ''} is ${entrySizeBytes(entry)} bytes even without violations, over the ${ENTRY_BUDGET_BYTES}-byte budget`,
    );
  }
  return entry;
}

/** Entry size as EventBridge computes it: Time 14 bytes, then UTF-8 bytes of Source, DetailType, Detail and each resource. */
export function entrySizeBytes(entry: PutEventsRequestEntry): number {
  const bytes = (text: string | undefined) => (text === undefined ? 0 : Buffer.byteLength(text, 'utf8'));
  return (
    (entry.Time ? 14 : 0) +
    bytes(entry.Source) +
    bytes(entry.DetailType) +
    bytes(entry.Detail) +
    (entry.Resources ?? []).reduce((sum, resource) => sum + bytes(resource), 0)
  );
}

function rank(action: string): number {
  return action === 'deny' ? 0 : 1;
}
