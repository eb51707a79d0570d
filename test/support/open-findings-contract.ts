import { openFindingOf, type OpenFindingStore } from '../../functions/core/posture/open-findings';
import type { Violation } from '../../functions/core/result/model';

/**
 * The open-finding store's contract, run against every implementation (DynamoDB on dynalite, and memory), so the
 * simulation runs on the semantics the deployed gate has. `open()` gives a fresh, empty store whose clock the test
 * moves with `advanceSeconds`.
 */
export interface OpenFindingsUnderTest {
  store: OpenFindingStore;
  advanceSeconds(seconds: number): void;
}

export const DIGEST = `sha256:${'c'.repeat(64)}`;
export const OTHER_DIGEST = `sha256:${'d'.repeat(64)}`;

export function violation(id: string, overrides: Partial<Violation> = {}): Violation {
  return {
    rule: 'vulnerabilities',
    kind: 'vulnerability',
    id,
    severity: 'critical',
    action: 'deny',
    message: `${id} in openssl`,
    details: { package: 'openssl', installedVersion: '3.0.1-r0', fixedVersion: '3.0.2-r0', epss: 0.91 },
    ...overrides,
  };
}

const T1 = '2026-12-01T10:00:00.000Z';
const T2 = '2026-12-02T10:00:00.000Z';

export function describeOpenFindingContract(name: string, open: () => Promise<OpenFindingsUnderTest>, retentionSeconds: number): void {
  describe(`${name}: the open-finding contract`, () => {
    it('lists the findings recorded open for the digest, as recorded, and no other digest\'s', async () => {
      const { store } = await open();
      await store.recordOpenFinding(openFindingOf(DIGEST, violation('CVE-2026-0001'), T1));
      await store.recordOpenFinding(openFindingOf(DIGEST, violation('CVE-2026-0002', { details: undefined }), T2));
      await store.recordOpenFinding(openFindingOf(OTHER_DIGEST, violation('CVE-2026-0003'), T1));
      const listed = await store.listOpenFindings(DIGEST);
      expect(listed.sort((a, b) => a.finding.id.localeCompare(b.finding.id))).toEqual([
        { digest: DIGEST, finding: violation('CVE-2026-0001'), openedAt: T1 },
        { digest: DIGEST, finding: violation('CVE-2026-0002', { details: undefined }), openedAt: T2 },
      ]);
      expect(await store.listOpenFindings(`sha256:${'e'.repeat(64)}`)).toEqual([]);
    });

    it('records ifAbsent only where no live item is: never over the opening another invocation recorded', async () => {
      const { store } = await open();
      expect(await store.recordOpenFinding(openFindingOf(DIGEST, violation('CVE-2026-0001'), T1), { ifAbsent: true })).toBe(true);
      expect(await store.recordOpenFinding(openFindingOf(DIGEST, violation('CVE-2026-0001'), T2), { ifAbsent: true })).toBe(false);
      expect((await store.listOpenFindings(DIGEST)).map((o) => o.openedAt)).toEqual([T1]);
      // Without ifAbsent (the caller won the opened claim) the item is of a new opening and replaces the old one.
      expect(await store.recordOpenFinding(openFindingOf(DIGEST, violation('CVE-2026-0001'), T2))).toBe(true);
      expect((await store.listOpenFindings(DIGEST)).map((o) => o.openedAt)).toEqual([T2]);
    });

    it('lets exactly one of concurrent ifAbsent records win', async () => {
      const { store } = await open();
      const times = ['2026-12-01T10:00:00.001Z', '2026-12-01T10:00:00.002Z', '2026-12-01T10:00:00.003Z', '2026-12-01T10:00:00.004Z'];
      const won = await Promise.all(times.map((at) => store.recordOpenFinding(openFindingOf(DIGEST, violation('CVE-2026-0001'), at), { ifAbsent: true })));
      expect(won.filter(Boolean)).toHaveLength(1);
      expect((await store.listOpenFindings(DIGEST)).map((o) => o.openedAt)).toEqual([times[won.indexOf(true)]]);
    });

    it('closes only the opening it names: a finding opened again meanwhile keeps its new item', async () => {
      const { store } = await open();
      await store.recordOpenFinding(openFindingOf(DIGEST, violation('CVE-2026-0001'), T2));
      expect(await store.closeOpenFinding(DIGEST, violation('CVE-2026-0001'), T1)).toBe(false);
      expect((await store.listOpenFindings(DIGEST)).map((o) => o.openedAt)).toEqual([T2]);
      expect(await store.closeOpenFinding(DIGEST, violation('CVE-2026-0001'), T2)).toBe(true);
      expect(await store.listOpenFindings(DIGEST)).toEqual([]);
      // Closing what is not there is an answer, not an error.
      expect(await store.closeOpenFinding(DIGEST, violation('CVE-2026-0001'), T2)).toBe(false);
    });

    it('leaves an item past its retention out of the list, and lets ifAbsent record over it', async () => {
      const { store, advanceSeconds } = await open();
      await store.recordOpenFinding(openFindingOf(DIGEST, violation('CVE-2026-0001'), T1));
      advanceSeconds(retentionSeconds - 1);
      expect(await store.listOpenFindings(DIGEST)).toHaveLength(1);
      advanceSeconds(1);
      expect(await store.listOpenFindings(DIGEST)).toEqual([]);
      expect(await store.recordOpenFinding(openFindingOf(DIGEST, violation('CVE-2026-0001'), T2), { ifAbsent: true })).toBe(true);
      expect((await store.listOpenFindings(DIGEST)).map((o) => o.openedAt)).toEqual([T2]);
    });
  });
}
