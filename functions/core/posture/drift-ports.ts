import type { FindingEvent } from './findings';
import type { InventoryStore } from './ports';

/** Publishes "Fargate Gate Finding" events (EventBridge in Lambda, memory in simulate and tests). */
export interface FindingEventPort {
  publishFinding(event: FindingEvent): Promise<void>;
}

/** What the posture use case adds to the gate's ports: where digests run, and where finding events go. */
export interface PosturePorts {
  inventory: InventoryStore;
  findingEvents: FindingEventPort;
}
