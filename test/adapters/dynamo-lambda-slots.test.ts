import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoLambdaComputeSlots, LAMBDA_SLOTS_PARTITION } from '../../functions/adapters/dynamo-lambda-slots';
import type { LambdaComputeSlotsPort } from '../../functions/core/gate/lambda-overflow';
import { MemoryLambdaComputeSlots } from '../../functions/local/memory-lambda-slots';
import { useGateTable } from '../support/dynalite';

const table = useGateTable();
const START = Date.parse('2026-01-05T09:00:00Z');
const MINUTE = 60_000;

/** A clock the test moves, shared by the slots and their leases. */
function clock() {
  let now = START;
  return { now: () => new Date(now), advance: (ms: number) => void (now += ms), ms: () => now };
}

async function dynamoSlots(time = clock(), random = () => 0): Promise<{ slots: DynamoLambdaComputeSlots; time: ReturnType<typeof clock>; tableName: string }> {
  const tableName = await table.freshTable();
  return { slots: new DynamoLambdaComputeSlots({ client: table.fixture().documents, tableName, clock: time, random }), time, tableName };
}

const holder = (n: number) => ({ scanId: `scan-${n}`, digest: `sha256:${String(n).padStart(64, '0')}` });

/** The rules both implementations keep (core/gate/lambda-overflow.ts `LambdaComputeSlotsPort`). */
async function contract(slots: LambdaComputeSlotsPort, time: ReturnType<typeof clock>): Promise<void> {
  const lease = time.ms() + 20 * MINUTE;
  expect(await slots.claim(holder(1), 2, lease)).toBe(true);
  expect(await slots.claim(holder(2), 2, lease)).toBe(true);
  // Full at the limit.
  expect(await slots.claim(holder(3), 2, lease)).toBe(false);
  // The holder of a slot gets it again (a retried start of the same scan), without taking a second one.
  expect(await slots.claim(holder(1), 2, lease)).toBe(true);
  expect(await slots.claim(holder(3), 3, lease)).toBe(true);
  expect(await slots.claim(holder(4), 3, lease)).toBe(false);
  // A release frees that scan's slot only; releasing a scan that holds none changes nothing.
  await slots.release('scan-404');
  expect(await slots.claim(holder(4), 3, lease)).toBe(false);
  await slots.release('scan-2');
  expect(await slots.claim(holder(4), 3, lease)).toBe(true);
  // A lease that ran out is free to take, however the release was lost.
  time.advance(21 * MINUTE);
  expect(await slots.claim(holder(5), 3, time.ms() + 20 * MINUTE)).toBe(true);
  // A lowered limit: the slots at or above it are not taken.
  expect(await slots.claim(holder(6), 1, time.ms() + 20 * MINUTE)).toBe(false);
}

/** A Lambda build started without a slot (both full) holds an overflow lease above the limit that counts against it. */
async function overflowContract(slots: LambdaComputeSlotsPort, time: ReturnType<typeof clock>): Promise<void> {
  const lease = time.ms() + 20 * MINUTE;
  expect(await slots.claim(holder(1), 1, lease)).toBe(true);
  await slots.claimOverflow(holder(2), 1, lease);
  // The slot holder ends: the overflow lease still occupies the one place.
  await slots.release('scan-1');
  expect(await slots.claim(holder(3), 1, lease)).toBe(false);
  // A retried overflow claim of the same scan takes no second lease: one release frees the place.
  await slots.claimOverflow(holder(2), 1, lease);
  await slots.release('scan-2');
  expect(await slots.claim(holder(3), 1, lease)).toBe(true);
  expect(await slots.claim(holder(4), 1, lease)).toBe(false);
  // Two overflow leases at once take different indices, each counted.
  await slots.claimOverflow(holder(5), 1, lease);
  await slots.claimOverflow(holder(6), 1, lease);
  await slots.release('scan-3');
  await slots.release('scan-5');
  expect(await slots.claim(holder(4), 1, lease)).toBe(false);
  await slots.release('scan-6');
  expect(await slots.claim(holder(4), 1, lease)).toBe(true);
  // An overflow lease that ran out counts no more.
  await slots.claimOverflow(holder(7), 1, lease);
  await slots.release('scan-4');
  time.advance(21 * MINUTE);
  expect(await slots.claim(holder(8), 1, time.ms() + 20 * MINUTE)).toBe(true);
}

/** A lowered limit: live leases at or above it count against it until they end. */
async function loweredLimitContract(slots: LambdaComputeSlotsPort, time: ReturnType<typeof clock>): Promise<void> {
  const lease = time.ms() + 20 * MINUTE;
  for (const n of [1, 2, 3]) expect(await slots.claim(holder(n), 3, lease)).toBe(true);
  await slots.release('scan-1');
  // Slot 0 is free, but two builds at slots 1 and 2 still run: with the limit now 1, Lambda compute is full.
  expect(await slots.claim(holder(4), 1, lease)).toBe(false);
  await slots.release('scan-2');
  expect(await slots.claim(holder(4), 1, lease)).toBe(false);
  await slots.release('scan-3');
  expect(await slots.claim(holder(4), 1, lease)).toBe(true);
}

describe('DynamoLambdaComputeSlots (dynalite)', () => {
  it('holds an overflow lease above the limit that counts against it until released or run out', async () => {
    const { slots, time } = await dynamoSlots();
    await overflowContract(slots, time);
  });

  it('counts live leases at or above a lowered limit against it', async () => {
    const { slots, time } = await dynamoSlots();
    await loweredLimitContract(slots, time);
  });

  it('never gives more places than the limit to claims racing each other while an overflow lease is live', async () => {
    const { slots, tableName, time } = await dynamoSlots();
    for (const n of [1, 2, 3]) expect(await slots.claim(holder(n), 3, time.ms() + 20 * MINUTE)).toBe(true);
    await slots.claimOverflow(holder(4), 3, time.ms() + 20 * MINUTE);
    await slots.release('scan-1');
    await slots.release('scan-2');
    // Two places free below the limit, one of them taken by the overflow lease: one claimer of twelve wins.
    const claimers = Array.from({ length: 12 }, (_, n) => new DynamoLambdaComputeSlots({ client: table.fixture().documents, tableName, clock: time, random: () => n / 12 }));
    const won = await Promise.all(claimers.map((claimer, n) => claimer.claim(holder(10 + n), 3, time.ms() + 20 * MINUTE)));
    expect(won.filter(Boolean)).toHaveLength(1);
  });

  it('keeps the slot rules: full at the limit, re-claim by the holder, release, expired leases, a lowered limit', async () => {
    const { slots, time } = await dynamoSlots();
    await contract(slots, time);
  });

  it('never gives more slots than the limit to claims racing each other (conditional writes), however many', async () => {
    const { tableName } = await dynamoSlots();
    const time = clock();
    // Each claimer its own adapter (its own Lambda invocation), all starting at the same slot.
    const claimers = Array.from({ length: 12 }, () => new DynamoLambdaComputeSlots({ client: table.fixture().documents, tableName, clock: time, random: () => 0 }));
    const won = await Promise.all(claimers.map((slots, n) => slots.claim(holder(n), 3, time.ms() + 20 * MINUTE)));
    expect(won.filter(Boolean)).toHaveLength(3);
    // And the table holds exactly three slots, each with a different winner.
    const items = await table.fixture().documents.send(new (await import('@aws-sdk/lib-dynamodb')).QueryCommand({ TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': LAMBDA_SLOTS_PARTITION } }));
    expect(new Set(items.Items?.map((item) => item.holder)).size).toBe(3);
    expect(items.Items?.map((item) => item.sk).sort()).toEqual(['slot#0', 'slot#1', 'slot#2']);
  });

  it('keeps a slot another scan took after a lease ran out: the late release of the first holder leaves it alone', async () => {
    const { slots, time } = await dynamoSlots();
    expect(await slots.claim(holder(1), 1, time.ms() + MINUTE)).toBe(true);
    time.advance(2 * MINUTE);
    expect(await slots.claim(holder(2), 1, time.ms() + 20 * MINUTE)).toBe(true);
    await slots.release('scan-1');
    expect(await slots.claim(holder(3), 1, time.ms() + 20 * MINUTE)).toBe(false);
  });

  it('takes a damaged slot item (no holder, no lease) as free, and writes a TTL a day past the lease', async () => {
    const { slots, time, tableName } = await dynamoSlots();
    await table.fixture().documents.send(new PutCommand({ TableName: tableName, Item: { pk: LAMBDA_SLOTS_PARTITION, sk: 'slot#0', holder: 42 } }));
    const lease = time.ms() + 20 * MINUTE;
    expect(await slots.claim(holder(1), 1, lease)).toBe(true);
    const { GetCommand } = await import('@aws-sdk/lib-dynamodb');
    const item = (await table.fixture().documents.send(new GetCommand({ TableName: tableName, Key: { pk: LAMBDA_SLOTS_PARTITION, sk: 'slot#0' } }))).Item;
    expect(item).toMatchObject({ holder: 'scan-1', leaseUntil: lease, expiresAt: Math.ceil(lease / 1000) + 86_400 });
  });

  it('refuses a claim without a scan id, and a construction without a table name', async () => {
    const { slots } = await dynamoSlots();
    await expect(slots.claim({ scanId: '', digest: 'x' }, 1, START)).rejects.toThrow(/needs the scan id/);
    expect(() => new DynamoLambdaComputeSlots({ client: table.fixture().documents, tableName: '' })).toThrow(/tableName is required/);
  });
});

describe('MemoryLambdaComputeSlots', () => {
  it('keeps the same rules as the DynamoDB adapter', async () => {
    const time = clock();
    await contract(new MemoryLambdaComputeSlots(time), time);
  });

  it('keeps the same overflow-lease and lowered-limit rules as the DynamoDB adapter', async () => {
    const time = clock();
    await overflowContract(new MemoryLambdaComputeSlots(time), time);
    const again = clock();
    await loweredLimitContract(new MemoryLambdaComputeSlots(again), again);
  });
});

describe('MemoryLambdaComputeSlots in the simulation', () => {
  it('counts each claim and release as the DynamoDB call it stands for', async () => {
    const { ActivityLog, AWS_API_OF } = await import('../../functions/local/activity');
    const time = clock();
    const activity = new ActivityLog(time.now);
    const slots = new MemoryLambdaComputeSlots(time, activity);
    await slots.claim(holder(1), 1, time.ms() + MINUTE);
    await slots.release('scan-1');
    expect(activity.counts().byMethod).toMatchObject({ 'lambdaSlots.claim': 1, 'lambdaSlots.release': 1 });
    expect(activity.awsCallTotal()).toBe(2);
    expect([AWS_API_OF['lambdaSlots.claim'], AWS_API_OF['lambdaSlots.release']]).toEqual(['dynamodb:PutItem', 'dynamodb:DeleteItem']);
  });
});
