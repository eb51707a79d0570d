import type { EvaluationResult } from '../result/model';
import { compareText, sortSuppressed, sortViolations } from './common';

/**
 * Keys in the order a reader scans a result; any other key follows, alphabetically. One list for every
 * level keeps the output independent of the order in which the engine happened to build its objects.
 */
const KEY_ORDER = [
  'decision',
  'mode',
  'policy',
  'subject',
  'evaluatedAt',
  'violations',
  'suppressed',
  'exceptions',
  'errors',
  'notes',
  // policy
  'name',
  'hash',
  'schemaVersion',
  // subject
  'cluster',
  'service',
  'taskArn',
  'taskDefinition',
  'images',
  // violation
  'rule',
  'kind',
  'container',
  'id',
  'severity',
  'action',
  'message',
  'controls',
  'details',
  'suppressedBy',
  // exceptions
  'used',
  'unused',
  'expired',
  'exceptionId',
  'reason',
  'owner',
  'expiresAt',
  // image
  'reference',
  'digest',
  'repository',
  'tag',
  'scanner',
  'scannerVersion',
  'scannedAt',
];
const RANK = new Map(KEY_ORDER.map((key, index) => [key, index]));

function compareKeys(a: string, b: string): number {
  const ra = RANK.get(a) ?? Number.MAX_SAFE_INTEGER;
  const rb = RANK.get(b) ?? Number.MAX_SAFE_INTEGER;
  return ra - rb || compareText(a, b);
}

function ordered(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(ordered);
  if (value === null || typeof value !== 'object') return value;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return value;
  const source = value as Record<string, unknown>;
  // No prototype: a key named `__proto__` in finding details stays data instead of replacing the prototype.
  const out: Record<string, unknown> = Object.create(null);
  for (const key of Object.keys(source).sort(compareKeys)) {
    if (source[key] !== undefined) out[key] = ordered(source[key]);
  }
  return out;
}

/**
 * The whole result as pretty JSON with a fixed key order and a final newline: same result, same bytes. Violations
 * and suppressed findings are listed in `compareViolations` order, the one order every format uses, so a JSON
 * consumer sees the same first finding as the table and the JUnit report whatever order the engine produced.
 */
export function renderJson(result: EvaluationResult): string {
  const sorted: EvaluationResult = { ...result, violations: sortViolations(result.violations), suppressed: sortSuppressed(result.suppressed) };
  return `${JSON.stringify(ordered(sorted), null, 2)}\n`;
}
