/**
 * Moved to `core/validation/issues`. This re-export stays only while `functions/core/events/common.ts` imports
 * from here; delete it once that import points at `../validation/issues`.
 */
export { describeJsonValue, formatJsonPath } from '../validation/issues';
