import { InputError } from '../errors';
import { parseDuration } from './duration';
import type { LoadedPolicy } from './input';
import type { Policy } from './schema';

/*
 * Apart from ./load.ts, which validates a policy with the zod schema: the evaluator reads maxScanAge at every
 * evaluation, and a Lambda that takes the prepared policy must reach it without loading the schema.
 */

/** The policy's `maxScanAge` in milliseconds; undefined when the policy sets none. */
export function maxScanAgeMs(policy: LoadedPolicy<Policy>): number | undefined {
  const text = policy.document.maxScanAge;
  if (text === undefined) return undefined;
  const parsed = parseDuration(text);
  // loadPolicy rejected invalid durations; a hand-built LoadedPolicy that skipped it must not pass silently.
  if ('error' in parsed) throw new InputError(`maxScanAge: ${parsed.error}`, { source: policy.source, path: 'maxScanAge' });
  return parsed.ms;
}
