import type { FindingEvent } from './findings';

/** Publishes "Fargate Gate Finding" events (EventBridge in Lambda, memory in simulate and tests). */
export interface FindingEventPort {
  publishFinding(event: FindingEvent): Promise<void>;
}
