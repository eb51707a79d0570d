import { createGate } from '../../../functions/handlers/gate';
import { KEV_LOOKUP_METRICS, KevCatalogueSource } from '../../../functions/handlers/kev/catalogue-source';
import { silentLogger } from '../../../functions/handlers/logger';
import { kevFeedText } from '../../support/kev-feed';
import { FakeMetrics, createWorld, policyOf } from '../support/fakes';
import { REGISTRY, digestOf, registerTaskDefinition, runningTask, scanBuildEvent, taskEvent, uploadReport } from '../support/scenario';

const WEB = `${REGISTRY}/shop/web`;
const NEW = digestOf('new');
/** The fake Trivy report's first critical finding: CVE-2025-1000 (test/handlers/support/scenario.ts trivyReport). */
const listing = (cve: string) => kevFeedText(1).replace('CVE-2020-10000', cve);

/** Only the KEV part: a finding is denied only when a catalogue lists it. */
const kevOnly = policyOf({ rules: { vulnerabilities: { action: 'deny', knownExploited: {} } } });

async function judgeWith(reader: { read(): Promise<string | undefined> } | undefined) {
  const world = createWorld();
  registerTaskDefinition(world, 'web', [{ name: 'web', image: `${WEB}:2` }]);
  const gate = createGate({ ...world.deps(kevOnly), ...(reader ? { kevCatalogue: reader } : {}) });
  const task = { containers: [{ name: 'web', image: `${WEB}:2`, imageDigest: NEW }] };
  world.ecs.tasks.set(runningTask(task).taskArn, runningTask(task));
  await gate.handleEvent(taskEvent(task));
  uploadReport(world, NEW, { reference: `${WEB}@${NEW}`, digest: NEW, user: '1000', critical: 1 });
  await gate.handleEvent(scanBuildEvent(world, NEW, 'SUCCEEDED'));
  const verdict = [...world.store.verdicts.values()][0];
  return { world, verdict };
}

describe('the gate judges knownExploited with the stack\'s KEV catalogue', () => {
  it('denies a finding the catalogue lists, and stops the task', async () => {
    const { world, verdict } = await judgeWith({ read: async () => listing('CVE-2025-1000') });
    expect(verdict.assessment.candidates.map((c) => [c.id, c.action])).toEqual([['CVE-2025-1000', 'deny']]);
    expect(world.ecs.stops).toHaveLength(1);
  });

  it('passes it when the catalogue does not list it', async () => {
    const { world, verdict } = await judgeWith({ read: async () => listing('CVE-2019-0001') });
    expect(verdict.assessment.candidates).toEqual([]);
    expect(world.ecs.stops).toEqual([]);
  });

  it('warns, never passes silently, when the catalogue is missing: the verdict says knownExploited was judged without it', async () => {
    const { world, verdict } = await judgeWith({ read: async () => undefined });
    expect(verdict.assessment.candidates.map((c) => [c.id, c.action])).toEqual([['kev-catalogue-unavailable', 'warn']]);
    expect(verdict.assessment.candidates[0].message).toContain("the stack's KEV catalogue does not exist yet");
    expect(world.ecs.stops).toEqual([]);
    expect(world.metrics.total(KEV_LOOKUP_METRICS.unavailable)).toBe(1);
  });

  it('reads nothing when the stack keeps no catalogue (the synth warning says so instead)', async () => {
    const { verdict } = await judgeWith(undefined);
    expect(verdict.assessment.candidates).toEqual([]);
  });
});

describe('KevCatalogueSource', () => {
  const clock = (start: number) => {
    let now = start;
    return { now: () => new Date(now), advance: (ms: number) => (now += ms) };
  };

  it('reads once per TTL, then again; an unreadable catalogue is unavailable, with why', async () => {
    let reads = 0;
    let text: string | undefined = kevFeedText(2);
    const time = clock(Date.parse('2026-12-02T00:00:00Z'));
    const source = new KevCatalogueSource({ read: async () => (reads++, text) }, time, new FakeMetrics(), silentLogger(), { ttlMs: 60_000 });
    expect('catalogue' in (await source.get())).toBe(true);
    text = 'not json';
    expect('catalogue' in (await source.get())).toBe(true);
    expect(reads).toBe(1);
    time.advance(60_000);
    expect(await source.get()).toEqual({ unavailable: expect.stringContaining("the stack's KEV catalogue is unreadable") });
    expect(reads).toBe(2);
  });

  it('still uses a stale catalogue (a listing stays true), and counts it', async () => {
    const metrics = new FakeMetrics();
    const source = new KevCatalogueSource({ read: async () => kevFeedText(2) }, { now: () => new Date('2026-12-10T00:00:00Z') }, metrics, silentLogger());
    expect('catalogue' in (await source.get())).toBe(true);
    expect(metrics.total(KEV_LOOKUP_METRICS.stale)).toBe(1);
  });
});
