import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import 'aws-sdk-client-mock-jest';
import {
  ENTRY_BUDGET_BYTES,
  EventBridgeNotifier,
  EventPublishError,
  buildVerdictEntry,
  entrySizeBytes,
  type VerdictEventDetail,
} from '../../functions/adapters/eventbridge';
import type { VerdictEvent } from '../../functions/core/ports';
import { awsError, digestOf } from './sample-data';
import { assertProperty } from '../support/property';

const eventsMock = mockClient(EventBridgeClient);
const notifier = new EventBridgeNotifier({ client: new EventBridgeClient({ region: 'eu-west-1' }), eventBusName: 'security-events' });

const TASK = 'arn:aws:ecs:eu-west-1:123456789012:task/prod/0123456789abcdef0123456789abcdef';
const CLUSTER = 'arn:aws:ecs:eu-west-1:123456789012:cluster/prod';

function event(violationCount: number, messageLength = 80): VerdictEvent {
  return {
    decision: 'fail',
    mode: 'enforce',
    action: 'stopTask',
    rules: ['rootUser', 'vulnerabilities'],
    policy: { name: 'prod', hash: 'abc123' },
    cluster: CLUSTER,
    taskArn: TASK,
    taskDefinitionArn: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:12',
    images: [{ container: 'app', image: 'app:1', digest: digestOf(1), buildId: 'scan:1', reportLocation: 's3://r/k.json' }],
    violations: Array.from({ length: violationCount }, (_, n) => ({
      rule: 'vulnerabilities',
      kind: 'vulnerability',
      container: 'app',
      id: `CVE-2025-${10000 + n}`,
      severity: 'high',
      action: n % 2 === 0 ? 'warn' : 'deny',
      message: `m${n} `.padEnd(messageLength, 'x'),
    })),
  };
}

beforeEach(() => eventsMock.reset());

describe('publishVerdict', () => {
  it('sends one "Fargate Gate Verdict" entry from fargate-gate to the bus, with the verdict as detail', async () => {
    eventsMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e1' }] });
    const verdict = event(2);
    await notifier.publishVerdict(verdict);
    expect(eventsMock).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    const entries = eventsMock.commandCalls(PutEventsCommand)[0].args[0].input.Entries!;
    expect(entries).toHaveLength(1);
    expect(entries[0]).toEqual({
      Source: 'fargate-gate',
      DetailType: 'Fargate Gate Verdict',
      EventBusName: 'security-events',
      Resources: [TASK, CLUSTER],
      Detail: expect.any(String),
    });
    expect(JSON.parse(entries[0].Detail!)).toEqual(verdict);
  });

  it('lists only ARNs as resources', () => {
    const entry = buildVerdictEntry({ ...event(0), cluster: 'prod', taskArn: undefined }, 'bus');
    expect(entry).not.toHaveProperty('Resources');
  });

  it('throws when PutEvents reports a failed entry', async () => {
    eventsMock.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }] });
    const failure = notifier.publishVerdict(event(1));
    await expect(failure).rejects.toBeInstanceOf(EventPublishError);
    await expect(failure).rejects.toThrow(`PutEvents to security-events rejected the verdict event for ${TASK}: InternalFailure (try again)`);
  });

  it('passes on an error of the call itself', async () => {
    eventsMock.on(PutEventsCommand).rejects(awsError('ResourceNotFoundException', 'Event bus security-events does not exist.'));
    await expect(notifier.publishVerdict(event(1))).rejects.toThrow('does not exist');
  });
});

describe('buildVerdictEntry size limit', () => {
  it('keeps every violation when the entry fits', () => {
    const detail = JSON.parse(buildVerdictEntry(event(100), 'bus').Detail!) as VerdictEventDetail;
    expect(detail.violations).toHaveLength(100);
    expect(detail).not.toHaveProperty('violationsTruncated');
  });

  it('truncates violations to fit 256 KB, denials first, and says how many there were', () => {
    const big = event(5000, 200);
    expect(Buffer.byteLength(JSON.stringify(big))).toBeGreaterThan(ENTRY_BUDGET_BYTES * 3);
    const entry = buildVerdictEntry(big, 'bus');
    expect(entrySizeBytes(entry)).toBeLessThanOrEqual(ENTRY_BUDGET_BYTES);

    const detail = JSON.parse(entry.Detail!) as VerdictEventDetail;
    const included = detail.violations.length;
    expect(detail.violationsTruncated).toEqual({ total: 5000, included });
    expect(included).toBeGreaterThan(0);
    expect(detail.violations.every((violation) => violation.action === 'deny')).toBe(true);
    // As many as fit: one more would not.
    const oneMore = buildVerdictEntry({ ...big, violations: big.violations.filter((v) => v.action === 'deny').slice(0, included + 1) }, 'bus');
    expect(JSON.parse(oneMore.Detail!).violationsTruncated).toBeDefined();
  });

  it('computes the entry size the way EventBridge documents it', () => {
    expect(entrySizeBytes({ Source: 'ab', DetailType: 'c', Detail: '{"é":1}', Resources: ['r1', 'r2'] })).toBe(2 + 1 + 8 + 4);
    expect(entrySizeBytes({ Source: 'a', DetailType: 'b', Time: new Date() })).toBe(16);
  });
});

describe('buildVerdictEntry (property)', () => {
  it('never exceeds the budget and keeps denials before warnings', () => {
    assertProperty(
      fc.property(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 1, max: 2000 }), (count, messageLength) => {
        const source = event(count, messageLength);
        const entry = buildVerdictEntry(source, 'bus');
        expect(entrySizeBytes(entry)).toBeLessThanOrEqual(ENTRY_BUDGET_BYTES);
        const detail = JSON.parse(entry.Detail!) as VerdictEventDetail;
        if (detail.violationsTruncated) {
          expect(detail.violationsTruncated.total).toBe(count);
          const denials = source.violations.filter((violation) => violation.action === 'deny');
          const kept = detail.violations.length;
          expect(detail.violations).toEqual([...denials, ...source.violations.filter((v) => v.action !== 'deny')].slice(0, kept));
        } else {
          expect(detail.violations).toEqual(source.violations);
        }
      }),
      { numRuns: 40 },
    );
  });
});
