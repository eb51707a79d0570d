// Moved to core/lazy-schema.ts, where the policy and findings modules share it; kept so the event modules' imports stand.
export { lazySchema } from '../lazy-schema';
