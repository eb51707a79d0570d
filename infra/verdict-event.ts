import { VERDICT_EVENT_DETAIL_TYPE, VERDICT_EVENT_SOURCE } from '../functions/adapters/eventbridge';

/**
 * How the gate's verdict events look on EventBridge, as the notifier adapter publishes them: the construct routes
 * notifications on them and allows `events:PutEvents` only for this source.
 */
export const VERDICT_EVENT = {
  source: VERDICT_EVENT_SOURCE,
  detailType: VERDICT_EVENT_DETAIL_TYPE,
} as const;
