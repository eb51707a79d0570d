import { DeleteCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../core/ports';
import { findingStoreKey } from '../core/posture/finding-store-key';
import type { OpenFinding, OpenFindingStore } from '../core/posture/open-findings';
import type { Violation } from '../core/result/model';
import { isConditionalCheckFailed } from './aws-errors';
import { isExpired } from './dynamo-items';
import { queryAllPages } from './dynamo-query';
import { GATE_TABLE, digestPartition, type ItemKey } from './dynamo-table';

/**
 * Open findings in the gate's table: in the digest's partition (`digest#<digest>`), sort key
 * `finding#<rule>:<finding id>` (a long one hashed, finding-store-key.ts), so a digest's open findings are one Query beside its verdicts and waiters. The item
 * holds the finding as its opened event named it and `openedAt`; its TTL is the enforcement claims' retention (the
 * opened claim it stands beside expires as long after), so an item of a digest no longer judged goes away on its own.
 */
export const OPEN_FINDING_PREFIX = 'finding#';

export const openFindingKey = (digest: string, finding: Pick<Violation, 'rule' | 'id'>): ItemKey => ({
  pk: digestPartition(digest),
  // A long id is hashed (core/posture/finding-store-key.ts): a sort key is at most 1,024 bytes. The item keeps it whole.
  sk: `${OPEN_FINDING_PREFIX}${findingStoreKey(finding)}`,
});

const DAY_SECONDS = 24 * 60 * 60;
/** The default enforcement retention of DynamoGateStore: the opened claim lives as long. */
export const DEFAULT_OPEN_FINDING_SECONDS = 30 * DAY_SECONDS;

export interface DynamoOpenFindingOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  clock?: Clock;
  /** How long an item stays after it was written. Default 30 days. */
  retentionSeconds?: number;
  /** Told of an item that does not read; the list goes on without it. */
  onDamagedItem?: (description: string) => void;
}

const SYSTEM_CLOCK: Clock = { now: () => new Date() };

export class DynamoOpenFindingStore implements OpenFindingStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly clock: Clock;
  private readonly retentionSeconds: number;
  private readonly onDamagedItem?: (description: string) => void;

  constructor(options: DynamoOpenFindingOptions) {
    if (!options.tableName) throw new Error('DynamoOpenFindingStore: tableName is required');
    this.client = options.client;
    this.tableName = options.tableName;
    this.clock = options.clock ?? SYSTEM_CLOCK;
    this.retentionSeconds = options.retentionSeconds ?? DEFAULT_OPEN_FINDING_SECONDS;
    this.onDamagedItem = options.onDamagedItem;
  }

  private nowSeconds(): number {
    return Math.floor(this.clock.now().getTime() / 1000);
  }

  async listOpenFindings(digest: string): Promise<OpenFinding[]> {
    const items = await queryAllPages(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
      ExpressionAttributeNames: { '#pk': GATE_TABLE.partitionKey, '#sk': GATE_TABLE.sortKey },
      ExpressionAttributeValues: { ':pk': digestPartition(digest), ':prefix': OPEN_FINDING_PREFIX },
      ConsistentRead: true,
    });
    const now = this.nowSeconds();
    const open: OpenFinding[] = [];
    for (const item of items) {
      if (isExpired(item, now)) continue;
      const read = itemToOpenFinding(digest, item);
      if (read) open.push(read);
      else this.onDamagedItem?.(`open finding item sk=${JSON.stringify(item[GATE_TABLE.sortKey])} of ${digest} does not read`);
    }
    return open;
  }

  async recordOpenFinding(open: OpenFinding, options: { ifAbsent?: boolean } = {}): Promise<boolean> {
    const now = this.nowSeconds();
    const item = { ...openFindingKey(open.digest, open.finding), finding: open.finding, openedAt: open.openedAt, [GATE_TABLE.ttlAttribute]: now + this.retentionSeconds };
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ...(options.ifAbsent
            ? {
                ConditionExpression: 'attribute_not_exists(#pk) OR #expires <= :now',
                ExpressionAttributeNames: { '#pk': GATE_TABLE.partitionKey, '#expires': GATE_TABLE.ttlAttribute },
                ExpressionAttributeValues: { ':now': now },
              }
            : {}),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  async closeOpenFinding(digest: string, finding: Pick<Violation, 'rule' | 'id'>, openedAt: string): Promise<boolean> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: openFindingKey(digest, finding),
          ConditionExpression: '#openedAt = :openedAt',
          ExpressionAttributeNames: { '#openedAt': 'openedAt' },
          ExpressionAttributeValues: { ':openedAt': openedAt },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }
}

const isText = (value: unknown): value is string => typeof value === 'string' && value !== '';

/** The open finding an item holds, or undefined when it lacks what a resolved event needs. */
function itemToOpenFinding(digest: string, item: Record<string, unknown>): OpenFinding | undefined {
  const finding = item.finding as Record<string, unknown> | undefined;
  if (!finding || typeof finding !== 'object' || !isText(item.openedAt)) return undefined;
  const { rule, kind, id, severity, action, message, container, details } = finding;
  if (!isText(rule) || !isText(kind) || !isText(id) || !isText(severity) || !isText(action) || typeof message !== 'string') return undefined;
  const plainDetails: Record<string, string | number | boolean> = {};
  if (details && typeof details === 'object') {
    for (const [key, value] of Object.entries(details as Record<string, unknown>)) {
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') plainDetails[key] = value;
    }
  }
  return {
    digest,
    finding: {
      rule,
      kind: kind as Violation['kind'],
      id,
      severity: severity as Violation['severity'],
      action: action as Violation['action'],
      message,
      ...(isText(container) ? { container } : {}),
      ...(Object.keys(plainDetails).length > 0 ? { details: plainDetails } : {}),
    },
    openedAt: item.openedAt,
  };
}
