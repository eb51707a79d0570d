import {
  BatchGetCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { isExpectedScan, type Clock, type EnforcementRecord, type ExpectedScan, type GateStore, type ScanRecord, type ScanState, type StoredVerdict, type Waiter } from '../core/ports';
import { isConditionalCheckFailed } from './aws-errors';
import {
  SCAN_STATES,
  UNFINISHED_STATES,
  enforcementToItem,
  isExpired,
  itemToLauncher,
  itemToScan,
  itemToVerdict,
  itemToWaiter,
  launcherToItem,
  scanToItem,
  truncateError,
  verdictToItem,
} from './dynamo-items';
import { queryAllPages } from './dynamo-query';
import { GATE_TABLE, UNFINISHED_SCANS_PARTITION, VERDICT_PREFIX, WAITER_PREFIX, digestPartition, itemKeys, type ItemKey } from './dynamo-table';
import { withZod } from '../io/zod-loader';

const DAY_SECONDS = 24 * 60 * 60;

/** How long items that are no longer needed stay in the table before DynamoDB TTL removes them. */
export interface StoreRetention {
  /** Finished (done or error) scan records: the pointer to the raw report that lets a new policy re-evaluate without a rescan. */
  finishedScanSeconds: number;
  /** A waiting task; refreshed each time the task is seen again. */
  waiterSeconds: number;
  /** Enforcement records (the "act once" guard). */
  enforcementSeconds: number;
  /** Highest event version and launcher per task; refreshed on each event. */
  taskSeconds: number;
}

export const DEFAULT_RETENTION: StoreRetention = {
  finishedScanSeconds: 30 * DAY_SECONDS,
  waiterSeconds: 2 * DAY_SECONDS,
  enforcementSeconds: 30 * DAY_SECONDS,
  taskSeconds: 30 * DAY_SECONDS,
};

/** BatchGetItem limit on keys per request. */
export const BATCH_GET_MAX_KEYS = 100;

export interface BatchGetRetry {
  /** Requests per chunk, the first included, before unprocessed keys are an error. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface DynamoGateStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  clock?: Clock;
  retention?: Partial<StoreRetention>;
  /** Verdict items larger than this store their assessment gzipped (see dynamo-items.ts). Default 64 KiB. */
  compressAboveBytes?: number;
  batchGetRetry?: Partial<BatchGetRetry>;
  /** Page size for the index and waiter queries; DynamoDB's own 1 MB pages when unset. */
  queryPageSize?: number;
  /** Waits between BatchGetItem retries; injectable so tests need not sleep. */
  sleep?: (milliseconds: number) => Promise<void>;
  /** Jitter source in [0, 1); injectable for tests. */
  random?: () => number;
}

const SYSTEM_CLOCK: Clock = { now: () => new Date() };
const DEFAULT_BATCH_GET_RETRY: BatchGetRetry = { maxAttempts: 8, baseDelayMs: 50, maxDelayMs: 2000 };

const UPDATABLE_SCAN_FIELDS = ['imageReference', 'scanId', 'state', 'buildId', 'reportLocation', 'error', 'attempts', 'startedAt', 'deadline', 'retryAt', 'finishFailures', 'mode', 'sbomKey', 'compute', 'rejudgeRequestedAt'] as const;
type UpdatableScanField = (typeof UPDATABLE_SCAN_FIELDS)[number];
const OPTIONAL_SCAN_FIELDS = ['buildId', 'reportLocation', 'error', 'retryAt', 'finishFailures', 'mode', 'sbomKey', 'compute', 'rejudgeRequestedAt'] as const;

/**
 * `GateStore` on one DynamoDB table (layout in dynamo-table.ts). Every write that decides "who acts" is a
 * conditional write, so concurrent Lambda invocations and redelivered events settle on exactly one winner;
 * a failed condition is an answer (false), not an error. Reads are strongly consistent except the sweep's
 * index query (GSIs only offer eventual consistency; the sweep runs again anyway). Items whose TTL has
 * passed are treated as absent, because DynamoDB deletes them lazily.
 */
export class DynamoGateStore implements GateStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly clock: Clock;
  private readonly retention: StoreRetention;
  private readonly compressAboveBytes: number;
  private readonly batchGetRetry: BatchGetRetry;
  private readonly queryPageSize?: number;
  private readonly sleep: (milliseconds: number) => Promise<void>;
  private readonly random: () => number;

  constructor(options: DynamoGateStoreOptions) {
    if (!options.tableName) throw new Error('DynamoGateStore: tableName is required');
    this.client = options.client;
    this.tableName = options.tableName;
    this.clock = options.clock ?? SYSTEM_CLOCK;
    this.retention = { ...DEFAULT_RETENTION, ...options.retention };
    this.compressAboveBytes = options.compressAboveBytes ?? 64 * 1024;
    this.batchGetRetry = { ...DEFAULT_BATCH_GET_RETRY, ...options.batchGetRetry };
    this.queryPageSize = options.queryPageSize;
    this.sleep = options.sleep ?? ((milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds)));
    this.random = options.random ?? Math.random;
  }

  // ---------- verdicts ----------

  async getVerdict(digest: string, policyHash: string): Promise<StoredVerdict | undefined> {
    requireText('digest', digest);
    requireText('policyHash', policyHash);
    const item = await this.getItem(itemKeys.verdict(digest, policyHash));
    return item ? itemToVerdict(item) : undefined;
  }

  /**
   * One Query of the digest's verdict items reading only their keys and scan times (a verdict item may be up to
   * 400 KB: reading them all would cost that much per policy), then the latest one read in full.
   */
  async getLatestVerdict(digest: string): Promise<StoredVerdict | undefined> {
    requireText('digest', digest);
    const heads = await this.queryAll({
      TableName: this.tableName,
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :verdict)',
      ProjectionExpression: '#pk, #sk, #scannedAt, #expires',
      ExpressionAttributeNames: { '#pk': GATE_TABLE.partitionKey, '#sk': GATE_TABLE.sortKey, '#scannedAt': 'scannedAt', '#expires': GATE_TABLE.ttlAttribute },
      ExpressionAttributeValues: { ':pk': digestPartition(digest), ':verdict': VERDICT_PREFIX },
      ConsistentRead: true,
    });
    const now = this.nowSeconds();
    const scannedAt = (item: Record<string, unknown>) => (typeof item.scannedAt === 'string' ? item.scannedAt : '');
    const latest = heads.filter((item) => !isExpired(item, now)).reduce<Record<string, unknown> | undefined>((best, item) => (!best || scannedAt(item) > scannedAt(best) ? item : best), undefined);
    if (!latest) return undefined;
    const item = await this.getItem({ pk: String(latest[GATE_TABLE.partitionKey]), sk: String(latest[GATE_TABLE.sortKey]) });
    return item ? itemToVerdict(item) : undefined;
  }

  async getVerdicts(digests: string[], policyHash: string): Promise<Map<string, StoredVerdict>> {
    const keys = verdictKeys(digests, policyHash);
    if (keys.length === 0) return new Map();
    const now = this.nowSeconds();
    return decodeVerdicts((await this.batchGetAll(keys)).filter((item) => !isExpired(item, now)));
  }

  /**
   * The verdicts and the task's launcher item in the same BatchGetItem request (one round trip for up to 99
   * digests), so naming who launched a denied task costs no read of its own.
   */
  async getVerdictsForTask(digests: string[], policyHash: string, taskArn: string): Promise<{ verdicts: Map<string, StoredVerdict>; launcher?: string }> {
    requireText('taskArn', taskArn);
    const launcherKey = itemKeys.launcher(taskArn);
    // The launcher key goes first, so it always rides in the first chunk whatever the number of digests.
    const items = await this.batchGetAll([launcherKey, ...verdictKeys(digests, policyHash)]);
    const now = this.nowSeconds();
    let launcher: string | undefined;
    const verdictItems: Record<string, unknown>[] = [];
    for (const item of items) {
      if (isExpired(item, now)) continue;
      if (item[GATE_TABLE.partitionKey] === launcherKey.pk && item[GATE_TABLE.sortKey] === launcherKey.sk) launcher = itemToLauncher(item);
      else verdictItems.push(item);
    }
    const verdicts = await decodeVerdicts(verdictItems);
    return launcher === undefined ? { verdicts } : { verdicts, launcher };
  }

  async putVerdict(verdict: StoredVerdict): Promise<void> {
    requireText('digest', verdict.digest);
    requireText('policyHash', verdict.policyHash);
    const item = await verdictToItem(verdict, { compressAboveBytes: this.compressAboveBytes });
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: item }));
  }

  // ---------- scans ----------

  async claimScan(record: ScanRecord, replacing?: Pick<ScanRecord, 'scanId'>): Promise<boolean> {
    requireText('digest', record.digest);
    requireScanState(record.state);
    if (replacing !== undefined) requireText('scanId', replacing.scanId);
    const now = this.nowSeconds();
    // A digest is scanned once; a finished record past its TTL may be claimed again, and so may the failed scan the
    // claimer read (that one, by its scan id: not a newer failure of the digest whose back-off still runs).
    const names: Record<string, string> = { '#pk': GATE_TABLE.partitionKey, '#expires': GATE_TABLE.ttlAttribute };
    const values: Record<string, unknown> = { ':now': now };
    let condition = 'attribute_not_exists(#pk) OR (attribute_exists(#expires) AND #expires <= :now)';
    if (replacing !== undefined) {
      Object.assign(names, { '#state': 'state', '#scanId': 'scanId' });
      Object.assign(values, { ':error': 'error', ':replacedScanId': replacing.scanId });
      condition += ' OR (#state = :error AND #scanId = :replacedScanId)';
    }
    return this.conditional(
      new PutCommand({
        TableName: this.tableName,
        Item: scanToItem(record, now + this.retention.finishedScanSeconds),
        ConditionExpression: condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }

  async getScan(digest: string): Promise<ScanRecord | undefined> {
    requireText('digest', digest);
    const item = await this.getItem(itemKeys.scan(digest));
    return item ? withZod(() => itemToScan(item)) : undefined;
  }

  async updateScan(digest: string, expected: ExpectedScan, changes: Partial<Omit<ScanRecord, 'digest'>>): Promise<boolean> {
    requireText('digest', digest);
    requireScanState(expected.state);
    requireText('scanId', expected.scanId);
    const fields = Object.keys(changes) as string[];
    const unknown = fields.filter((field) => !(UPDATABLE_SCAN_FIELDS as readonly string[]).includes(field));
    if (unknown.length > 0) throw new TypeError(`updateScan(${digest}): cannot change ${unknown.join(', ')}`);
    if (changes.state !== undefined) requireScanState(changes.state);

    // The state and the scan's identity: a finisher of an older scan (re-claimed or rescanned since) must lose.
    const names: Record<string, string> = { '#pk': GATE_TABLE.partitionKey, '#state': 'state', '#expectedScanId': 'scanId' };
    const values: Record<string, unknown> = { ':expected': expected.state, ':expectedScanId': expected.scanId };
    const condition = ['attribute_exists(#pk)', '#state = :expected', '#expectedScanId = :expectedScanId'];
    if (expected.buildId !== undefined) {
      names['#expectedBuildId'] = 'buildId';
      if (expected.buildId === '') {
        // "No build yet" is an absent attribute or an empty one (a rescan writes '').
        values[':noBuild'] = '';
        condition.push('(attribute_not_exists(#expectedBuildId) OR #expectedBuildId = :noBuild)');
      } else {
        values[':expectedBuildId'] = expected.buildId;
        condition.push('#expectedBuildId = :expectedBuildId');
      }
    }
    const set: string[] = [];
    const remove: string[] = [];
    (fields as UpdatableScanField[]).forEach((field, index) => {
      const name = field === 'state' ? '#state' : `#f${index}`;
      const value = field === 'error' && typeof changes.error === 'string' ? truncateError(changes.error) : changes[field];
      if (value === undefined) {
        // An optional field given as undefined is cleared, as `{ ...record, ...changes }` clears it in memory;
        // a required one given as undefined is left as it is.
        if (!(OPTIONAL_SCAN_FIELDS as readonly string[]).includes(field)) return;
        names[name] = field;
        remove.push(name);
        return;
      }
      names[name] = field;
      values[`:v${index}`] = value;
      set.push(`${name} = :v${index}`);
    });

    if (changes.state !== undefined) {
      const index = GATE_TABLE.unfinishedScansIndex;
      names['#gpk'] = index.partitionKey;
      names['#gsk'] = index.sortKey;
      names['#expires'] = GATE_TABLE.ttlAttribute;
      if (UNFINISHED_STATES.includes(changes.state)) {
        set.push('#gpk = :unfinished', '#gsk = :digest');
        values[':unfinished'] = UNFINISHED_SCANS_PARTITION;
        values[':digest'] = digest;
        remove.push('#expires');
      } else {
        // Leaving the sparse index is what takes a scan off the sweep's list.
        remove.push('#gpk', '#gsk');
        set.push('#expires = :expires');
        values[':expires'] = this.nowSeconds() + this.retention.finishedScanSeconds;
      }
    }

    if (set.length === 0 && remove.length === 0) {
      const current = await this.getScan(digest);
      return isExpectedScan(current, expected);
    }
    const updateExpression = [set.length ? `SET ${set.join(', ')}` : '', remove.length ? `REMOVE ${remove.join(', ')}` : '']
      .filter(Boolean)
      .join(' ');
    return this.conditional(
      new UpdateCommand({
        TableName: this.tableName,
        Key: itemKeys.scan(digest),
        UpdateExpression: updateExpression,
        ConditionExpression: condition.join(' AND '),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }

  async listUnfinishedScans(): Promise<ScanRecord[]> {
    const index = GATE_TABLE.unfinishedScansIndex;
    const items = await this.queryAll({
      TableName: this.tableName,
      IndexName: index.name,
      KeyConditionExpression: '#gpk = :unfinished',
      ExpressionAttributeNames: { '#gpk': index.partitionKey },
      ExpressionAttributeValues: { ':unfinished': UNFINISHED_SCANS_PARTITION },
    });
    // The index is eventually consistent: an item that just finished may still be listed with its old state.
    return (await withZod(() => items.map(itemToScan))).filter((scan) => UNFINISHED_STATES.includes(scan.state));
  }

  // ---------- waiters ----------

  async addWaiter(waiter: Waiter): Promise<boolean> {
    requireText('digest', waiter.digest);
    requireText('taskArn', waiter.taskArn);
    const names: Record<string, string> = { '#seenAt': 'seenAt', '#expires': GATE_TABLE.ttlAttribute };
    const values: Record<string, unknown> = {
      ':seenAt': waiter.seenAt,
      ':expires': this.nowSeconds() + this.retention.waiterSeconds,
    };
    // seenAt keeps the first event that asked; the other facts take the latest event's values.
    const set = ['#seenAt = if_not_exists(#seenAt, :seenAt)', '#expires = :expires'];
    const fields: Record<string, string | Waiter['publicIp'] | Waiter['exposure']> = {
      type: 'waiter',
      digest: waiter.digest,
      taskArn: waiter.taskArn,
      cluster: waiter.cluster,
      taskDefinitionArn: waiter.taskDefinitionArn,
      service: waiter.service,
      launchedBy: waiter.launchedBy,
      hookId: waiter.hookId,
      // Only a RunTask hint carries these; a later event's waiter without them keeps them (not overwritten).
      publicIp: waiter.publicIp,
      exposure: waiter.exposure,
    };
    Object.entries(fields).forEach(([field, value], index) => {
      if (value === undefined) return;
      names[`#f${index}`] = field;
      values[`:v${index}`] = value;
      set.push(`#f${index} = :v${index}`);
    });
    const now = this.nowSeconds();
    const result = await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: itemKeys.waiter(waiter.digest, waiter.taskArn),
        UpdateExpression: `SET ${set.join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        // The old expiry says whether the waiter was there already; one past its TTL (not yet deleted) was not.
        ReturnValues: 'UPDATED_OLD',
      }),
    );
    const previousExpiry = result.Attributes?.[GATE_TABLE.ttlAttribute];
    return typeof previousExpiry !== 'number' || previousExpiry <= now;
  }

  async listWaiters(digest: string): Promise<Waiter[]> {
    requireText('digest', digest);
    const items = await this.queryAll({
      TableName: this.tableName,
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :waiter)',
      ExpressionAttributeNames: { '#pk': GATE_TABLE.partitionKey, '#sk': GATE_TABLE.sortKey },
      ExpressionAttributeValues: { ':pk': digestPartition(digest), ':waiter': WAITER_PREFIX },
      ConsistentRead: true,
    });
    const now = this.nowSeconds();
    return withZod(() => items.filter((item) => !isExpired(item, now)).map(itemToWaiter));
  }

  async removeWaiter(digest: string, taskArn: string): Promise<void> {
    requireText('digest', digest);
    requireText('taskArn', taskArn);
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: itemKeys.waiter(digest, taskArn) }));
  }

  // ---------- enforcement and task facts ----------

  async claimEnforcement(record: EnforcementRecord): Promise<boolean> {
    requireText('key', record.key);
    const now = this.nowSeconds();
    return this.conditional(
      new PutCommand({
        TableName: this.tableName,
        Item: enforcementToItem(record, now + this.retention.enforcementSeconds),
        ConditionExpression: 'attribute_not_exists(#pk) OR #expires <= :now',
        ExpressionAttributeNames: { '#pk': GATE_TABLE.partitionKey, '#expires': GATE_TABLE.ttlAttribute },
        ExpressionAttributeValues: { ':now': now },
      }),
    );
  }

  /** Deleting a claim that is not there (released before, or expired and removed) is success: the retry may act either way. */
  async releaseEnforcement(key: string): Promise<void> {
    requireText('key', key);
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: itemKeys.enforcement(key) }));
  }

  async advanceTaskVersion(taskArn: string, version: number): Promise<boolean> {
    requireText('taskArn', taskArn);
    if (!Number.isSafeInteger(version) || version < 0) {
      throw new TypeError(`advanceTaskVersion(${taskArn}): version must be a non-negative integer, got ${version}`);
    }
    return this.conditional(
      new UpdateCommand({
        TableName: this.tableName,
        Key: itemKeys.taskVersion(taskArn),
        UpdateExpression: 'SET #version = :version, #type = :type, #taskArn = :taskArn, #expires = :expires',
        ConditionExpression: 'attribute_not_exists(#version) OR #version < :version',
        ExpressionAttributeNames: { '#version': 'version', '#type': 'type', '#taskArn': 'taskArn', '#expires': GATE_TABLE.ttlAttribute },
        ExpressionAttributeValues: {
          ':version': version,
          ':type': 'taskVersion',
          ':taskArn': taskArn,
          ':expires': this.nowSeconds() + this.retention.taskSeconds,
        },
      }),
    );
  }

  async rememberLauncher(taskArn: string, principal: string): Promise<void> {
    requireText('taskArn', taskArn);
    requireText('principal', principal);
    await this.client.send(
      new PutCommand({ TableName: this.tableName, Item: launcherToItem(taskArn, principal, this.nowSeconds() + this.retention.taskSeconds) }),
    );
  }

  async getLauncher(taskArn: string): Promise<string | undefined> {
    requireText('taskArn', taskArn);
    const item = await this.getItem(itemKeys.launcher(taskArn));
    return item ? itemToLauncher(item) : undefined;
  }

  // ---------- plumbing ----------

  private nowSeconds(): number {
    return Math.floor(this.clock.now().getTime() / 1000);
  }

  private async getItem(key: ItemKey): Promise<Record<string, unknown> | undefined> {
    const result = await this.client.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
    const item = result.Item;
    if (!item || isExpired(item, this.nowSeconds())) return undefined;
    return item;
  }

  /** Runs a conditional write: true when it applied, false when its condition did not hold. */
  private async conditional(command: PutCommand | UpdateCommand): Promise<boolean> {
    try {
      await this.client.send(command as PutCommand);
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  private queryAll(input: QueryCommandInput): Promise<Record<string, unknown>[]> {
    return queryAllPages(this.client, input, this.queryPageSize);
  }

  /** BatchGetItem for any number of distinct keys: chunks of at most 100 keys, requested in parallel. */
  private async batchGetAll(keys: ItemKey[]): Promise<Record<string, unknown>[]> {
    const chunks: ItemKey[][] = [];
    for (let start = 0; start < keys.length; start += BATCH_GET_MAX_KEYS) chunks.push(keys.slice(start, start + BATCH_GET_MAX_KEYS));
    return (await Promise.all(chunks.map((chunk) => this.batchGet(chunk)))).flat();
  }

  /**
   * One BatchGetItem chunk, re-requesting `UnprocessedKeys` (DynamoDB returns some when a response passes
   * 16 MB or a partition is throttled) with capped exponential back-off and full jitter, as AWS recommends.
   */
  private async batchGet(keys: ItemKey[]): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let pending: Record<string, unknown>[] = keys.map((key) => ({ ...key }));
    for (let attempt = 1; ; attempt += 1) {
      const result = await this.client.send(
        new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } } }),
      );
      items.push(...(result.Responses?.[this.tableName] ?? []));
      pending = result.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      if (pending.length === 0) return items;
      if (attempt >= this.batchGetRetry.maxAttempts) {
        throw new Error(
          `BatchGetItem on ${this.tableName}: ${pending.length} of ${keys.length} keys still unprocessed after ${attempt} attempts (throttled); retry later`,
        );
      }
      const ceiling = Math.min(this.batchGetRetry.maxDelayMs, this.batchGetRetry.baseDelayMs * 2 ** (attempt - 1));
      await this.sleep(Math.floor(this.random() * ceiling));
    }
  }
}

/** The verdict keys of `digests` under one policy, each once: BatchGetItem rejects a request that names a key twice. */
function verdictKeys(digests: string[], policyHash: string): ItemKey[] {
  requireText('policyHash', policyHash);
  digests.forEach((digest) => requireText('digest', digest));
  return [...new Set(digests)].map((digest) => itemKeys.verdict(digest, policyHash));
}

async function decodeVerdicts(items: Record<string, unknown>[]): Promise<Map<string, StoredVerdict>> {
  const verdicts = new Map<string, StoredVerdict>();
  for (const verdict of await Promise.all(items.map(itemToVerdict))) verdicts.set(verdict.digest, verdict);
  return verdicts;
}

function requireText(name: string, value: unknown): void {
  if (typeof value !== 'string' || value.length === 0) {
    throw new TypeError(`DynamoGateStore: ${name} must be a non-empty string, got ${JSON.stringify(value)}`);
  }
}

function requireScanState(state: unknown): asserts state is ScanState {
  if (!SCAN_STATES.includes(state as ScanState)) {
    throw new TypeError(`DynamoGateStore: scan state must be one of ${SCAN_STATES.join(', ')}, got ${JSON.stringify(state)}`);
  }
}
