import { GetCommand, PutCommand, DeleteCommand, UpdateCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { DigestInUse, InventoryStore, ReconcileCursor, ReconcileCursorStore, TaskUse } from '../core/posture/ports';
import { normaliseTaskUse, normaliseTime, summariseDigestsInUse } from '../core/posture/uses';
import { isConditionalCheckFailed } from './aws-errors';
import { INDEX, OPEN_USES_PARTITION, USE_PREFIX, cursorToItem, inventoryKeys, itemToCursor, itemToUse, openUseSortKey, taskUsePartition, useFacts } from './dynamo-inventory-items';
import { queryAllPages } from './dynamo-query';
import { CorruptItemError } from './dynamo-items';
import { GATE_TABLE } from './dynamo-table';
import { withZod } from '../io/zod-loader';

const DAY_SECONDS = 24 * 60 * 60;

export interface DynamoInventoryOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  /** How long a closed use stays readable before TTL removes it. Default 7 days. */
  closedUseSeconds?: number;
  /** Page size of the queries; DynamoDB's own 1 MB pages when unset. */
  queryPageSize?: number;
  /** Told of each use item a list skips because it does not read (the caller logs it); the list goes on without it. */
  onDamagedItem?: (error: CorruptItemError) => void;
}

export const DEFAULT_CLOSED_USE_SECONDS = 7 * DAY_SECONDS;

/**
 * `InventoryStore` on the gate's table (layout in dynamo-inventory-items.ts). Each sighting is one UpdateItem per
 * (task, digest), conditional so that order does not matter: a use once closed stays closed (a late or redelivered
 * RUNNING event, or a reconciliation that listed the task just before it stopped, changes nothing), and an older
 * sighting never moves `lastSeenAt` back. A failed condition is the answer, not an error. No read filters on the TTL:
 * only open uses are ever listed, and open uses carry none.
 */
export class DynamoInventoryStore implements InventoryStore, ReconcileCursorStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly closedUseSeconds: number;
  private readonly queryPageSize?: number;
  private readonly onDamagedItem?: (error: CorruptItemError) => void;
  /** Use items the lists skipped because they do not read (since this store was made): one damaged item is not fatal. */
  damagedItemsSkipped = 0;

  constructor(options: DynamoInventoryOptions) {
    if (!options.tableName) throw new Error('DynamoInventoryStore: tableName is required');
    this.client = options.client;
    this.tableName = options.tableName;
    this.closedUseSeconds = options.closedUseSeconds ?? DEFAULT_CLOSED_USE_SECONDS;
    this.queryPageSize = options.queryPageSize;
    this.onDamagedItem = options.onDamagedItem;
  }

  /**
   * The open uses among listed items. An item that does not read is skipped and counted, not thrown: one damaged item
   * must not fail every reconciliation run and every in-use report (it stays in the table for an operator to look at).
   */
  private openUsesOf(items: Record<string, unknown>[]): TaskUse[] {
    const uses: TaskUse[] = [];
    for (const item of items) {
      try {
        const use = itemToUse(item);
        if (use.stoppedAt === undefined) uses.push(use);
      } catch (error) {
        if (!(error instanceof CorruptItemError)) throw error;
        this.damagedItemsSkipped += 1;
        this.onDamagedItem?.(error);
      }
    }
    return uses;
  }

  async recordUse(given: TaskUse): Promise<void> {
    const use = normaliseTaskUse(given);
    const names: Record<string, string> = { '#first': 'firstSeenAt', '#last': 'lastSeenAt', '#source': 'source', '#stopped': 'stoppedAt' };
    const values: Record<string, unknown> = { ':first': use.firstSeenAt, ':last': use.lastSeenAt, ':source': use.source };
    const set = ['#first = if_not_exists(#first, :first)', '#source = if_not_exists(#source, :source)'];
    Object.entries(useFacts(use)).forEach(([field, value], index) => {
      names[`#f${index}`] = field;
      values[`:f${index}`] = value;
      set.push(`#f${index} = :f${index}`);
    });
    names['#gpk'] = INDEX.partitionKey;
    names['#gsk'] = INDEX.sortKey;
    let update: string;
    let condition: string;
    if (use.stoppedAt === undefined) {
      values[':open'] = OPEN_USES_PARTITION;
      values[':gsk'] = openUseSortKey(use.digest, use.taskArn);
      set.push('#last = :last', '#gpk = :open', '#gsk = :gsk');
      update = `SET ${set.join(', ')}`;
      // Never reopen; never move last seen back (an older sighting of an open use changes nothing).
      condition = 'attribute_not_exists(#stopped) AND (attribute_not_exists(#last) OR #last <= :last)';
    } else {
      names['#expires'] = GATE_TABLE.ttlAttribute;
      values[':stopped'] = use.stoppedAt;
      values[':expires'] = this.expiryOf(use.stoppedAt);
      set.push('#last = if_not_exists(#last, :last)', '#stopped = :stopped', '#expires = :expires');
      update = `SET ${set.join(', ')} REMOVE #gpk, #gsk`;
      condition = 'attribute_not_exists(#stopped)';
    }
    await this.conditional(
      new UpdateCommand({
        TableName: this.tableName,
        Key: inventoryKeys.use(use.taskArn, use.digest),
        UpdateExpression: update,
        ConditionExpression: condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }

  /** One Query of the task's partition (its uses only), then one conditional UpdateItem per open use. */
  async nameLauncher(taskArn: string, launchedBy: string): Promise<void> {
    requireText('taskArn', taskArn);
    requireText('launchedBy', launchedBy);
    await this.updateOpenUses(taskArn, { expression: 'SET #launchedBy = :launchedBy', names: { '#launchedBy': 'launchedBy' }, values: { ':launchedBy': launchedBy } });
  }

  /** The task's use items (keys and `stoppedAt` only): one consistent Query of its partition. */
  private async queryTaskUses(taskArn: string): Promise<Record<string, unknown>[]> {
    return this.queryAll({
      TableName: this.tableName,
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :use)',
      ExpressionAttributeNames: { '#pk': GATE_TABLE.partitionKey, '#sk': GATE_TABLE.sortKey, '#stopped': 'stoppedAt' },
      ExpressionAttributeValues: { ':pk': taskUsePartition(taskArn), ':use': USE_PREFIX },
      ProjectionExpression: '#pk, #sk, #stopped',
      ConsistentRead: true,
    });
  }

  /** One Query of the task's partition (its uses only), then one conditional UpdateItem per use still open. */
  async closeTask(taskArn: string, stoppedAt: string): Promise<void> {
    requireText('taskArn', taskArn);
    const stopped = normaliseTime(`closeTask(${taskArn}): stoppedAt`, stoppedAt);
    await this.updateOpenUses(taskArn, {
      expression: 'SET #stopped = :stopped, #expires = :expires REMOVE #gpk, #gsk',
      names: { '#expires': GATE_TABLE.ttlAttribute, '#gpk': INDEX.partitionKey, '#gsk': INDEX.sortKey },
      values: { ':stopped': stopped, ':expires': this.expiryOf(stopped) },
    });
  }

  /**
   * One update of every use of the task still open (closeTask, nameLauncher): each conditional on the use existing and
   * not being closed, so a use closed meanwhile is left as it is.
   */
  private async updateOpenUses(taskArn: string, update: { expression: string; names: Record<string, string>; values: Record<string, unknown> }): Promise<void> {
    const open = (await this.queryTaskUses(taskArn)).filter((item) => item.stoppedAt === undefined);
    await Promise.all(
      open.map((item) =>
        this.conditional(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { [GATE_TABLE.partitionKey]: item[GATE_TABLE.partitionKey], [GATE_TABLE.sortKey]: item[GATE_TABLE.sortKey] },
            UpdateExpression: update.expression,
            ConditionExpression: 'attribute_exists(#pk) AND attribute_not_exists(#stopped)',
            ExpressionAttributeNames: { '#pk': GATE_TABLE.partitionKey, '#stopped': 'stoppedAt', ...update.names },
            ExpressionAttributeValues: update.values,
          }),
        ),
      ),
    );
  }

  /** One Query of the open-use index, over the digest's key range (eventually consistent, as every GSI read). */
  async listUsesOfDigest(digest: string): Promise<TaskUse[]> {
    requireText('digest', digest);
    const items = await this.queryOpen({ prefix: `${digest}#` });
    return withZod(() => this.openUsesOf(items));
  }

  /** One (paginated) Query of the open-use index, reading only the three attributes the summary needs. */
  async listDigestsInUse(): Promise<DigestInUse[]> {
    const items = await this.queryOpen({ projection: ['digest', 'firstSeenAt', 'stoppedAt'] });
    return summariseDigestsInUse(
      items.flatMap((item) => (typeof item.digest === 'string' && typeof item.firstSeenAt === 'string' ? [{ digest: item.digest, firstSeenAt: item.firstSeenAt, ...(typeof item.stoppedAt === 'string' ? { stoppedAt: item.stoppedAt } : {}) }] : [])),
    );
  }

  /** The open-use index, filtered on the cluster: read once per cluster and reconciliation run. */
  /** The whole open-use index, once: what the reconciliation reads per run (a cluster filter would cost the same). */
  async listOpenUses(): Promise<TaskUse[]> {
    const items = await this.queryOpen({});
    return withZod(() => this.openUsesOf(items));
  }

  async listOpenUsesInCluster(cluster: string): Promise<TaskUse[]> {
    requireText('cluster', cluster);
    const items = await this.queryOpen({ cluster });
    return withZod(() => this.openUsesOf(items));
  }

  /** The clusters with at least one open use, sorted: one (paginated) Query of the open-use index reading only `cluster`. */
  async listOpenClusters(): Promise<string[]> {
    const items = await this.queryOpen({ projection: ['cluster'] });
    return [...new Set(items.flatMap((item) => (typeof item.cluster === 'string' && item.cluster.length > 0 ? [item.cluster] : [])))].sort();
  }

  async getReconcileCursor(): Promise<ReconcileCursor | undefined> {
    const result = await this.client.send(new GetCommand({ TableName: this.tableName, Key: inventoryKeys.cursor(), ConsistentRead: true }));
    const item = result.Item;
    return item ? withZod(() => itemToCursor(item)) : undefined;
  }

  async putReconcileCursor(cursor: ReconcileCursor | undefined): Promise<void> {
    if (cursor === undefined) await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: inventoryKeys.cursor() }));
    else await this.client.send(new PutCommand({ TableName: this.tableName, Item: cursorToItem(cursor) }));
  }

  private expiryOf(stoppedAt: string): number {
    return Math.floor(Date.parse(stoppedAt) / 1000) + this.closedUseSeconds;
  }

  private queryOpen(options: { prefix?: string; cluster?: string; projection?: string[] }): Promise<Record<string, unknown>[]> {
    const names: Record<string, string> = { '#gpk': INDEX.partitionKey };
    const values: Record<string, unknown> = { ':open': OPEN_USES_PARTITION };
    let keyCondition = '#gpk = :open';
    if (options.prefix !== undefined) {
      names['#gsk'] = INDEX.sortKey;
      values[':prefix'] = options.prefix;
      keyCondition += ' AND begins_with(#gsk, :prefix)';
    }
    const input: QueryCommandInput = { TableName: this.tableName, IndexName: INDEX.name, KeyConditionExpression: keyCondition, ExpressionAttributeNames: names, ExpressionAttributeValues: values };
    if (options.cluster !== undefined) {
      names['#cluster'] = 'cluster';
      values[':cluster'] = options.cluster;
      input.FilterExpression = '#cluster = :cluster';
    }
    if (options.projection) {
      options.projection.forEach((field, index) => (names[`#p${index}`] = field));
      input.ProjectionExpression = options.projection.map((_, index) => `#p${index}`).join(', ');
    }
    return this.queryAll(input);
  }

  private queryAll(input: QueryCommandInput): Promise<Record<string, unknown>[]> {
    return queryAllPages(this.client, input, this.queryPageSize);
  }

  private async conditional(command: UpdateCommand): Promise<boolean> {
    try {
      await this.client.send(command);
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }
}

function requireText(name: string, value: unknown): void {
  if (typeof value !== 'string' || value.length === 0) throw new TypeError(`DynamoInventoryStore: ${name} must be a non-empty string, got ${JSON.stringify(value)}`);
}
