import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoGateStore, type DynamoGateStoreOptions } from '../../functions/adapters/dynamo-gate-store';
import { CorruptItemError, VerdictTooLargeError, launcherToItem, verdictToItem } from '../../functions/adapters/dynamo-items';
import { GATE_TABLE, UNFINISHED_SCANS_PARTITION, itemKeys } from '../../functions/adapters/dynamo-table';
import { MAX_ITEM_BYTES } from '../../functions/adapters/item-size';
import type { ScanState } from '../../functions/core/ports';
import { useGateTable } from '../support/dynalite';
import { NOW, NOW_SECONDS, assessment, digestOf, scanRecord, verdict, waiter } from './sample-data';

const table = useGateTable();
const DAY = 24 * 3600;

/** The condition for the sample scan record of `digest` (scanRecord's own scan id) in `state`. */
const expecting = (state: ScanState, digest: string) => ({ state, scanId: scanRecord(digest).scanId });

let clockNow = NOW;
const clock = { now: () => clockNow };

async function newStore(options: Partial<DynamoGateStoreOptions> = {}): Promise<{ store: DynamoGateStore; tableName: string }> {
  const tableName = await table.freshTable();
  const store = new DynamoGateStore({ client: table.fixture().documents, tableName, clock, ...options });
  return { store, tableName };
}

async function rawItem(tableName: string, key: { pk: string; sk: string }) {
  const result = await table.fixture().raw.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: key.pk }, sk: { S: key.sk } }, ConsistentRead: true }));
  return result.Item;
}

/** Counts the commands the store sends, by name, while passing them to the real client. */
function countingClient(): { client: DynamoDBDocumentClient; counts: Map<string, number>; inputs: unknown[] } {
  const real = table.fixture().documents;
  const counts = new Map<string, number>();
  const inputs: unknown[] = [];
  const client = {
    send: (command: { constructor: { name: string }; input: unknown }) => {
      counts.set(command.constructor.name, (counts.get(command.constructor.name) ?? 0) + 1);
      inputs.push(command.input);
      return real.send(command as never);
    },
  } as unknown as DynamoDBDocumentClient;
  return { client, counts, inputs };
}

beforeEach(() => {
  clockNow = NOW;
});

describe('claimScan', () => {
  it('lets exactly one of 20 concurrent claims for a digest win', async () => {
    const { store } = await newStore();
    const digest = digestOf(1);
    const claims = Array.from({ length: 20 }, (_, index) => scanRecord(digest, { scanId: `scan-${index}` }));
    const results = await Promise.all(claims.map((claim) => store.claimScan(claim)));

    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = claims[results.indexOf(true)];
    expect(await store.getScan(digest)).toEqual(winner);
  });

  it('refuses a claim while the scan is queued, running or done, and allows it again after an error', async () => {
    const { store } = await newStore();
    const digest = digestOf(2);
    expect(await store.claimScan(scanRecord(digest, { scanId: 'first' }))).toBe(true);
    expect(await store.claimScan(scanRecord(digest, { scanId: 'second' }))).toBe(false);

    expect(await store.updateScan(digest, { state: 'queued', scanId: 'first' }, { state: 'running', buildId: 'project:build-1' })).toBe(true);
    expect(await store.claimScan(scanRecord(digest, { scanId: 'while-running' }))).toBe(false);

    expect(await store.updateScan(digest, { state: 'running', scanId: 'first' }, { state: 'error', error: 'CodeBuild FAILED' })).toBe(true);
    // Only by naming the failed scan it replaces: a claim that read nothing does not take over an error.
    expect(await store.claimScan(scanRecord(digest, { scanId: 'blind', attempts: 1 }))).toBe(false);
    expect(await store.claimScan(scanRecord(digest, { scanId: 'retry', attempts: 1 }), { scanId: 'first' })).toBe(true);
    const retried = await store.getScan(digest);
    expect(retried).toMatchObject({ scanId: 'retry', state: 'queued', attempts: 1 });
    // The new record replaces the failed one entirely: nothing of the old build or error is left over.
    expect(retried).not.toHaveProperty('buildId');
    expect(retried).not.toHaveProperty('error');

    expect(await store.updateScan(digest, { state: 'queued', scanId: 'retry' }, { state: 'done', reportLocation: 's3://r/k' })).toBe(true);
    expect(await store.claimScan(scanRecord(digest, { scanId: 'after-done' }))).toBe(false);
  });

  it('lets exactly one of 10 concurrent re-claims of a failed scan win', async () => {
    const { store } = await newStore();
    const digest = digestOf(3);
    await store.claimScan(scanRecord(digest));
    await store.updateScan(digest, expecting('queued', digest), { state: 'error', error: 'boom' });
    const results = await Promise.all(Array.from({ length: 10 }, (_, index) => store.claimScan(scanRecord(digest, { scanId: `r${index}` }), scanRecord(digest))));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('lets a claim replace only the failed scan it read: not a newer failure whose back-off still runs', async () => {
    const { store } = await newStore();
    const digest = digestOf(5);
    await store.claimScan(scanRecord(digest, { scanId: 'first' }));
    expect(await store.updateScan(digest, { state: 'queued', scanId: 'first' }, { state: 'error', error: 'FAILED', attempts: 1, retryAt: '2026-01-02T03:10:00.000Z' })).toBe(true);
    // Claimers A and B both read the first error. B wins, and its retry fails too: a longer back-off, two attempts.
    expect(await store.claimScan(scanRecord(digest, { scanId: 'retry-b', attempts: 1 }), { scanId: 'first' })).toBe(true);
    expect(await store.updateScan(digest, { state: 'queued', scanId: 'retry-b' }, { state: 'error', error: 'FAILED', attempts: 2, retryAt: '2026-01-02T03:30:00.000Z' })).toBe(true);
    // A claims on what it read: it loses, and the newer error with its back-off stands.
    expect(await store.claimScan(scanRecord(digest, { scanId: 'retry-a', attempts: 1 }), { scanId: 'first' })).toBe(false);
    expect(await store.getScan(digest)).toMatchObject({ scanId: 'retry-b', state: 'error', attempts: 2, retryAt: '2026-01-02T03:30:00.000Z' });
    expect(await store.claimScan(scanRecord(digest, { scanId: 'retry-c', attempts: 2 }), { scanId: 'retry-b' })).toBe(true);
  });

  it('treats a finished scan whose TTL has passed as gone, so the digest can be scanned again', async () => {
    const { store } = await newStore({ retention: { finishedScanSeconds: 60 } });
    const digest = digestOf(4);
    await store.claimScan(scanRecord(digest));
    await store.updateScan(digest, expecting('queued', digest), { state: 'done' });
    expect(await store.claimScan(scanRecord(digest, { scanId: 'too-early' }))).toBe(false);

    clockNow = new Date(NOW.getTime() + 61_000);
    expect(await store.getScan(digest)).toBeUndefined();
    expect(await store.claimScan(scanRecord(digest, { scanId: 'rescan' }))).toBe(true);
  });
});

describe('updateScan', () => {
  it('applies only to the scan it names: a finisher of an older scan of the digest loses to the scan claimed since', async () => {
    const { store } = await newStore();
    const digest = digestOf(17);
    await store.claimScan(scanRecord(digest, { scanId: 'old' }));
    expect(await store.updateScan(digest, { state: 'queued', scanId: 'old' }, { state: 'running', buildId: 'p:old' })).toBe(true);
    // Finisher A ends the old scan; its error's back-off passes and the digest is claimed again and started.
    expect(await store.updateScan(digest, { state: 'running', scanId: 'old', buildId: 'p:old' }, { state: 'error', error: 'FAILED' })).toBe(true);
    expect(await store.claimScan(scanRecord(digest, { scanId: 'new', attempts: 1 }), { scanId: 'old' })).toBe(true);
    expect(await store.updateScan(digest, { state: 'queued', scanId: 'new' }, { state: 'running', buildId: 'p:new' })).toBe(true);

    // Finisher B of the old build read the record while it was running: same state, other scan.
    expect(await store.updateScan(digest, { state: 'running', scanId: 'old', buildId: 'p:old' }, { state: 'error', error: 'FAILED' })).toBe(false);
    expect(await store.getScan(digest)).toMatchObject({ scanId: 'new', state: 'running', buildId: 'p:new', attempts: 1 });
    // The new build's own finisher still applies.
    expect(await store.updateScan(digest, { state: 'running', scanId: 'new', buildId: 'p:new' }, { state: 'done', attempts: 0 })).toBe(true);
    expect(await store.getScan(digest)).toMatchObject({ scanId: 'new', state: 'done' });
  });

  it('checks the build when one is named: none yet means an absent or empty build id', async () => {
    const { store } = await newStore();
    const digest = digestOf(18);
    await store.claimScan(scanRecord(digest));
    expect(await store.updateScan(digest, { ...expecting('queued', digest), buildId: 'p:1' }, {})).toBe(false);
    expect(await store.updateScan(digest, { ...expecting('queued', digest), buildId: '' }, { state: 'running', buildId: '' })).toBe(true);
    expect(await store.updateScan(digest, { ...expecting('running', digest), buildId: '' }, { buildId: 'p:2' })).toBe(true);
    expect(await store.updateScan(digest, { ...expecting('running', digest), buildId: 'p:1' }, { state: 'done' })).toBe(false);
    expect(await store.updateScan(digest, { ...expecting('running', digest), buildId: 'p:2' }, { state: 'done' })).toBe(true);
  });

  it('applies only in the expected state and leaves the record alone otherwise', async () => {
    const { store } = await newStore();
    const digest = digestOf(10);
    const original = scanRecord(digest);
    await store.claimScan(original);

    expect(await store.updateScan(digest, expecting('running', digest), { state: 'done' })).toBe(false);
    expect(await store.getScan(digest)).toEqual(original);

    expect(await store.updateScan(digest, expecting('queued', digest), { state: 'running', buildId: 'p:1', attempts: 1 })).toBe(true);
    expect(await store.getScan(digest)).toEqual({ ...original, state: 'running', buildId: 'p:1', attempts: 1 });
  });

  it('is false for a digest that has no scan, and creates nothing', async () => {
    const { store, tableName } = await newStore();
    expect(await store.updateScan(digestOf(11), expecting('queued', digestOf(11)), { state: 'running' })).toBe(false);
    expect(await rawItem(tableName, itemKeys.scan(digestOf(11)))).toBeUndefined();
  });

  it('lets one of 10 concurrent transitions from the same state win', async () => {
    const { store } = await newStore();
    const digest = digestOf(12);
    await store.claimScan(scanRecord(digest));
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, index) => store.updateScan(digest, expecting('queued', digest), { state: 'running', buildId: `p:${index}` })),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await store.getScan(digest))?.buildId).toBe(`p:${results.indexOf(true)}`);
  });

  it('clears optional fields given as undefined and keeps required ones', async () => {
    const { store } = await newStore();
    const digest = digestOf(13);
    await store.claimScan(scanRecord(digest, { retryAt: '2026-01-02T03:10:00.000Z', error: 'throttled' }));
    expect(await store.updateScan(digest, expecting('queued', digest), { retryAt: undefined, error: undefined, attempts: undefined, state: 'running' })).toBe(true);
    const updated = await store.getScan(digest);
    expect(updated).not.toHaveProperty('retryAt');
    expect(updated).not.toHaveProperty('error');
    expect(updated?.attempts).toBe(0);
  });

  it('keeps the count of failed attempts at finishing a scan, and clears it', async () => {
    const { store } = await newStore();
    const digest = digestOf(14);
    await store.claimScan(scanRecord(digest, { state: 'running', buildId: 'p:1' }));
    expect(await store.updateScan(digest, expecting('running', digest), { finishFailures: 2, error: 'finishing the scan failed 2 times in a row: denied' })).toBe(true);
    expect(await store.getScan(digest)).toMatchObject({ state: 'running', finishFailures: 2 });
    // The sweep reads the count from the unfinished-scans index, not from the item.
    expect((await store.listUnfinishedScans()).find((scan) => scan.digest === digest)).toMatchObject({ finishFailures: 2 });
    expect(await store.updateScan(digest, expecting('running', digest), { state: 'done', finishFailures: undefined, error: undefined })).toBe(true);
    expect(await store.getScan(digest)).not.toHaveProperty('finishFailures');
  });

  it('keeps an Inspector finding\'s re-judgement request on a finished scan, and clears it', async () => {
    const { store } = await newStore();
    const digest = digestOf(15);
    await store.claimScan(scanRecord(digest, { state: 'done', buildId: 'p:1' }));
    expect(await store.updateScan(digest, expecting('done', digest), { rejudgeRequestedAt: '2026-12-06T10:00:00.000Z' })).toBe(true);
    expect(await store.getScan(digest)).toMatchObject({ state: 'done', rejudgeRequestedAt: '2026-12-06T10:00:00.000Z' });
    expect(await store.updateScan(digest, expecting('done', digest), { rejudgeRequestedAt: undefined })).toBe(true);
    expect(await store.getScan(digest)).not.toHaveProperty('rejudgeRequestedAt');
  });

  it('with no changes answers whether the scan is in the expected state', async () => {
    const { store } = await newStore();
    const digest = digestOf(14);
    await store.claimScan(scanRecord(digest));
    expect(await store.updateScan(digest, expecting('queued', digest), {})).toBe(true);
    expect(await store.updateScan(digest, expecting('running', digest), {})).toBe(false);
  });

  it('truncates a long error text', async () => {
    const { store } = await newStore();
    const digest = digestOf(15);
    await store.claimScan(scanRecord(digest));
    await store.updateScan(digest, expecting('queued', digest), { state: 'error', error: 'x'.repeat(10_000) });
    const error = (await store.getScan(digest))?.error ?? '';
    expect(error.length).toBe(2000);
    expect(error.endsWith('…(truncated)')).toBe(true);
  });

  it('rejects fields that are not part of a scan and invalid states', async () => {
    const { store } = await newStore();
    await expect(store.updateScan(digestOf(16), expecting('queued', digestOf(16)), { digest: 'x' } as never)).rejects.toThrow('cannot change digest');
    await expect(store.updateScan(digestOf(16), expecting('queued', digestOf(16)), { state: 'finished' as never })).rejects.toThrow('scan state must be one of');
    await expect(store.updateScan(digestOf(16), { state: 'bogus' as never, scanId: 's' }, {})).rejects.toThrow('scan state must be one of');
  });
});

describe('listUnfinishedScans', () => {
  it('queries the sparse index page by page and returns only queued and running scans', async () => {
    const { client, counts, inputs } = countingClient();
    const tableName = await table.freshTable();
    const store = new DynamoGateStore({ client, tableName, clock, queryPageSize: 4 });

    const states = ['queued', 'running', 'done', 'error'] as const;
    for (let n = 0; n < 24; n += 1) {
      const digest = digestOf(100 + n);
      await store.claimScan(scanRecord(digest));
      const state = states[n % 4];
      if (state !== 'queued') await store.updateScan(digest, expecting('queued', digest), { state });
    }
    counts.clear();
    inputs.length = 0;

    const unfinished = await store.listUnfinishedScans();
    expect(unfinished.map((scan) => scan.digest).sort()).toEqual(
      Array.from({ length: 24 }, (_, n) => n)
        .filter((n) => n % 4 < 2)
        .map((n) => digestOf(100 + n))
        .sort(),
    );
    expect(unfinished.every((scan) => scan.state === 'queued' || scan.state === 'running')).toBe(true);
    // 12 unfinished scans at 4 per page: at least 3 pages, every one an index Query (never a table Scan).
    expect(counts.get('QueryCommand')).toBeGreaterThanOrEqual(3);
    expect(counts.has('ScanCommand')).toBe(false);
    expect(inputs.every((input) => (input as { IndexName?: string }).IndexName === GATE_TABLE.unfinishedScansIndex.name)).toBe(true);
  });

  it('drops a scan from the index when it finishes and adds it back when it is queued again', async () => {
    const { store, tableName } = await newStore();
    const digest = digestOf(200);
    await store.claimScan(scanRecord(digest));
    expect((await rawItem(tableName, itemKeys.scan(digest)))?.gsi1pk).toEqual({ S: UNFINISHED_SCANS_PARTITION });

    await store.updateScan(digest, expecting('queued', digest), { state: 'done' });
    const done = await rawItem(tableName, itemKeys.scan(digest));
    expect(done?.gsi1pk).toBeUndefined();
    expect(done?.gsi1sk).toBeUndefined();
    expect(await store.listUnfinishedScans()).toEqual([]);

    await store.updateScan(digest, expecting('done', digest), { state: 'queued' });
    expect((await store.listUnfinishedScans()).map((scan) => scan.digest)).toEqual([digest]);
    expect((await rawItem(tableName, itemKeys.scan(digest)))?.expiresAt).toBeUndefined();
  });
});

describe('verdicts', () => {
  it('round-trips a verdict, stored as JSON text when small', async () => {
    const { store, tableName } = await newStore();
    const stored = verdict(digestOf(300));
    await store.putVerdict(stored);
    expect(await store.getVerdict(stored.digest, stored.policyHash)).toEqual(stored);
    expect(await store.getVerdict(stored.digest, 'other-policy')).toBeUndefined();

    const item = await rawItem(tableName, itemKeys.verdict(stored.digest, stored.policyHash));
    expect(item?.assessmentJson?.S).toBeDefined();
    expect(item?.assessmentGzip).toBeUndefined();
    expect(item?.expiresAt).toEqual({ N: String(stored.expiresAt) });
  });

  it('stores a large assessment gzipped in a Binary attribute, under the item limit, and reads it back intact', async () => {
    const { store, tableName } = await newStore();
    // ~3000 findings: about 1 MB of JSON, more than twice DynamoDB's item limit before compression.
    const large = verdict(digestOf(301), { assessment: assessment(3000) });
    expect(Buffer.byteLength(JSON.stringify(large.assessment))).toBeGreaterThan(MAX_ITEM_BYTES * 2);

    await store.putVerdict(large);
    const item = await rawItem(tableName, itemKeys.verdict(large.digest, large.policyHash));
    expect(item?.assessmentJson).toBeUndefined();
    expect(item?.assessmentGzip?.B?.byteLength).toBeLessThan(MAX_ITEM_BYTES);
    expect(await store.getVerdict(large.digest, large.policyHash)).toEqual(large);
    expect((await store.getVerdicts([large.digest], large.policyHash)).get(large.digest)).toEqual(large);
  });

  it('refuses, with a clear error, an assessment too large even compressed', async () => {
    const { store } = await newStore();
    const huge = verdict(digestOf(302), { assessment: assessment(1, { randomPayloadBytes: 600_000 }) });
    await expect(store.putVerdict(huge)).rejects.toThrow(VerdictTooLargeError);
    await expect(store.putVerdict(huge)).rejects.toThrow(/more than DynamoDB's 409600-byte item limit/);
  });

  it('reads verdicts for more than 100 digests in chunks of at most 100, with duplicates and missing ones', async () => {
    const { client, counts, inputs } = countingClient();
    const tableName = await table.freshTable();
    const store = new DynamoGateStore({ client, tableName, clock });
    const digests = Array.from({ length: 250 }, (_, n) => digestOf(1000 + n));
    const present = digests.filter((_, n) => n % 5 !== 0);
    for (const digest of present) await store.putVerdict(verdict(digest));
    await store.putVerdict(verdict(digests[1], { policyHash: 'other-policy' }));
    counts.clear();
    inputs.length = 0;

    const found = await store.getVerdicts([...digests, ...digests.slice(0, 30)], 'policy-hash-1');
    expect([...found.keys()].sort()).toEqual([...present].sort());
    expect(found.get(present[0])).toEqual(verdict(present[0]));
    expect(counts.get('BatchGetCommand')).toBe(3);
    const keysPerCall = inputs.map((input) => (input as { RequestItems: Record<string, { Keys: unknown[] }> }).RequestItems[tableName].Keys.length);
    expect(keysPerCall.sort((a, b) => a - b)).toEqual([50, 100, 100]);
  });

  it('makes no call for an empty list', async () => {
    const { client, counts } = countingClient();
    const store = new DynamoGateStore({ client, tableName: await table.freshTable(), clock });
    expect((await store.getVerdicts([], 'p')).size).toBe(0);
    expect(counts.size).toBe(0);
  });

  it('re-requests UnprocessedKeys when a BatchGetItem response passes the size limit', async () => {
    const sleeps: number[] = [];
    const { client, counts } = countingClient();
    const tableName = await table.freshTable();
    // Items of ~300 KB each, kept uncompressed: dynalite (like DynamoDB at 16 MB) stops a response at 1 MB.
    const store = new DynamoGateStore({
      client,
      tableName,
      clock,
      compressAboveBytes: Number.POSITIVE_INFINITY,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      random: () => 0.5,
    });
    const digests = Array.from({ length: 8 }, (_, n) => digestOf(2000 + n));
    for (const digest of digests) await store.putVerdict(verdict(digest, { assessment: assessment(1, { randomPayloadBytes: 300_000 }) }));
    counts.clear();

    const found = await store.getVerdicts(digests, 'policy-hash-1');
    expect(found.size).toBe(8);
    expect(counts.get('BatchGetCommand')).toBeGreaterThan(1);
    expect(sleeps.length).toBe((counts.get('BatchGetCommand') ?? 0) - 1);
  });

  it('ignores verdicts whose TTL has passed but which DynamoDB has not deleted yet', async () => {
    const { store } = await newStore();
    const expired = verdict(digestOf(303), { expiresAt: NOW_SECONDS - 1 });
    const fresh = verdict(digestOf(304));
    await store.putVerdict(expired);
    await store.putVerdict(fresh);
    expect(await store.getVerdict(expired.digest, expired.policyHash)).toBeUndefined();
    expect([...(await store.getVerdicts([expired.digest, fresh.digest], 'policy-hash-1')).keys()]).toEqual([fresh.digest]);
  });

  it('reads the latest live verdict of a digest under any policy, reading only keys and scan times of the others', async () => {
    const { client, counts, inputs } = countingClient();
    const { store } = await newStore({ client });
    const digest = digestOf(306);
    const older = verdict(digest, { policyHash: 'policy-a', scannedAt: '2026-01-01T00:00:00.000Z' });
    const latest = verdict(digest, { policyHash: 'policy-b', scannedAt: '2026-01-03T00:00:00.000Z' });
    const expiredNewer = verdict(digest, { policyHash: 'policy-c', scannedAt: '2026-01-04T00:00:00.000Z', expiresAt: NOW_SECONDS - 1 });
    for (const stored of [older, latest, expiredNewer]) await store.putVerdict(stored);
    await store.putVerdict(verdict(digestOf(307), { scannedAt: '2026-01-05T00:00:00.000Z' }));
    await store.addWaiter(waiter(digest, 'waiting'));
    counts.clear();
    expect(await store.getLatestVerdict(digest)).toEqual(latest);
    expect(counts.get('QueryCommand')).toBe(1);
    expect(counts.get('GetCommand')).toBe(1);
    expect(inputs.find((input) => (input as { ProjectionExpression?: string }).ProjectionExpression !== undefined)).toMatchObject({ ProjectionExpression: '#pk, #sk, #scannedAt, #expires' });
    expect(await store.getLatestVerdict(digestOf(308))).toBeUndefined();
  });

  it('reports a damaged verdict item with its key', async () => {
    const { store, tableName } = await newStore();
    const digest = digestOf(305);
    await table.fixture().documents.send(
      new PutCommand({ TableName: tableName, Item: { ...itemKeys.verdict(digest, 'p'), digest, policyHash: 'p', assessmentJson: '{not json', scannedAt: 'x', expiresAt: NOW_SECONDS + 100 } }),
    );
    await expect(store.getVerdict(digest, 'p')).rejects.toThrow(CorruptItemError);
    await expect(store.getVerdict(digest, 'p')).rejects.toThrow(`pk="digest#${digest}" sk="verdict#p"`);
  });
});

describe('BatchGetItem retry bound', () => {
  it('gives up with an error after maxAttempts when keys stay unprocessed, backing off exponentially', async () => {
    const documents = DynamoDBDocumentClient.from(table.fixture().raw);
    const mock = mockClient(documents);
    try {
      mock.on(BatchGetCommand).callsFake((input: { RequestItems: Record<string, { Keys: unknown[] }> }) => ({
        Responses: { t: [] },
        UnprocessedKeys: { t: { Keys: input.RequestItems.t.Keys } },
      }));
      const sleeps: number[] = [];
      const store = new DynamoGateStore({
        client: documents,
        tableName: 't',
        clock,
        batchGetRetry: { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 500 },
        sleep: async (ms) => {
          sleeps.push(ms);
        },
        random: () => 0.999,
      });
      await expect(store.getVerdicts([digestOf(1), digestOf(2)], 'p')).rejects.toThrow('2 of 2 keys still unprocessed after 5 attempts');
      expect(mock.commandCalls(BatchGetCommand)).toHaveLength(5);
      expect(sleeps).toEqual([99, 199, 399, 499]);
    } finally {
      mock.restore();
    }
  });
});

describe('claimEnforcement', () => {
  it('records an action once: the second claim for a key is false', async () => {
    const { store, tableName } = await newStore();
    const record = { key: 'task#arn:aws:ecs:eu-west-1:123456789012:task/prod/abc', action: 'stopTask', decision: 'fail' as const, at: NOW.toISOString() };
    expect(await store.claimEnforcement(record)).toBe(true);
    expect(await store.claimEnforcement({ ...record, action: 'notify' })).toBe(false);
    expect(await store.claimEnforcement({ ...record, key: 'task#other' })).toBe(true);

    const item = await rawItem(tableName, itemKeys.enforcement(record.key));
    expect(item?.action).toEqual({ S: 'stopTask' });
    expect(item?.expiresAt).toEqual({ N: String(NOW_SECONDS + 30 * DAY) });
  });

  it('lets exactly one of 15 concurrent claims win', async () => {
    const { store } = await newStore();
    const results = await Promise.all(
      Array.from({ length: 15 }, () => store.claimEnforcement({ key: 'service#c#s#d', action: 'rollbackDeployment', decision: 'fail', at: NOW.toISOString() })),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });
});

describe('getVerdictsForTask', () => {
  const task = 'arn:aws:ecs:eu-west-1:123456789012:task/prod/0123456789abcdef0123456789abcdef';
  const alice = 'arn:aws:sts::123456789012:assumed-role/deployer/alice';
  const keysPerCall = (inputs: unknown[], tableName: string) =>
    inputs.map((input) => (input as { RequestItems: Record<string, { Keys: { pk: string; sk: string }[] }> }).RequestItems[tableName].Keys);

  it('reads the verdicts and the launcher in one BatchGetItem', async () => {
    const { client, counts, inputs } = countingClient();
    const tableName = await table.freshTable();
    const store = new DynamoGateStore({ client, tableName, clock });
    const [a, b, missing] = [digestOf(600), digestOf(601), digestOf(602)];
    await store.putVerdict(verdict(a));
    await store.putVerdict(verdict(b));
    await store.rememberLauncher(task, alice);
    counts.clear();
    inputs.length = 0;

    const read = await store.getVerdictsForTask([a, b, missing, a], 'policy-hash-1', task);
    expect(read.launcher).toBe(alice);
    expect([...read.verdicts.keys()].sort()).toEqual([a, b]);
    expect(read.verdicts.get(a)).toEqual(verdict(a));
    expect([...counts.entries()]).toEqual([['BatchGetCommand', 1]]);
    expect(keysPerCall(inputs, tableName)[0]).toEqual(expect.arrayContaining([itemKeys.launcher(task), itemKeys.verdict(a, 'policy-hash-1')]));
    expect(keysPerCall(inputs, tableName)[0]).toHaveLength(4);
  });

  it('has no launcher when none was remembered, and still returns the verdicts', async () => {
    const { store } = await newStore();
    const digest = digestOf(610);
    await store.putVerdict(verdict(digest));
    await store.rememberLauncher(`${task}-other`, alice);
    const read = await store.getVerdictsForTask([digest], 'policy-hash-1', task);
    expect(read).not.toHaveProperty('launcher');
    expect([...read.verdicts.keys()]).toEqual([digest]);
    expect(await store.getVerdictsForTask([digest], 'other-policy', task)).toEqual({ verdicts: new Map() });
  });

  it('fits 99 digests and the launcher in one request, and chunks more by 100 with the launcher in one chunk only', async () => {
    const { client, counts, inputs } = countingClient();
    const tableName = await table.freshTable();
    const store = new DynamoGateStore({ client, tableName, clock });
    const digests = Array.from({ length: 150 }, (_, n) => digestOf(3000 + n));
    const present = digests.filter((_, n) => n % 3 !== 0);
    for (const digest of present) await store.putVerdict(verdict(digest));
    await store.rememberLauncher(task, alice);

    counts.clear();
    inputs.length = 0;
    const first99 = await store.getVerdictsForTask(digests.slice(0, 99), 'policy-hash-1', task);
    expect(counts.get('BatchGetCommand')).toBe(1);
    expect(first99.launcher).toBe(alice);
    expect(first99.verdicts.size).toBe(present.filter((digest) => digests.indexOf(digest) < 99).length);

    counts.clear();
    inputs.length = 0;
    const all = await store.getVerdictsForTask(digests, 'policy-hash-1', task);
    expect(all.launcher).toBe(alice);
    expect([...all.verdicts.keys()].sort()).toEqual([...present].sort());
    expect(counts.get('BatchGetCommand')).toBe(2);
    const chunks = keysPerCall(inputs, tableName);
    expect(chunks.map((keys) => keys.length).sort((x, y) => x - y)).toEqual([51, 100]);
    expect(chunks.flat().filter((key) => key.sk === 'launcher')).toEqual([itemKeys.launcher(task)]);
  });

  it('treats a launcher item and verdicts whose TTL has passed as absent', async () => {
    const { store } = await newStore({ retention: { taskSeconds: 3600 } });
    const lasting = verdict(digestOf(620), { expiresAt: NOW_SECONDS + 30 * DAY });
    const expiring = verdict(digestOf(621), { expiresAt: NOW_SECONDS + 1800 });
    await store.putVerdict(lasting);
    await store.putVerdict(expiring);
    await store.rememberLauncher(task, alice);
    expect((await store.getVerdictsForTask([lasting.digest, expiring.digest], 'policy-hash-1', task)).launcher).toBe(alice);

    clockNow = new Date(NOW.getTime() + 3600_000);
    const read = await store.getVerdictsForTask([lasting.digest, expiring.digest], 'policy-hash-1', task);
    expect(read).not.toHaveProperty('launcher');
    expect([...read.verdicts.keys()]).toEqual([lasting.digest]);
  });

  it('reads the launcher alone, in one request, for a task with no digests', async () => {
    const { client, counts } = countingClient();
    const tableName = await table.freshTable();
    const store = new DynamoGateStore({ client, tableName, clock });
    await store.rememberLauncher(task, alice);
    counts.clear();
    expect(await store.getVerdictsForTask([], 'policy-hash-1', task)).toEqual({ verdicts: new Map(), launcher: alice });
    expect(counts.get('BatchGetCommand')).toBe(1);
  });

  it('re-requests unprocessed keys, the launcher among them, with back-off', async () => {
    const documents = DynamoDBDocumentClient.from(table.fixture().raw);
    const mock = mockClient(documents);
    try {
      const digest = digestOf(630);
      const stored = verdict(digest);
      const verdictItem = await verdictToItem(stored, { compressAboveBytes: 64 * 1024 });
      const launcherItem = launcherToItem(task, alice, NOW_SECONDS + DAY);
      mock
        .on(BatchGetCommand)
        .resolvesOnce({ Responses: { t: [verdictItem] }, UnprocessedKeys: { t: { Keys: [itemKeys.launcher(task)] } } })
        .resolvesOnce({ Responses: { t: [launcherItem] } });
      const sleeps: number[] = [];
      const store = new DynamoGateStore({ client: documents, tableName: 't', clock, sleep: async (ms) => void sleeps.push(ms), random: () => 0.5 });

      expect(await store.getVerdictsForTask([digest], 'policy-hash-1', task)).toEqual({ verdicts: new Map([[digest, stored]]), launcher: alice });
      const requested = mock.commandCalls(BatchGetCommand).map((call) => call.args[0].input.RequestItems!.t.Keys);
      expect(requested).toEqual([[itemKeys.launcher(task), itemKeys.verdict(digest, 'policy-hash-1')], [itemKeys.launcher(task)]]);
      expect(sleeps).toHaveLength(1);
    } finally {
      mock.restore();
    }
  });

  it('rejects an empty task ARN, digest or policy hash before calling DynamoDB', async () => {
    const { client, counts } = countingClient();
    const store = new DynamoGateStore({ client, tableName: 'unused', clock });
    await expect(store.getVerdictsForTask([digestOf(1)], 'p', '')).rejects.toThrow('taskArn must be a non-empty string');
    await expect(store.getVerdictsForTask([''], 'p', task)).rejects.toThrow('digest must be a non-empty string');
    await expect(store.getVerdictsForTask([digestOf(1)], '', task)).rejects.toThrow('policyHash must be a non-empty string');
    expect(counts.size).toBe(0);
  });
});

describe('releaseEnforcement', () => {
  const record = { key: 'service#c#web#ecs-svc/1#sha256:abc', action: 'rollbackDeployment', decision: 'fail' as const, at: NOW.toISOString() };

  it('deletes the claim, so the next claim for the key wins again', async () => {
    const { store, tableName } = await newStore();
    const other = { ...record, key: 'task#other' };
    expect(await store.claimEnforcement(record)).toBe(true);
    expect(await store.claimEnforcement(other)).toBe(true);

    await store.releaseEnforcement(record.key);
    expect(await rawItem(tableName, itemKeys.enforcement(record.key))).toBeUndefined();
    expect(await store.claimEnforcement({ ...record, at: '2026-01-02T04:00:00.000Z' })).toBe(true);
    expect(await store.claimEnforcement(record)).toBe(false);
    // Only the released key was touched.
    expect(await store.claimEnforcement(other)).toBe(false);
  });

  it('succeeds for a claim that is not there, however often it is called', async () => {
    const { store } = await newStore();
    await expect(store.releaseEnforcement('task#never-claimed')).resolves.toBeUndefined();
    expect(await store.claimEnforcement(record)).toBe(true);
    await store.releaseEnforcement(record.key);
    await expect(store.releaseEnforcement(record.key)).resolves.toBeUndefined();
    expect(await store.claimEnforcement(record)).toBe(true);
  });

  it('rejects an empty key before calling DynamoDB', async () => {
    const { client, counts } = countingClient();
    const store = new DynamoGateStore({ client, tableName: 'unused', clock });
    await expect(store.releaseEnforcement('')).rejects.toThrow('key must be a non-empty string');
    expect(counts.size).toBe(0);
  });
});

describe('advanceTaskVersion', () => {
  it('accepts only versions higher than any seen: duplicates and late events are false', async () => {
    const { store } = await newStore();
    const task = 'arn:aws:ecs:eu-west-1:123456789012:task/prod/t1';
    const results: boolean[] = [];
    for (const version of [1, 1, 3, 2, 3, 4, 0]) results.push(await store.advanceTaskVersion(task, version));
    expect(results).toEqual([true, false, true, false, false, true, false]);
    expect(await store.advanceTaskVersion('arn:aws:ecs:eu-west-1:123456789012:task/prod/t2', 2)).toBe(true);
  });

  it('lets one of several concurrent deliveries of the same event through', async () => {
    const { store } = await newStore();
    const task = 'arn:aws:ecs:eu-west-1:123456789012:task/prod/t3';
    const results = await Promise.all(Array.from({ length: 12 }, () => store.advanceTaskVersion(task, 5)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('rejects a version that is not a non-negative integer', async () => {
    const { store } = await newStore();
    await expect(store.advanceTaskVersion('t', 1.5)).rejects.toThrow('non-negative integer');
    await expect(store.advanceTaskVersion('t', -1)).rejects.toThrow('non-negative integer');
  });
});

describe('waiters', () => {
  it('lists every waiter of a digest across pages, and nothing else in the partition', async () => {
    const { client, counts } = countingClient();
    const tableName = await table.freshTable();
    const store = new DynamoGateStore({ client, tableName, clock, queryPageSize: 7 });
    const digest = digestOf(400);
    for (let n = 0; n < 30; n += 1) await store.addWaiter(waiter(digest, `task-${n}`));
    await store.addWaiter(waiter(digestOf(401), 'elsewhere'));
    await store.claimScan(scanRecord(digest));
    await store.putVerdict(verdict(digest));
    counts.clear();

    const waiters = await store.listWaiters(digest);
    expect(waiters).toHaveLength(30);
    expect(new Set(waiters.map((w) => w.taskArn)).size).toBe(30);
    expect(waiters[0]).toEqual(waiter(digest, waiters[0].taskArn.split('/').pop()!));
    expect(counts.get('QueryCommand')).toBeGreaterThanOrEqual(5);
  });

  it('keeps the first seenAt when a task is seen again, updates the other facts, and removes a waiter', async () => {
    const { store, tableName } = await newStore();
    const digest = digestOf(402);
    await store.addWaiter(waiter(digest, 'a'));
    await store.addWaiter(waiter(digest, 'a', { seenAt: '2026-01-02T04:00:00.000Z', service: 'web', launchedBy: 'arn:aws:iam::123456789012:role/deployer' }));
    expect(await store.listWaiters(digest)).toEqual([
      waiter(digest, 'a', { service: 'web', launchedBy: 'arn:aws:iam::123456789012:role/deployer' }),
    ]);
    expect((await rawItem(tableName, itemKeys.waiter(digest, waiter(digest, 'a').taskArn)))?.expiresAt).toEqual({ N: String(NOW_SECONDS + 2 * DAY) });

    await store.removeWaiter(digest, waiter(digest, 'a').taskArn);
    await store.removeWaiter(digest, waiter(digest, 'a').taskArn);
    expect(await store.listWaiters(digest)).toEqual([]);
  });

  it('says whether addWaiter created the waiter: yes the first time, no when the same task waits again, yes once the old one is past its TTL', async () => {
    const { store } = await newStore();
    const digest = digestOf(404);
    expect(await store.addWaiter(waiter(digest, 'a'))).toBe(true);
    expect(await store.addWaiter(waiter(digest, 'a', { service: 'web' }))).toBe(false);
    expect(await store.addWaiter(waiter(digest, 'b'))).toBe(true);
    // DynamoDB deletes an expired item some time after its TTL: until then it is there, but no longer a waiter.
    clockNow = new Date(NOW.getTime() + 2 * DAY * 1000 + 1000);
    expect(await store.addWaiter(waiter(digest, 'a'))).toBe(true);
  });

  it('keeps the public IP and exposure a RunTask call gave when a later event of the task waits again without them', async () => {
    const { store } = await newStore();
    const digest = digestOf(403);
    const fromRunTask = {
      publicIp: { value: true, source: 'from the RunTask call' },
      exposure: { value: 'public' as const, source: 'a public IP is assigned (from the RunTask call)' },
    };
    await store.addWaiter(waiter(digest, 'a', fromRunTask));
    await store.addWaiter(waiter(digest, 'a', { service: 'web' }));
    expect(await store.listWaiters(digest)).toEqual([waiter(digest, 'a', { service: 'web', ...fromRunTask })]);
  });
});

describe('launchers and TTL', () => {
  it('remembers who launched a task, with a TTL', async () => {
    const { store, tableName } = await newStore({ retention: { taskSeconds: 3600 } });
    const task = 'arn:aws:ecs:eu-west-1:123456789012:task/prod/l1';
    expect(await store.getLauncher(task)).toBeUndefined();
    await store.rememberLauncher(task, 'arn:aws:iam::123456789012:user/alice');
    expect(await store.getLauncher(task)).toBe('arn:aws:iam::123456789012:user/alice');
    expect((await rawItem(tableName, itemKeys.launcher(task)))?.expiresAt).toEqual({ N: String(NOW_SECONDS + 3600) });

    clockNow = new Date(NOW.getTime() + 3601_000);
    expect(await store.getLauncher(task)).toBeUndefined();
  });

  it('sets expiresAt on task versions and finished scans, never on an unfinished scan', async () => {
    const { store, tableName } = await newStore();
    const task = 'arn:aws:ecs:eu-west-1:123456789012:task/prod/v1';
    await store.advanceTaskVersion(task, 1);
    expect((await rawItem(tableName, itemKeys.taskVersion(task)))?.expiresAt).toEqual({ N: String(NOW_SECONDS + 30 * DAY) });

    const digest = digestOf(500);
    await store.claimScan(scanRecord(digest));
    expect((await rawItem(tableName, itemKeys.scan(digest)))?.expiresAt).toBeUndefined();
    await store.updateScan(digest, expecting('queued', digest), { state: 'error', error: 'x' });
    expect((await rawItem(tableName, itemKeys.scan(digest)))?.expiresAt).toEqual({ N: String(NOW_SECONDS + 30 * DAY) });
  });
});

describe('input checks', () => {
  it('rejects empty keys before calling DynamoDB', async () => {
    const { client, counts } = countingClient();
    const store = new DynamoGateStore({ client, tableName: 'unused', clock });
    await expect(store.getVerdict('', 'p')).rejects.toThrow('digest must be a non-empty string');
    await expect(store.getVerdicts(['sha256:x', ''], 'p')).rejects.toThrow('digest must be a non-empty string');
    await expect(store.claimEnforcement({ key: '', action: 'a', decision: 'fail', at: 'x' })).rejects.toThrow('key must be a non-empty string');
    expect(counts.size).toBe(0);
  });

  it('requires a table name', () => {
    expect(() => new DynamoGateStore({ client: table.fixture().documents, tableName: '' })).toThrow('tableName is required');
  });
});
