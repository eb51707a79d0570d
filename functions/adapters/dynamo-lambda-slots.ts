import { DeleteCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { claimableSlots, overflowSlots, type LambdaComputeSlotsPort, type LambdaSlotReading } from '../core/gate/lambda-overflow';
import type { Clock } from '../core/ports';
import { isConditionalCheckFailed } from './aws-errors';
import { queryAllPages } from './dynamo-query';
import { GATE_TABLE } from './dynamo-table';

/**
 * The Lambda-compute slots (core/gate/lambda-overflow.ts) in the gate's table: one partition, one item per slot.
 *
 * | item        | pk               | sk         | attributes                                   | expires (TTL `expiresAt`) |
 * |-------------|------------------|------------|----------------------------------------------|---------------------------|
 * | lambda slot | `lambda-compute` | `slot#<n>` | `holder` (scan id), `digest`, `leaseUntil` ms | lease end + 1 day         |
 *
 * A claim reads the partition (one strongly consistent Query of at most `limit` small items), then puts a free slot
 * under the condition that it is still free, expired, or the claimer's own: two invocations that read the same free
 * slot cannot both win it (DynamoDB condition expressions, "Condition expressions" in the DynamoDB Developer Guide,
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html). The loser
 * tries the next free slot it read; with none left, Lambda compute is full. A Lambda build started without a slot (both
 * full) holds an overflow lease at an index at or above the limit, which claims count as occupying a place. The TTL only tidies the table: a lease past
 * `leaseUntil` is free whether or not DynamoDB deleted the item.
 */
export const LAMBDA_SLOTS_PARTITION = 'lambda-compute';
const SLOT_PREFIX = 'slot#';
const TIDY_AFTER_SECONDS = 24 * 60 * 60;

export interface DynamoLambdaComputeSlotsOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  clock?: Clock;
  /** In [0, 1): where among the free slots a claim starts; `Math.random` by default. */
  random?: () => number;
}

export class DynamoLambdaComputeSlots implements LambdaComputeSlotsPort {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly clock: Clock;
  private readonly random: () => number;

  constructor(options: DynamoLambdaComputeSlotsOptions) {
    if (!options.tableName) throw new Error('DynamoLambdaComputeSlots: tableName is required');
    this.client = options.client;
    this.tableName = options.tableName;
    this.clock = options.clock ?? { now: () => new Date() };
    this.random = options.random ?? Math.random;
  }

  async claim(holder: { scanId: string; digest: string }, limit: number, leaseUntilMs: number): Promise<boolean> {
    if (!holder.scanId) throw new Error('DynamoLambdaComputeSlots: a claim needs the scan id');
    const now = this.clock.now().getTime();
    for (const index of claimableSlots(await this.readSlots(), limit, holder.scanId, now, this.random())) {
      if (await this.put(index, holder, leaseUntilMs, now)) return true;
    }
    return false;
  }

  async claimOverflow(holder: { scanId: string; digest: string }, limit: number, leaseUntilMs: number): Promise<void> {
    if (!holder.scanId) throw new Error('DynamoLambdaComputeSlots: a claim needs the scan id');
    // Another overflow lease may take an index between the read and the write: read again and try the next ones.
    for (let round = 0; round < 3; round += 1) {
      const now = this.clock.now().getTime();
      for (const index of overflowSlots(await this.readSlots(), limit, holder.scanId, now)) {
        if (await this.put(index, holder, leaseUntilMs, now)) return;
      }
    }
    throw new Error('DynamoLambdaComputeSlots: no overflow lease could be written (every index tried was taken meanwhile)');
  }

  /** Puts the slot `index` for `holder` if it is free, expired or already the holder's; false when another holds it. */
  private async put(index: number, holder: { scanId: string; digest: string }, leaseUntilMs: number, now: number): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            [GATE_TABLE.partitionKey]: LAMBDA_SLOTS_PARTITION,
            [GATE_TABLE.sortKey]: `${SLOT_PREFIX}${index}`,
            holder: holder.scanId,
            digest: holder.digest,
            leaseUntil: leaseUntilMs,
            [GATE_TABLE.ttlAttribute]: Math.ceil(leaseUntilMs / 1000) + TIDY_AFTER_SECONDS,
          },
          // Free (no item, or one without a holder or lease: damaged), expired, or already this scan's.
          ConditionExpression: 'attribute_not_exists(#pk) OR attribute_not_exists(#holder) OR attribute_not_exists(#leaseUntil) OR #leaseUntil <= :now OR #holder = :holder',
          ExpressionAttributeNames: { '#pk': GATE_TABLE.partitionKey, '#leaseUntil': 'leaseUntil', '#holder': 'holder' },
          ExpressionAttributeValues: { ':now': now, ':holder': holder.scanId },
        }),
      );
      return true;
    } catch (error) {
      // Taken by another invocation since the read: the caller tries the next free slot.
      if (!isConditionalCheckFailed(error)) throw error;
      return false;
    }
  }

  async release(scanId: string): Promise<void> {
    if (!scanId) return;
    for (const slot of (await this.readSlots()).filter((reading) => reading.holder === scanId)) {
      try {
        await this.client.send(
          new DeleteCommand({
            TableName: this.tableName,
            Key: { [GATE_TABLE.partitionKey]: LAMBDA_SLOTS_PARTITION, [GATE_TABLE.sortKey]: `${SLOT_PREFIX}${slot.index}` },
            // Only while it is still this scan's: its lease may have run out and another scan taken the slot.
            ConditionExpression: '#holder = :holder',
            ExpressionAttributeNames: { '#holder': 'holder' },
            ExpressionAttributeValues: { ':holder': scanId },
          }),
        );
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw error;
      }
    }
  }

  /** Every slot item; an item that does not read as a slot (damaged, hand-edited) holds nothing and is free to take. */
  private async readSlots(): Promise<LambdaSlotReading[]> {
    const items = await queryAllPages(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': GATE_TABLE.partitionKey },
      ExpressionAttributeValues: { ':pk': LAMBDA_SLOTS_PARTITION },
      ConsistentRead: true,
    });
    return items.flatMap((item) => {
      const sk = item[GATE_TABLE.sortKey];
      const index = typeof sk === 'string' && /^slot#(0|[1-9]\d{0,6})$/.test(sk) ? Number(sk.slice(SLOT_PREFIX.length)) : undefined;
      if (index === undefined || typeof item.holder !== 'string' || typeof item.leaseUntil !== 'number') return [];
      return [{ index, holder: item.holder, leaseUntilMs: item.leaseUntil }];
    });
  }
}
