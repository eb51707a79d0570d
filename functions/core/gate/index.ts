export { DEFAULT_SCAN_RETRY_BACKOFF, retryDelayMs, type BackoffOptions } from './backoff';
export { verdictFreshness, type Freshness } from './freshness';
export { INVALID_REFERENCE, MISSING_REFERENCE, isReferenceScanKey, planImage, referenceScanKey, reportKeyFor, type ImagePlan } from './images';
export { hookKey, notificationKey, scanNotificationKey, serviceKey, taskKey } from './keys';
export { TAG_PUSH_MARGIN_MS, evidenceIsConclusive, planEnforcement, tagMatchesPull, type ImageEvidence, type EnforcementPlan, type GateAction } from './plan';
export { MAX_STOP_REASON_LENGTH, buildStopReason, type StopReasonInput } from './stop-reason';
export { clip } from '../text-clip';
export { MAX_EVENT_VIOLATIONS, buildVerdictEvent, decisionRules, type VerdictEventInput, type VerdictImage } from './verdict-event';
export {
  STARTING_STATES,
  clusterNameOf,
  isFargate,
  isStartingOrRunning,
  taskOwner,
  type ContainerSnapshot,
  type TaskOwner,
  type TaskSnapshot,
} from './task';
