import { createHash } from 'node:crypto';
import type { Violation } from '../result/model';
import { clip } from '../text-clip';

/**
 * How a finding is named wherever the gate stores a key for it: the open item's sort key
 * (adapters/dynamo-open-findings.ts), the opened and resolved claims and the events' correlation id
 * (findings.ts findingCorrelationId). A report's finding id is hostile input (secret and misconfiguration ids carry
 * paths) and may be any length, but a DynamoDB sort key is at most 1,024 bytes and a partition key at most 2,048
 * ("Partition keys and sort keys", https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Constraints.html):
 * a long id kept whole would make the write fail. So `<rule>:<id>` is kept as it is up to `FINDING_KEY_BYTES` UTF-8
 * bytes, and a longer one becomes a readable prefix plus the SHA-256 of the whole. The full id stays in the item's
 * `finding` attribute and in the events. Every stored key of a finding goes through this one function, so the open
 * item, its claims and the lookup that matches them always agree.
 *
 * node:crypto's createHash is deterministic and does no I/O (as in gate/images.ts referenceScanKey and
 * policy/policy-hash.ts), so core stays pure.
 */

/**
 * Most UTF-8 bytes of a `<rule>:<id>` kept as it is. As high as the sort key allows (`finding#` + 1,000 ≤ 1,024; the
 * claims' partition key, `enforcement#finding#<digest>#<key>#resolved#<policy hash>#<time>`, stays near 1,200 of its
 * 2,048), so every finding whose open item could be written before keeps its item's key and its claims: nothing open
 * is announced again when the gate is updated.
 */
export const FINDING_KEY_BYTES = 1000;
/** UTF-16 code units of `<rule>:<id>` a hashed key keeps in front of its hash (at most 3 bytes each in UTF-8). */
const HASHED_KEY_PREFIX_LENGTH = 64;
/** Marks a hashed key; a short key that holds it is hashed too, so a hostile id can never pose as another's hash. */
const HASH_MARK = '#sha256:';

export function findingStoreKey(finding: Pick<Violation, 'rule' | 'id'>): string {
  const whole = `${finding.rule}:${finding.id}`;
  if (Buffer.byteLength(whole, 'utf8') <= FINDING_KEY_BYTES && !whole.includes(HASH_MARK)) return whole;
  const hash = createHash('sha256').update(whole, 'utf8').digest('hex');
  return `${clip(whole, HASHED_KEY_PREFIX_LENGTH)}${HASH_MARK}${hash}`;
}
