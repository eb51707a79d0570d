/**
 * The gate's one DynamoDB table: key schema, TTL attribute, the sparse index of unfinished scans, and how each
 * item type lays out its keys. The CDK construct (infra/) creates the table from `GATE_TABLE`, the store reads
 * and writes with the same names, so the two cannot drift apart. No AWS SDK here: infra imports it.
 *
 * | item        | pk                        | sk                    | expires (TTL `expiresAt`)                    |
 * |-------------|---------------------------|-----------------------|----------------------------------------------|
 * | verdict     | `digest#<digest>`         | `verdict#<policyHash>`| `StoredVerdict.expiresAt`                    |
 * | scan        | `digest#<digest>`         | `scan`                | only once done/error (retention option)      |
 * | waiter      | `digest#<digest>`         | `waiter#<taskArn>`    | seen + waiter retention                      |
 * | open finding| `digest#<digest>`         | `finding#<rule>:<id>` | written + 30 days (dynamo-open-findings.ts)  |
 * | enforcement | `enforcement#<key>`       | `enforcement`         | at + enforcement retention                   |
 * | task-version| `task#<taskArn>`          | `version`             | last advance + task retention                |
 * | launcher    | `task#<taskArn>`          | `launcher`            | remembered + task retention                  |
 * | use         | `task#<taskArn>`          | `use#<digest>`        | once closed: stoppedAt + closed retention    |
 * | cursor      | `reconcile`               | `cursor`              | -                                            |
 *
 * Everything about one digest shares a partition, so the waiters of a digest are one Query. Queued and running
 * scans carry `gsi1pk = "scan#unfinished"`, removed when they finish: the sweep queries that sparse index instead
 * of scanning the table. Open task uses (the inventory, dynamo-inventory-items.ts) share that index under their own
 * partition value, `gsi1pk = "use#open"`, removed when the task stops.
 */
export const GATE_TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds; DynamoDB deletes the item some time after (up to days), so reads also ignore expired items. */
  ttlAttribute: 'expiresAt',
  unfinishedScansIndex: {
    name: 'gsi1',
    partitionKey: 'gsi1pk',
    sortKey: 'gsi1sk',
    /** The index projects every attribute, so the sweep needs no second read per scan. */
    projection: 'ALL',
  },
} as const;

/** Value of `gsi1pk` on queued and running scans; absent on every other item. */
export const UNFINISHED_SCANS_PARTITION = 'scan#unfinished';

export type GateItemType = 'verdict' | 'scan' | 'waiter' | 'enforcement' | 'taskVersion' | 'launcher';

export interface ItemKey {
  pk: string;
  sk: string;
}

export const itemKeys = {
  verdict: (digest: string, policyHash: string): ItemKey => ({ pk: digestPartition(digest), sk: `${VERDICT_PREFIX}${policyHash}` }),
  scan: (digest: string): ItemKey => ({ pk: digestPartition(digest), sk: 'scan' }),
  waiter: (digest: string, taskArn: string): ItemKey => ({ pk: digestPartition(digest), sk: `${WAITER_PREFIX}${taskArn}` }),
  enforcement: (key: string): ItemKey => ({ pk: `enforcement#${key}`, sk: 'enforcement' }),
  taskVersion: (taskArn: string): ItemKey => ({ pk: `task#${taskArn}`, sk: 'version' }),
  launcher: (taskArn: string): ItemKey => ({ pk: `task#${taskArn}`, sk: 'launcher' }),
};

export const WAITER_PREFIX = 'waiter#';
export const VERDICT_PREFIX = 'verdict#';

export function digestPartition(digest: string): string {
  return `digest#${digest}`;
}
