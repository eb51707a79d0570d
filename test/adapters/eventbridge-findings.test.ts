import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { ENTRY_BUDGET_BYTES, EventPublishError, entrySizeBytes } from '../../functions/adapters/eventbridge';
import { EventBridgeFindingEvents, FINDING_EVENT_DETAIL_TYPE, buildFindingEntry } from '../../functions/adapters/eventbridge-findings';
import type { FindingEvent } from '../../functions/core/posture/findings';
import { digestOf } from './sample-data';

const eventsMock = mockClient(EventBridgeClient);
const publisher = new EventBridgeFindingEvents({ client: new EventBridgeClient({ region: 'eu-west-1' }), eventBusName: 'security-events' });
const DIGEST = digestOf(3);

function event(uses = 1, taskArnLength = 90): FindingEvent {
  return {
    state: 'opened',
    correlationId: `finding#${DIGEST}#vulnerabilities:CVE-2025-1000#hash`,
    digest: DIGEST,
    policy: { name: 'production', hash: 'hash' },
    finding: { rule: 'vulnerabilities', id: 'CVE-2025-1000', severity: 'critical', message: 'openssl: something bad' },
    exploit: { matchedBy: ['knownExploited'], knownExploited: 'CISA KEV catalogue', epss: 0.9 },
    uses: Array.from({ length: uses }, (_, i) => ({
      cluster: 'arn:aws:ecs:eu-west-1:123456789012:cluster/prod',
      service: 'web',
      taskDefinitionArn: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:1',
      taskArn: `arn:aws:ecs:eu-west-1:123456789012:task/prod/${String(i).padStart(taskArnLength, '0')}`,
      exposure: 'unknown' as const,
    })),
    totalUses: uses,
    owners: [],
    ownerTags: {},
    clusters: ['arn:aws:ecs:eu-west-1:123456789012:cluster/prod'],
    services: ['arn:aws:ecs:eu-west-1:123456789012:cluster/prod/web'],
    taskDefinitions: ['arn:aws:ecs:eu-west-1:123456789012:task-definition/web:1'],
    exposure: 'unknown',
    exposureCounts: { public: 0, internal: 0, unknown: uses },
    at: '2026-01-06T09:00:00.000Z',
  };
}

beforeEach(() => eventsMock.reset());

describe('EventBridgeFindingEvents', () => {
  it('puts one "Fargate Gate Finding" event from source fargate-gate on the bus, the finding as its detail', async () => {
    eventsMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: '1' }] });
    await publisher.publishFinding(event());
    expect(eventsMock).toHaveReceivedCommandWith(PutEventsCommand, {
      Entries: [{ Source: 'fargate-gate', DetailType: FINDING_EVENT_DETAIL_TYPE, EventBusName: 'security-events', Detail: JSON.stringify(event()) }],
    });
    expect(FINDING_EVENT_DETAIL_TYPE).toBe('Fargate Gate Finding');
  });

  it('throws when PutEvents rejects the entry in a 200 response, naming the finding and the error', async () => {
    eventsMock.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }] });
    await expect(publisher.publishFinding(event())).rejects.toThrow(EventPublishError);
    await expect(publisher.publishFinding(event())).rejects.toThrow(/CVE-2025-1000.*InternalFailure \(try again\)/);
  });

  it('drops the owner tags when the entry is over the budget without uses, rather than lose the event', () => {
    // Task definitions may carry 50 tags of up to 128 + 256 characters: 50 keys with 50 values each are far over 256 KB.
    const ownerTags = Object.fromEntries(Array.from({ length: 50 }, (_, k) => [`key-${k}`.padEnd(128, 'k'), Array.from({ length: 50 }, (_, v) => `${v}`.padEnd(256, 'v'))]));
    const entry = buildFindingEntry({ ...event(1), ownerTags }, 'bus');
    expect(entrySizeBytes(entry)).toBeLessThanOrEqual(ENTRY_BUDGET_BYTES);
    const detail = JSON.parse(entry.Detail ?? '{}') as FindingEvent;
    expect(detail.ownerTags).toEqual({});
    expect(detail.finding.id).toBe('CVE-2025-1000');
    expect(detail.services).toEqual(['arn:aws:ecs:eu-west-1:123456789012:cluster/prod/web']);
  });

  it('drops uses until the entry fits the budget, keeping totalUses', () => {
    const big = event(3000);
    const entry = buildFindingEntry(big, 'bus');
    expect(entrySizeBytes(entry)).toBeLessThanOrEqual(ENTRY_BUDGET_BYTES);
    const detail = JSON.parse(entry.Detail ?? '{}') as FindingEvent;
    expect(detail.uses.length).toBeGreaterThan(0);
    expect(detail.uses.length).toBeLessThan(3000);
    expect(detail.totalUses).toBe(3000);
  });
});
