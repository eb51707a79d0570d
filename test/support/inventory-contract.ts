import type { InventoryStore, OpenClusterListing, ReconcileCursorStore, TaskUse } from '../../functions/core/posture/ports';

/**
 * The inventory's contract, run against every implementation (DynamoDB on dynalite, and memory), so the simulation
 * and the benchmark run on the semantics the deployed gate has. `open()` gives a fresh, empty store whose clock the
 * test sets with `setNow`.
 */
export interface InventoryUnderTest {
  store: InventoryStore & ReconcileCursorStore & OpenClusterListing;
  setNow(iso: string): void;
}

export const DIGEST_A = `sha256:${'a'.repeat(64)}`;
export const DIGEST_B = `sha256:${'b'.repeat(64)}`;
export const CLUSTER = 'arn:aws:ecs:eu-west-1:111122223333:cluster/prod';
export const OTHER_CLUSTER = 'arn:aws:ecs:eu-west-1:111122223333:cluster/batch';
export const taskArn = (n: number, cluster = 'prod') => `arn:aws:ecs:eu-west-1:111122223333:task/${cluster}/${String(n).padStart(32, '0')}`;

export function use(overrides: Partial<TaskUse> = {}): TaskUse {
  return {
    digest: DIGEST_A,
    taskArn: taskArn(1),
    cluster: CLUSTER,
    account: '111122223333',
    region: 'eu-west-1',
    service: 'web',
    deploymentId: 'ecs-svc/1234567890',
    taskDefinitionArn: 'arn:aws:ecs:eu-west-1:111122223333:task-definition/web:7',
    containers: [{ name: 'app', image: `111122223333.dkr.ecr.eu-west-1.amazonaws.com/web@${DIGEST_A}` }],
    firstSeenAt: '2026-12-01T10:00:00.000Z',
    lastSeenAt: '2026-12-01T10:00:00.000Z',
    source: 'taskEvent',
    ...overrides,
  };
}

export function describeInventoryContract(name: string, open: () => Promise<InventoryUnderTest>): void {
  describe(`${name}: the inventory contract`, () => {
    it('records a use and answers both questions with it: the uses of its digest, and the digests in use', async () => {
      const { store } = await open();
      await store.recordUse(use());
      await store.recordUse(use({ taskArn: taskArn(2), firstSeenAt: '2026-12-01T09:00:00.000Z', lastSeenAt: '2026-12-01T09:00:00.000Z' }));
      await store.recordUse(use({ digest: DIGEST_B, containers: [{ name: 'sidecar', image: `envoy@${DIGEST_B}` }] }));

      const uses = await store.listUsesOfDigest(DIGEST_A);
      expect(uses.map((u) => u.taskArn).sort()).toEqual([taskArn(1), taskArn(2)]);
      expect(uses.find((u) => u.taskArn === taskArn(1))).toEqual(use());
      expect(await store.listDigestsInUse()).toEqual([
        { digest: DIGEST_A, openTasks: 2, inUseSince: '2026-12-01T09:00:00.000Z' },
        { digest: DIGEST_B, openTasks: 1, inUseSince: '2026-12-01T10:00:00.000Z' },
      ]);
    });

    it('keeps the first sighting and advances the last one; an older sighting changes nothing', async () => {
      const { store } = await open();
      await store.recordUse(use());
      await store.recordUse(use({ firstSeenAt: '2026-12-01T11:00:00.000Z', lastSeenAt: '2026-12-01T11:00:00.000Z', source: 'reconciliation', taskDefinitionArn: 'arn:aws:ecs:eu-west-1:111122223333:task-definition/web:8' }));
      await store.recordUse(use({ firstSeenAt: '2026-12-01T10:30:00.000Z', lastSeenAt: '2026-12-01T10:30:00.000Z', taskDefinitionArn: 'arn:aws:ecs:eu-west-1:111122223333:task-definition/web:old' }));
      const [stored] = await store.listUsesOfDigest(DIGEST_A);
      expect(stored).toMatchObject({ firstSeenAt: '2026-12-01T10:00:00.000Z', lastSeenAt: '2026-12-01T11:00:00.000Z', source: 'taskEvent' });
      expect(stored.taskDefinitionArn).toMatch(/web:8$/);
    });

    it('closes every use of a stopped task, and a late RUNNING sighting does not reopen it', async () => {
      const { store } = await open();
      await store.recordUse(use());
      await store.recordUse(use({ digest: DIGEST_B }));
      await store.recordUse(use({ taskArn: taskArn(2) }));
      await store.closeTask(taskArn(1), '2026-12-01T12:00:00.000Z');

      expect((await store.listUsesOfDigest(DIGEST_A)).map((u) => u.taskArn)).toEqual([taskArn(2)]);
      expect(await store.listUsesOfDigest(DIGEST_B)).toEqual([]);
      expect(await store.listDigestsInUse()).toEqual([{ digest: DIGEST_A, openTasks: 1, inUseSince: '2026-12-01T10:00:00.000Z' }]);

      // The RUNNING event delivered late (after STOPPED), with a later time than any before it.
      await store.recordUse(use({ lastSeenAt: '2026-12-01T12:05:00.000Z' }));
      expect((await store.listUsesOfDigest(DIGEST_A)).map((u) => u.taskArn)).toEqual([taskArn(2)]);
      expect(await store.listOpenUsesInCluster(CLUSTER)).toHaveLength(1);
    });

    it('records a use closed when the STOPPED sighting comes first, and the RUNNING one after it cannot open it', async () => {
      const { store } = await open();
      await store.recordUse(use({ stoppedAt: '2026-12-01T12:00:00.000Z' }));
      await store.recordUse(use({ lastSeenAt: '2026-12-01T12:01:00.000Z' }));
      expect(await store.listUsesOfDigest(DIGEST_A)).toEqual([]);
      expect(await store.listDigestsInUse()).toEqual([]);
    });

    it('closes an open use with a STOPPED sighting that names the digest, keeping its first and last seen', async () => {
      const { store } = await open();
      await store.recordUse(use());
      await store.recordUse(use({ firstSeenAt: '2026-12-01T12:00:00.000Z', lastSeenAt: '2026-12-01T12:00:00.000Z', stoppedAt: '2026-12-01T12:00:00.000Z' }));
      expect(await store.listDigestsInUse()).toEqual([]);
      // Closing again (a redelivered STOPPED event) is no error.
      await store.recordUse(use({ stoppedAt: '2026-12-01T12:30:00.000Z' }));
      await store.closeTask(taskArn(1), '2026-12-01T12:40:00.000Z');
    });

    it('treats closing a task it never saw as no error, and records nothing for it', async () => {
      const { store } = await open();
      await store.closeTask(taskArn(9), '2026-12-01T12:00:00.000Z');
      expect(await store.listDigestsInUse()).toEqual([]);
    });

    it('lists the open uses of one cluster only', async () => {
      const { store } = await open();
      await store.recordUse(use());
      await store.recordUse(use({ taskArn: taskArn(3, 'batch'), cluster: OTHER_CLUSTER }));
      expect((await store.listOpenUsesInCluster(OTHER_CLUSTER)).map((u) => u.taskArn)).toEqual([taskArn(3, 'batch')]);
      expect((await store.listOpenUsesInCluster(CLUSTER)).map((u) => u.taskArn)).toEqual([taskArn(1)]);
      await store.recordUse(use({ taskArn: taskArn(4) }));
      await store.closeTask(taskArn(4), '2026-12-01T12:00:00.000Z');
      expect((await store.listOpenUses()).map((u) => u.taskArn).sort()).toEqual([taskArn(1), taskArn(3, 'batch')].sort());
    });

    it('keeps the owner facts of a use (exposure, task definition tags); a later sighting without them keeps them', async () => {
      const { store } = await open();
      const exposure = { value: 'public' as const, source: 'a public IP is assigned (RunTask networkConfiguration)' };
      await store.recordUse(use({ exposure, taskDefinitionTags: { team: 'payments', 'cost-centre': '42' } }));
      await store.recordUse(use({ lastSeenAt: '2026-12-01T11:00:00.000Z', source: 'reconciliation' }));
      const [stored] = await store.listUsesOfDigest(DIGEST_A);
      expect(stored).toMatchObject({ lastSeenAt: '2026-12-01T11:00:00.000Z', exposure, taskDefinitionTags: { team: 'payments', 'cost-centre': '42' } });
    });

    it('leaves out owner facts that do not read and holds tags to ECS\'s limits, recording the use all the same', async () => {
      const { store } = await open();
      const tags = Object.fromEntries([['long', 'v'.repeat(257)], ...Array.from({ length: 60 }, (_, i) => [`t${i}`, `${i}`])]);
      await store.recordUse(use({ exposure: { value: 'everywhere', source: 7 } as unknown as TaskUse['exposure'], taskDefinitionTags: tags }));
      const [stored] = await store.listUsesOfDigest(DIGEST_A);
      expect(stored.exposure).toBeUndefined();
      expect(Object.keys(stored.taskDefinitionTags ?? {})).toHaveLength(50);
      expect(stored.taskDefinitionTags?.long).toBeUndefined();
    });

    it('lists the clusters with open uses, each once and sorted, across accounts; a cluster whose uses all closed is not listed', async () => {
      const { store } = await open();
      const memberCluster = 'arn:aws:ecs:eu-west-1:444455556666:cluster/prod';
      await store.recordUse(use());
      await store.recordUse(use({ digest: DIGEST_B }));
      await store.recordUse(use({ taskArn: 'arn:aws:ecs:eu-west-1:444455556666:task/prod/0123456789abcdef', cluster: memberCluster, account: '444455556666' }));
      await store.recordUse(use({ taskArn: taskArn(3, 'batch'), cluster: OTHER_CLUSTER }));
      expect(await store.listOpenClusters()).toEqual([OTHER_CLUSTER, CLUSTER, memberCluster].sort());
      await store.closeTask(taskArn(3, 'batch'), '2026-12-01T12:00:00.000Z');
      expect(await store.listOpenClusters()).toEqual([CLUSTER, memberCluster].sort());
    });

    it('normalises times, so a sighting in another ISO form still orders correctly', async () => {
      const { store } = await open();
      await store.recordUse(use({ lastSeenAt: '2026-12-01T10:00:00Z', firstSeenAt: '2026-12-01T11:00:00+01:00' }));
      await store.recordUse(use({ lastSeenAt: '2026-12-01T10:00:00.000Z' }));
      const [stored] = await store.listUsesOfDigest(DIGEST_A);
      expect(stored).toMatchObject({ firstSeenAt: '2026-12-01T10:00:00.000Z', lastSeenAt: '2026-12-01T10:00:00.000Z' });
    });

    it('rejects a use without a digest or with a time that is not ISO-8601, naming the field', async () => {
      const { store } = await open();
      await expect(store.recordUse(use({ digest: '' }))).rejects.toThrow(/digest must be a non-empty string/);
      await expect(store.recordUse(use({ lastSeenAt: 'yesterday' }))).rejects.toThrow(/lastSeenAt must be an ISO-8601 time/);
      await expect(store.closeTask(taskArn(1), '12/01/2026'))
        .rejects.toThrow(/stoppedAt must be an ISO-8601 time/);
      expect(await store.listDigestsInUse()).toEqual([]);
    });

    it('forgets a closed use after the retention, but never an open one', async () => {
      const { store, setNow } = await open();
      await store.recordUse(use());
      await store.recordUse(use({ taskArn: taskArn(2), stoppedAt: '2026-12-01T12:00:00.000Z' }));
      setNow('2026-12-20T00:00:00.000Z');
      // The closed use is gone: a second STOPPED or RUNNING sighting of it after its expiry changes nothing visible.
      expect((await store.listUsesOfDigest(DIGEST_A)).map((u) => u.taskArn)).toEqual([taskArn(1)]);
    });

    it('names the launcher on the open uses of a task only, and takes a task it does not know without error', async () => {
      const { store } = await open();
      await store.recordUse(use({ taskArn: taskArn(1) }));
      await store.recordUse(use({ taskArn: taskArn(2) }));
      await store.recordUse(use({ taskArn: taskArn(3) }));
      await store.closeTask(taskArn(3), '2026-12-01T11:00:00.000Z');
      await store.nameLauncher(taskArn(1), 'arn:aws:iam::111122223333:role/deployer');
      await store.nameLauncher(taskArn(3), 'arn:aws:iam::111122223333:role/deployer');
      await store.nameLauncher(taskArn(9), 'arn:aws:iam::111122223333:role/deployer');
      const named = await store.listUsesOfDigest(DIGEST_A);
      expect(named.map((found) => [found.taskArn, found.launchedBy])).toEqual([
        [taskArn(1), 'arn:aws:iam::111122223333:role/deployer'],
        [taskArn(2), undefined],
      ]);
    });

    it('keeps the reconciliation cursor, and forgets it when told', async () => {
      const { store } = await open();
      expect(await store.getReconcileCursor()).toBeUndefined();
      await store.putReconcileCursor({ passStartedAt: '2026-12-01T10:00:00.000Z', cluster: CLUSTER, nextToken: 'token-2' });
      expect(await store.getReconcileCursor()).toEqual({ passStartedAt: '2026-12-01T10:00:00.000Z', cluster: CLUSTER, nextToken: 'token-2' });
      await store.putReconcileCursor({ passStartedAt: '2026-12-01T10:00:00.000Z', cluster: CLUSTER, closeAfter: 'arn:aws:ecs:eu-west-1:111122223333:task/prod/1' });
      expect(await store.getReconcileCursor()).toEqual({ passStartedAt: '2026-12-01T10:00:00.000Z', cluster: CLUSTER, closeAfter: 'arn:aws:ecs:eu-west-1:111122223333:task/prod/1' });
      await store.putReconcileCursor(undefined);
      expect(await store.getReconcileCursor()).toBeUndefined();
    });
  });
}
