import fc from 'fast-check';
import { ManualClock } from '../../functions/local/clock';
import { ActivityLog, AWS_API_OF } from '../../functions/local/activity';
import { MemoryGateStore } from '../../functions/local/memory-store';
import type { ScanRecord, StoredVerdict } from '../../functions/core/ports';
import { assertProperty } from '../support/property';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const OTHER = `sha256:${'b'.repeat(64)}`;
const TASK = 'arn:aws:ecs:us-east-1:123456789012:task/prod/0123456789abcdef0123456789abcdef';
/** Private helpers of the store: not port calls. */
const PLUMBING = ['scanExpiry', 'expired', 'nowSeconds', 'count'];

function setup() {
  const clock = new ManualClock('2026-01-05T09:00:00Z');
  const activity = new ActivityLog(() => clock.now());
  return { clock, activity, store: new MemoryGateStore(clock, activity) };
}

function scan(overrides: Partial<ScanRecord> = {}): ScanRecord {
  return {
    digest: DIGEST,
    imageReference: `123456789012.dkr.ecr.us-east-1.amazonaws.com/app@${DIGEST}`,
    scanId: 'scan-1',
    state: 'queued',
    attempts: 0,
    startedAt: '2026-01-05T09:00:00.000Z',
    deadline: '2026-01-05T09:30:00.000Z',
    ...overrides,
  };
}

function verdict(overrides: Partial<StoredVerdict> = {}): StoredVerdict {
  return {
    digest: DIGEST,
    policyHash: 'p1',
    assessment: { facts: { repoDigests: [], hasImageConfig: true, envNames: [] }, provenance: { scanner: 'trivy' }, candidates: [], scannerSaysRoot: false },
    scannedAt: '2026-01-05T09:00:00.000Z',
    expiresAt: Date.parse('2026-02-05T09:00:00Z') / 1000,
    ...overrides,
  };
}

describe('MemoryGateStore', () => {
  it('claims a scan exactly once per digest, however many callers race', async () => {
    const { store } = setup();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.claimScan(scan({ scanId: `scan-${i}` }))));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await store.getScan(DIGEST))?.scanId).toBe(`scan-${results.indexOf(true)}`);
  });

  it('lets a scan that ended in error be claimed again, but not a running or finished one', async () => {
    const { store } = setup();
    await store.claimScan(scan());
    expect(await store.updateScan(DIGEST, { state: 'queued', scanId: 'scan-1' }, { state: 'running', buildId: 'b1' })).toBe(true);
    expect(await store.claimScan(scan({ scanId: 'again' }))).toBe(false);
    expect(await store.updateScan(DIGEST, { state: 'running', scanId: 'scan-1' }, { state: 'error', error: 'pull denied' })).toBe(true);
    // Only by naming the failed scan it replaces: a claim that read nothing does not take over an error.
    expect(await store.claimScan(scan({ scanId: 'blind' }))).toBe(false);
    expect(await store.claimScan(scan({ scanId: 'retry' }), { scanId: 'scan-1' })).toBe(true);
    expect((await store.getScan(DIGEST))?.scanId).toBe('retry');
    expect(await store.updateScan(DIGEST, { state: 'queued', scanId: 'retry' }, { state: 'done' })).toBe(true);
    expect(await store.claimScan(scan({ scanId: 'third' }))).toBe(false);
  });

  it('lets a finished scan record be claimed again once its retention has passed, and hides it from reads', async () => {
    const { store, clock } = setup();
    await store.claimScan(scan());
    await store.updateScan(DIGEST, { state: 'queued', scanId: 'scan-1' }, { state: 'done' });
    clock.advance(31 * 24 * 3_600_000);
    expect(await store.getScan(DIGEST)).toBeUndefined();
    expect(await store.claimScan(scan({ scanId: 'fresh' }))).toBe(true);
  });

  it('applies updateScan only to the scan it names: a finisher of an older scan loses to the scan claimed since', async () => {
    const store = new MemoryGateStore(new ManualClock('2026-01-05T09:00:00Z'));
    await store.claimScan(scan({ scanId: 'old' }));
    expect(await store.updateScan(DIGEST, { state: 'queued', scanId: 'old' }, { state: 'running', buildId: 'b-old' })).toBe(true);
    expect(await store.updateScan(DIGEST, { state: 'running', scanId: 'old', buildId: 'b-old' }, { state: 'error', error: 'FAILED' })).toBe(true);
    expect(await store.claimScan(scan({ scanId: 'new', attempts: 1 }), { scanId: 'old' })).toBe(true);
    expect(await store.updateScan(DIGEST, { state: 'queued', scanId: 'new' }, { state: 'running', buildId: 'b-new' })).toBe(true);

    expect(await store.updateScan(DIGEST, { state: 'running', scanId: 'old', buildId: 'b-old' }, { state: 'error', error: 'FAILED' })).toBe(false);
    expect(await store.getScan(DIGEST)).toMatchObject({ scanId: 'new', state: 'running', buildId: 'b-new', attempts: 1 });
    expect(await store.updateScan(DIGEST, { state: 'running', scanId: 'new', buildId: 'b-other' }, { state: 'done' })).toBe(false);
    expect(await store.updateScan(DIGEST, { state: 'running', scanId: 'new', buildId: 'b-new' }, { state: 'done' })).toBe(true);
  });

  it('lets a claim replace only the failed scan it read: not a newer failure whose back-off still runs', async () => {
    const store = new MemoryGateStore(new ManualClock('2026-01-05T09:00:00Z'));
    await store.claimScan(scan({ scanId: 'first' }));
    expect(await store.updateScan(DIGEST, { state: 'queued', scanId: 'first' }, { state: 'error', error: 'FAILED', attempts: 1, retryAt: '2026-01-05T09:10:00.000Z' })).toBe(true);
    // Claimers A and B both read the first error. B wins, and its retry fails too: a longer back-off, two attempts.
    expect(await store.claimScan(scan({ scanId: 'retry-b', attempts: 1 }), { scanId: 'first' })).toBe(true);
    expect(await store.updateScan(DIGEST, { state: 'queued', scanId: 'retry-b' }, { state: 'error', error: 'FAILED', attempts: 2, retryAt: '2026-01-05T09:30:00.000Z' })).toBe(true);
    // A claims on what it read: it loses, and the newer error with its back-off stands.
    expect(await store.claimScan(scan({ scanId: 'retry-a', attempts: 1 }), { scanId: 'first' })).toBe(false);
    expect(await store.getScan(DIGEST)).toMatchObject({ scanId: 'retry-b', state: 'error', attempts: 2, retryAt: '2026-01-05T09:30:00.000Z' });
    expect(await store.claimScan(scan({ scanId: 'retry-c', attempts: 2 }), { scanId: 'retry-b' })).toBe(true);
  });

  it('applies updateScan only in the expected state, clears optional fields given as undefined and keeps required ones', async () => {
    const { store } = setup();
    await store.claimScan(scan({ retryAt: '2026-01-05T09:05:00.000Z' }));
    expect(await store.updateScan(DIGEST, { state: 'running', scanId: 'scan-1' }, { state: 'done' })).toBe(false);
    expect(await store.updateScan(OTHER, { state: 'queued', scanId: 'scan-1' }, { state: 'running' })).toBe(false);
    expect(await store.updateScan(DIGEST, { state: 'queued', scanId: 'scan-1' }, { state: 'running', retryAt: undefined, scanId: undefined, buildId: 'b1' })).toBe(true);
    const stored = await store.getScan(DIGEST);
    expect(stored).toMatchObject({ state: 'running', buildId: 'b1', scanId: 'scan-1' });
    expect(stored).not.toHaveProperty('retryAt');
    await expect(store.updateScan(DIGEST, { state: 'running', scanId: 'scan-1' }, { digest: OTHER } as never)).rejects.toThrow(/cannot change digest/);
  });

  it('keeps the count of failed attempts at finishing a scan for the sweep, and clears it when the scan ends', async () => {
    const { store } = setup();
    await store.claimScan(scan({ state: 'running', buildId: 'b1' }));
    expect(await store.updateScan(DIGEST, { state: 'running', scanId: 'scan-1' }, { finishFailures: 2, error: 'finishing the scan failed 2 times in a row: denied' })).toBe(true);
    expect(await store.listUnfinishedScans()).toEqual([expect.objectContaining({ digest: DIGEST, finishFailures: 2 })]);
    expect(await store.updateScan(DIGEST, { state: 'running', scanId: 'scan-1' }, { state: 'error', error: 'gave up', finishFailures: undefined })).toBe(true);
    expect(await store.getScan(DIGEST)).not.toHaveProperty('finishFailures');
  });

  it('truncates a scan error to 2000 characters, as the DynamoDB store does', async () => {
    const { store } = setup();
    await store.claimScan(scan());
    await store.updateScan(DIGEST, { state: 'queued', scanId: 'scan-1' }, { state: 'error', error: 'x'.repeat(5000) });
    expect((await store.getScan(DIGEST))?.error).toHaveLength(2000);
  });

  it('lists only queued and running scans for the sweep', async () => {
    const { store } = setup();
    await store.claimScan(scan());
    await store.claimScan(scan({ digest: OTHER, state: 'running' }));
    expect((await store.listUnfinishedScans()).map((s) => s.digest)).toEqual([DIGEST, OTHER]);
    await store.updateScan(OTHER, { state: 'running', scanId: 'scan-1' }, { state: 'done' });
    expect((await store.listUnfinishedScans()).map((s) => s.digest)).toEqual([DIGEST]);
  });

  it('keeps the highest task version and refuses equal or older ones', async () => {
    await assertProperty(
      fc.asyncProperty(fc.array(fc.nat({ max: 50 }), { minLength: 1, maxLength: 30 }), async (versions) => {
        const { store } = setup();
        let highest = -1;
        for (const version of versions) {
          const advanced = await store.advanceTaskVersion(TASK, version);
          expect(advanced).toBe(version > highest);
          highest = Math.max(highest, version);
        }
        expect(store.inspect.taskVersion(TASK)).toBe(highest);
      }),
    );
  });

  it('rejects a version that is not a non-negative integer', async () => {
    const { store } = setup();
    await expect(store.advanceTaskVersion(TASK, -1)).rejects.toThrow(TypeError);
    await expect(store.advanceTaskVersion(TASK, 1.5)).rejects.toThrow(TypeError);
  });

  it('keeps waiters per digest, the first seenAt, and the latest other facts', async () => {
    const { store } = setup();
    const base = { digest: DIGEST, taskArn: TASK, cluster: 'arn:aws:ecs:us-east-1:123456789012:cluster/prod', taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/app:1' };
    await store.addWaiter({ ...base, seenAt: '2026-01-05T09:00:00.000Z' });
    await store.addWaiter({ ...base, seenAt: '2026-01-05T09:01:00.000Z', launchedBy: 'arn:aws:iam::123456789012:user/dana', service: 'web' });
    await store.addWaiter({ ...base, digest: OTHER, seenAt: '2026-01-05T09:02:00.000Z' });
    expect(await store.listWaiters(DIGEST)).toEqual([{ ...base, seenAt: '2026-01-05T09:00:00.000Z', launchedBy: 'arn:aws:iam::123456789012:user/dana', service: 'web' }]);
    await store.removeWaiter(DIGEST, TASK);
    expect(await store.listWaiters(DIGEST)).toEqual([]);
    expect(await store.listWaiters(OTHER)).toHaveLength(1);
  });

  it('says whether addWaiter created the waiter (false for the same task again, true again once the old one expired)', async () => {
    const { store, clock } = setup();
    const waiter = { digest: DIGEST, taskArn: TASK, cluster: 'c', taskDefinitionArn: 't', seenAt: '2026-01-05T09:00:00.000Z' };
    expect(await store.addWaiter(waiter)).toBe(true);
    expect(await store.addWaiter({ ...waiter, service: 'web' })).toBe(false);
    expect(await store.addWaiter({ ...waiter, digest: OTHER })).toBe(true);
    clock.advance(2 * 24 * 3_600_000 + 1000);
    expect(await store.addWaiter(waiter)).toBe(true);
  });

  it('forgets a waiter after two days without a refresh', async () => {
    const { store, clock } = setup();
    await store.addWaiter({ digest: DIGEST, taskArn: TASK, cluster: 'c', taskDefinitionArn: 't', seenAt: '2026-01-05T09:00:00.000Z' });
    clock.advance(2 * 24 * 3_600_000 + 1000);
    expect(await store.listWaiters(DIGEST)).toEqual([]);
  });

  it('records an enforcement once per key', async () => {
    const { store } = setup();
    const record = { key: `task#${TASK}`, action: 'stopTask', decision: 'fail' as const, at: '2026-01-05T09:00:00.000Z' };
    expect(await store.claimEnforcement(record)).toBe(true);
    expect(await store.claimEnforcement({ ...record, action: 'other' })).toBe(false);
    expect(store.inspect.enforcements()).toEqual([record]);
  });

  it('reads the latest live verdict of a digest under any policy', async () => {
    const { store, clock, activity } = setup();
    await store.putVerdict(verdict({ policyHash: 'p1', scannedAt: '2026-01-05T09:00:00.000Z' }));
    await store.putVerdict(verdict({ policyHash: 'p2', scannedAt: '2026-01-05T10:00:00.000Z' }));
    await store.putVerdict(verdict({ policyHash: 'p3', scannedAt: '2026-01-05T11:00:00.000Z', expiresAt: clock.millis() / 1000 - 1 }));
    await store.putVerdict(verdict({ digest: OTHER, policyHash: 'p4', scannedAt: '2026-01-05T12:00:00.000Z' }));
    const before = activity.counts().byMethod;
    expect(await store.getLatestVerdict(DIGEST)).toMatchObject({ digest: DIGEST, policyHash: 'p2' });
    // As the DynamoDB store pays it: one Query of the keys, one GetItem of the latest.
    expect(activity.counts().byMethod['store.getLatestVerdict']).toBe((before['store.getLatestVerdict'] ?? 0) + 1);
    expect(activity.counts().byMethod['store.getVerdict']).toBe((before['store.getVerdict'] ?? 0) + 1);
    expect(await store.getLatestVerdict(`sha256:${'c'.repeat(64)}`)).toBeUndefined();
  });

  it('reads verdicts in one batch, leaves out missing and expired ones, and round-trips values as JSON', async () => {
    const { store, clock, activity } = setup();
    await store.putVerdict(verdict({ buildId: undefined }));
    await store.putVerdict(verdict({ digest: OTHER, expiresAt: clock.millis() / 1000 + 60 }));
    const third = `sha256:${'c'.repeat(64)}`;
    clock.advance(120_000);
    const before = activity.counts().byMethod['store.getVerdicts'] ?? 0;
    const found = await store.getVerdicts([DIGEST, OTHER, third, DIGEST], 'p1');
    expect(activity.counts().byMethod['store.getVerdicts']).toBe(before + 1);
    expect([...found.keys()]).toEqual([DIGEST]);
    expect(found.get(DIGEST)).not.toHaveProperty('buildId');
    expect(await store.getVerdict(DIGEST, 'other-policy')).toBeUndefined();
  });

  it('reads the verdicts of a task and its launcher together, leaving out what is missing or past its TTL', async () => {
    const { store, clock } = setup();
    await store.putVerdict(verdict());
    await store.putVerdict(verdict({ digest: OTHER, expiresAt: clock.millis() / 1000 + 60 }));
    await store.rememberLauncher(TASK, 'arn:aws:iam::123456789012:user/dana');

    const both = await store.getVerdictsForTask([DIGEST, OTHER, DIGEST], 'p1', TASK);
    expect([...both.verdicts.keys()].sort()).toEqual([DIGEST, OTHER]);
    expect(both.launcher).toBe('arn:aws:iam::123456789012:user/dana');
    expect(both.verdicts.get(DIGEST)).toEqual(await store.getVerdict(DIGEST, 'p1'));

    const unknownTask = await store.getVerdictsForTask([DIGEST], 'p1', `${TASK}0`);
    expect(unknownTask).not.toHaveProperty('launcher');
    expect(unknownTask.verdicts.size).toBe(1);

    clock.advance(120_000);
    expect([...(await store.getVerdictsForTask([DIGEST, OTHER], 'p1', TASK)).verdicts.keys()]).toEqual([DIGEST]);
    // The launcher lives as long as other task facts (30 days): past that it reads as absent while the verdict still serves.
    clock.advance(30 * 24 * 3_600_000);
    expect(await store.getVerdictsForTask([DIGEST], 'p1', TASK)).toEqual({ verdicts: new Map([[DIGEST, verdict()]]) });
    clock.advance(24 * 3_600_000);
    expect(await store.getVerdictsForTask([DIGEST], 'p1', TASK)).toEqual({ verdicts: new Map() });
    expect(await store.getVerdictsForTask([], 'p1', TASK)).toEqual({ verdicts: new Map() });
  });

  it('rejects a task verdict read without a task, policy or digest', async () => {
    const { store } = setup();
    await expect(store.getVerdictsForTask([DIGEST], 'p1', '')).rejects.toThrow(/taskArn/);
    await expect(store.getVerdictsForTask([DIGEST], '', TASK)).rejects.toThrow(/policyHash/);
    await expect(store.getVerdictsForTask([''], 'p1', TASK)).rejects.toThrow(/digest/);
  });

  it('releases an enforcement claim so the next claim under its key wins again; releasing nothing is no error', async () => {
    const { store } = setup();
    const record = { key: `task#${TASK}`, action: 'stopTask', decision: 'fail' as const, at: '2026-01-05T09:00:00.000Z' };
    const other = { ...record, key: `task#${TASK}0` };
    await store.claimEnforcement(record);
    await store.claimEnforcement(other);
    await store.releaseEnforcement(record.key);
    expect(store.inspect.enforcements()).toEqual([other]);
    expect(await store.claimEnforcement({ ...record, action: 'again' })).toBe(true);
    expect(await store.claimEnforcement(record)).toBe(false);
    await store.releaseEnforcement('task#never-claimed');
    await expect(store.releaseEnforcement('')).rejects.toThrow(TypeError);
  });

  it('never shares objects with its callers', async () => {
    const { store } = setup();
    const record = scan();
    await store.claimScan(record);
    record.state = 'done';
    const read = await store.getScan(DIGEST);
    expect(read?.state).toBe('queued');
    (read as ScanRecord).state = 'error';
    expect((await store.getScan(DIGEST))?.state).toBe('queued');
  });

  it('rejects empty keys as the DynamoDB store does', async () => {
    const { store } = setup();
    await expect(store.getVerdict('', 'p1')).rejects.toThrow(TypeError);
    await expect(store.claimScan(scan({ digest: '' }))).rejects.toThrow(TypeError);
    await expect(store.claimScan(scan({ state: 'bogus' as never }))).rejects.toThrow(/scan state/);
  });

  it('counts every call as the DynamoDB operation it stands for', async () => {
    const { store, activity } = setup();
    await store.getVerdicts([DIGEST], 'p1');
    await store.claimScan(scan());
    await store.rememberLauncher(TASK, 'arn:aws:iam::123456789012:user/dana');
    expect(await store.getLauncher(TASK)).toBe('arn:aws:iam::123456789012:user/dana');
    expect(activity.counts()).toEqual({
      byMethod: { 'store.claimScan': 1, 'store.getLauncher': 1, 'store.getVerdicts': 1, 'store.rememberLauncher': 1 },
      aws: 4,
    });
  });

  it('counts a task verdict read as one BatchGetItem and a release as one DeleteItem', async () => {
    const { store, activity } = setup();
    await store.putVerdict(verdict());
    await store.rememberLauncher(TASK, 'arn:aws:iam::123456789012:user/dana');
    const before = activity.awsCallTotal();
    await store.getVerdictsForTask([DIGEST, OTHER, `sha256:${'c'.repeat(64)}`], 'p1', TASK);
    expect(activity.awsCallTotal()).toBe(before + 1);
    await store.releaseEnforcement(`task#${TASK}`);
    expect(activity.awsCallTotal()).toBe(before + 2);
    expect(activity.counts().byMethod).toMatchObject({ 'store.getVerdictsForTask': 1, 'store.releaseEnforcement': 1 });
    expect(activity.counts().byMethod).not.toHaveProperty('store.getLauncher');
    expect(AWS_API_OF['store.getVerdictsForTask']).toBe('dynamodb:BatchGetItem');
    expect(AWS_API_OF['store.releaseEnforcement']).toBe('dynamodb:DeleteItem');
  });

  it('maps every GateStore method it implements to the DynamoDB operation it stands for', () => {
    const { store } = setup();
    const methods = Object.getOwnPropertyNames(MemoryGateStore.prototype).filter(
      (name) => name !== 'constructor' && typeof (store as unknown as Record<string, unknown>)[name] === 'function' && !name.startsWith('live'),
    );
    const unmapped = methods.filter((name) => !(`store.${name}` in AWS_API_OF) && !PLUMBING.includes(name));
    expect(unmapped).toEqual([]);
  });
});
