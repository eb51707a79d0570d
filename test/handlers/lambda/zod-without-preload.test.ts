import { Writable } from 'node:stream';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoGateStore } from '../../../functions/adapters/dynamo-gate-store';
import { itemKeys } from '../../../functions/adapters/dynamo-table';
import { forgetZod, zodProvided } from '../../../functions/core/zod-on-demand';
import { createGate } from '../../../functions/handlers/gate';
import { createLogger } from '../../../functions/handlers/logger';
import { useGateTable } from '../../support/dynalite';
import { createWorld, policyOf } from '../support/fakes';
import { buildEvent, digestOf, hookPayload, taskEvent } from '../support/scenario';

/*
 * This file runs in jest's "lambda paths" project (jest.config.js), with no zod preloaded, as in a Lambda function:
 * malformed input of each kind the gate and the hook read must load zod on demand (`withZod`) and come out with zod's
 * own message. A reader called raw on one of these paths would stop with ZodNotLoaded instead.
 */
const providedAtStart = zodProvided();
const NOT_LOADED = /zod is not loaded|ZodNotLoaded/;
const DIGEST = digestOf('web');
const policy = policyOf();
const table = useGateTable();

function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { logger: createLogger({ destination }), lines };
}

describe('the gate and hook read malformed input with no zod preloaded', () => {
  beforeEach(() => forgetZod());

  it('runs in a project without the preload (else this file proves nothing)', () => {
    expect(providedAtStart).toBe(false);
  });

  it('a task event with a number for its task ARN: ignored as malformed, with zod\'s message', async () => {
    const event = taskEvent({ family: 'web', containers: [{ name: 'web', image: 'nginx:1', imageDigest: DIGEST }] });
    (event.detail as Record<string, unknown>).taskArn = 42;
    const result = await createGate(createWorld().deps(policy)).handleEvent(event);
    expect(result).toEqual({ kind: 'ignored', malformed: true, reason: 'malformed ECS Task State Change at detail.taskArn: expected a string, got the number 42' });
    expect(zodProvided()).toBe(true);
  });

  it('a Build State Change of the scan project with a malformed detail: zod\'s message', async () => {
    const event = buildEvent('fargate-gate-scan:1', 'SUCCEEDED');
    (event.detail as Record<string, unknown>)['build-status'] = 42;
    const result = await createGate(createWorld().deps(policy)).handleEvent(event);
    expect(result).toEqual({ kind: 'ignored', malformed: true, reason: 'malformed CodeBuild Build State Change at detail["build-status"]: expected a string, got the number 42' });
    expect(zodProvided()).toBe(true);
  });

  it('a hook payload with a malformed revision ARN: unreadable, with zod\'s message in the log', async () => {
    const payload = hookPayload();
    (payload.executionDetails as Record<string, unknown>).targetServiceRevisionArn = 7;
    const { logger, lines } = capturedLogger();
    const world = createWorld();
    const answer = await createGate({ ...world.deps(policy), logger }).handleHook(payload);
    // The test policy's onScanError is deny: a payload the gate cannot read fails the revision.
    expect(answer).toEqual({ hookStatus: 'FAILED' });
    expect(lines).toContainEqual(expect.objectContaining({ msg: 'lifecycle hook payload unreadable', reason: 'malformed lifecycle hook payload at executionDetails.targetServiceRevisionArn: expected a string, got the number 7' }));
    expect(zodProvided()).toBe(true);
  });

  it('DynamoDB items that are not plain: verdict, scan and waiter items fail with zod\'s message', async () => {
    const tableName = await table.freshTable();
    const documents = table.fixture().documents;
    const store = new DynamoGateStore({ client: documents, tableName });
    await documents.send(new PutCommand({ TableName: tableName, Item: { ...itemKeys.verdict(DIGEST, 'p1'), digest: DIGEST, policyHash: 'p1', scannedAt: 5, expiresAt: 9_999_999_999, assessmentJson: '{}' } }));
    await documents.send(new PutCommand({ TableName: tableName, Item: { ...itemKeys.scan(DIGEST), digest: DIGEST, state: 'flying' } }));
    await documents.send(new PutCommand({ TableName: tableName, Item: { ...itemKeys.waiter(DIGEST, 'arn:aws:ecs:eu-west-1:123456789012:task/prod/1'), digest: DIGEST, taskArn: 3 } }));
    const reads: [string, () => Promise<unknown>][] = [
      ['verdict', () => store.getVerdict(DIGEST, 'p1')],
      ['scan', () => store.getScan(DIGEST)],
      ['waiter', () => store.listWaiters(DIGEST)],
    ];
    for (const [kind, read] of reads) {
      forgetZod();
      const error = await read().then(() => new Error(`the ${kind} item was read`), (e: unknown) => e);
      expect(error).toMatchObject({ name: 'CorruptItemError', message: expect.stringMatching(new RegExp(`is not a valid ${kind} item: ✖ Invalid input: expected string, received (number|undefined)`)) });
      expect(String(error)).not.toMatch(NOT_LOADED);
      expect(zodProvided()).toBe(true);
    }
  });
});
