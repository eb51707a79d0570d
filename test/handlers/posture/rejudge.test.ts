import { reportKeyFor } from '../../../functions/core/gate/images';
import { sbomKeyFor } from '../../../functions/core/posture/sbom';
import type { ScanRecord } from '../../../functions/core/ports';
import { createGate } from '../../../functions/handlers/gate';
import { createLogger, silentLogger, type Logger } from '../../../functions/handlers/logger';
import { rejudgeDigestsInUse, type RejudgeSettings } from '../../../functions/handlers/posture/rejudge';
import { buildRuntime, type GateDependencies, type GateRuntime } from '../../../functions/handlers/runtime';
import { MemoryOpenFindingStore } from '../../../functions/local/memory-open-findings';
import { MemoryServiceExposure } from '../../../functions/local/service-exposure';
import { FindingEventsTestDouble, InventoryTestDouble, taskUse } from '../../support/inventory-test-double';
import { createWorld, policyOf, type World } from '../support/fakes';
import { REGISTRY, digestOf, scanBuildEvent, storeVerdict, trivyReport } from '../support/scenario';

const HOUR = 3_600_000;
const WEB = `${REGISTRY}/shop/web`;
const IN_USE = digestOf('web in use');
const NOT_IN_USE = digestOf('web retired');
const SETTINGS: RejudgeSettings = { rescanIntervalMs: 24 * HOUR, maxScansPerRun: 10, maxReevaluationsPerRun: 10 };
const log = silentLogger();

interface Setup {
  world: World;
  rt: GateRuntime;
  gate: ReturnType<typeof createGate>;
  inventory: InventoryTestDouble;
  events: FindingEventsTestDouble;
  openFindings: MemoryOpenFindingStore;
  policy: ReturnType<typeof policyOf>;
}

function setup(policy = policyOf(), logger?: Logger, extra: Partial<GateDependencies> = {}): Setup {
  const world = createWorld();
  const inventory = new InventoryTestDouble();
  const events = new FindingEventsTestDouble();
  const openFindings = new MemoryOpenFindingStore(world.clock);
  const deps = { ...world.deps(policy), inventory, findingEvents: events, openFindings, ...(logger ? { logger } : {}), ...extra };
  return { world, rt: buildRuntime(deps), gate: createGate(deps), inventory, events, openFindings, policy };
}

/** A digest scanned by an image scan `ageMs` ago that kept its SBOM: its record, report and verdict. */
function scannedEarlier(s: Setup, digest: string, critical: number, ageMs: number, scanId = `old-${digest.slice(7, 15)}`): ScanRecord {
  const reportKey = reportKeyFor('reports/', digest, scanId);
  s.world.reports.objects.set(reportKey, trivyReport({ reference: `${WEB}@${digest}`, digest, critical }));
  const startedAt = new Date(s.world.clock.now().getTime() - ageMs).toISOString();
  const record: ScanRecord = {
    digest,
    imageReference: `${WEB}@${digest}`,
    scanId,
    state: 'done',
    attempts: 0,
    startedAt,
    deadline: startedAt,
    buildId: 'fargate-gate-scan:earlier',
    reportLocation: `s3://reports-bucket/${reportKey}`,
    sbomKey: sbomKeyFor(reportKey),
  };
  s.world.store.scans.set(digest, record);
  storeVerdict(s.world, s.policy, digest, { reference: `${WEB}@${digest}`, digest, critical }, ageMs);
  return record;
}

/**
 * What `trivy sbom --format json` writes for a CycloneDX SBOM: the SBOM file as artifact, no image id, no repository
 * digests, no image config, vulnerabilities only.
 */
function sbomScanReport(critical: number, createdAt: string): string {
  const image = JSON.parse(trivyReport({ reference: WEB, critical })) as { Results: unknown[] };
  return JSON.stringify({ SchemaVersion: 2, CreatedAt: createdAt, ArtifactName: 'fargate-gate-out/sbom.cdx.json', ArtifactType: 'cyclonedx', Metadata: { OS: { Family: 'alpine', Name: '3.20.3' } }, Results: image.Results });
}

/** Finishes the build of the digest's current scan with a report of `critical` findings, through the gate's build event. */
async function finishBuild(s: Setup, digest: string, critical: number): Promise<void> {
  await finishBuildWith(s, s.gate, digest, critical);
}

async function finishBuildWith(s: Setup, gate: Setup['gate'], digest: string, critical: number): Promise<void> {
  const scan = s.world.store.scans.get(digest);
  if (!scan?.buildId) throw new Error('no build');
  const createdAt = s.world.clock.now().toISOString();
  const report = scan.mode === 'sbom' ? sbomScanReport(critical, createdAt) : trivyReport({ reference: `${WEB}@${digest}`, digest, critical, createdAt });
  s.world.reports.objects.set(reportKeyFor('reports/', digest, scan.scanId), report);
  s.world.scanner.statuses.set(scan.buildId, 'SUCCEEDED');
  await gate.handleEvent(scanBuildEvent(s.world, digest, 'SUCCEEDED', s.world.clock.now().toISOString()));
}

/**
 * The finding CVE-2025-1000 announced open for the digest in use by a gate without the open-finding store (its claim
 * held, no open item), as a deployment before that store did: re-judged by that gate's runtime, its build finished by it.
 */
async function announcedByEarlierGate(s: Setup): Promise<void> {
  const earlier = buildRuntime({ ...s.world.deps(s.policy), inventory: s.inventory, findingEvents: s.events });
  const earlierGate = createGate({ ...s.world.deps(s.policy), inventory: s.inventory, findingEvents: s.events });
  scannedEarlier(s, IN_USE, 0, 25 * HOUR);
  await s.inventory.recordUse(taskUse(IN_USE));
  await rejudgeDigestsInUse(earlier, SETTINGS, log);
  s.world.clock.advance(3 * 60_000);
  await finishBuildWith(s, earlierGate, IN_USE, 1);
}

describe('posture sweep: re-judging digests in use', () => {
  it('re-judges a digest in use whose verdict is older than the interval by matching its stored SBOM, no image pull', async () => {
    const s = setup();
    const earlier = scannedEarlier(s, IN_USE, 0, 25 * HOUR);
    await s.inventory.recordUse(taskUse(IN_USE));
    const summary = await rejudgeDigestsInUse(s.rt, SETTINGS, log);
    expect(summary).toMatchObject({ inUse: 1, sbomScans: 1, imageScans: 0, deferred: 0 });
    expect(s.world.scanner.requests).toHaveLength(1);
    expect(s.world.scanner.requests[0]).toMatchObject({ digest: IN_USE, mode: 'sbom', sbomKey: earlier.sbomKey });
    expect(s.world.metrics.total('Rejudgements', { kind: 'sbom' })).toBe(1);
  });

  it('never rescans a digest that is not in use, however old its verdict', async () => {
    const s = setup();
    scannedEarlier(s, NOT_IN_USE, 0, 30 * 24 * HOUR);
    scannedEarlier(s, IN_USE, 0, 2 * HOUR);
    await s.inventory.recordUse(taskUse(IN_USE));
    const summary = await rejudgeDigestsInUse(s.rt, SETTINGS, log);
    expect(summary).toMatchObject({ inUse: 1, sbomScans: 0, imageScans: 0 });
    expect(s.world.scanner.requests).toEqual([]);
  });

  it('starts at most the budget per run, oldest verdicts first, and leaves the rest to the next runs', async () => {
    const s = setup();
    const digests = [1, 2, 3].map((i) => digestOf(`web ${i}`));
    digests.forEach((digest, i) => scannedEarlier(s, digest, 0, (25 + i) * HOUR));
    for (const [i, digest] of digests.entries()) await s.inventory.recordUse(taskUse(digest, { taskArn: `arn:aws:ecs:eu-west-1:111122223333:task/prod/t${i}` }));
    const summary = await rejudgeDigestsInUse(s.rt, { ...SETTINGS, maxScansPerRun: 2 }, log);
    expect(summary).toMatchObject({ sbomScans: 2, deferred: 1 });
    expect(s.world.scanner.requests.map((r) => r.digest)).toEqual([digests[2], digests[1]]);
  });

  it('starts digests an Inspector finding marked before the merely due ones, within the same budget', async () => {
    const s = setup();
    const due = [1, 2].map((i) => digestOf(`due ${i}`));
    const marked = [1, 2].map((i) => digestOf(`marked ${i}`));
    due.forEach((digest, i) => scannedEarlier(s, digest, 0, (30 + i) * HOUR));
    // Fresh verdicts (not due on age), each asked for again by a finding: the later request last.
    marked.forEach((digest, i) => {
      const record = scannedEarlier(s, digest, 0, 2 * HOUR);
      s.world.store.scans.set(digest, { ...record, rejudgeRequestedAt: new Date(s.world.clock.now().getTime() - (2 - i) * 60_000).toISOString() });
    });
    for (const [i, digest] of [...due, ...marked].entries()) await s.inventory.recordUse(taskUse(digest, { taskArn: `arn:aws:ecs:eu-west-1:111122223333:task/prod/m${i}` }));
    const first = await rejudgeDigestsInUse(s.rt, { ...SETTINGS, maxScansPerRun: 3 }, log);
    expect(first).toMatchObject({ sbomScans: 3, deferred: 1 });
    expect(s.world.scanner.requests.map((r) => r.digest)).toEqual([marked[0], marked[1], due[1]]);
    expect(marked.map((digest) => s.world.store.scans.get(digest)?.rejudgeRequestedAt)).toEqual([undefined, undefined]);
  });

  it('ignores a mark the current verdict already answers (scanned after the request)', async () => {
    const s = setup();
    const digest = digestOf('answered');
    const record = scannedEarlier(s, digest, 0, 2 * HOUR);
    s.world.store.scans.set(digest, { ...record, rejudgeRequestedAt: new Date(s.world.clock.now().getTime() - 3 * HOUR).toISOString() });
    await s.inventory.recordUse(taskUse(digest));
    expect(await rejudgeDigestsInUse(s.rt, SETTINGS, log)).toMatchObject({ sbomScans: 0, imageScans: 0, deferred: 0 });
    expect(s.world.scanner.requests).toEqual([]);
  });

  it('scans the image instead when no SBOM was kept, or the scanner version changed', async () => {
    const s = setup();
    const record = scannedEarlier(s, IN_USE, 0, 25 * HOUR);
    s.world.store.scans.set(IN_USE, { ...record, sbomKey: undefined });
    await s.inventory.recordUse(taskUse(IN_USE));
    expect(await rejudgeDigestsInUse(s.rt, SETTINGS, log)).toMatchObject({ sbomScans: 0, imageScans: 1 });
    expect(s.world.scanner.requests[0].mode).toBeUndefined();

    const t = setup();
    scannedEarlier(t, IN_USE, 0, 25 * HOUR);
    const verdict = t.world.store.verdicts.get(`${IN_USE}#${t.policy.hash}`);
    if (!verdict) throw new Error('no verdict');
    verdict.assessment.provenance.scannerVersion = '0.69.3';
    await t.inventory.recordUse(taskUse(IN_USE));
    expect(await rejudgeDigestsInUse(t.rt, { ...SETTINGS, scannerVersion: '0.70.0' }, log)).toMatchObject({ sbomScans: 0, imageScans: 1 });
  });

  it('does not start a second scan of a digest whose scan is under way', async () => {
    const s = setup();
    scannedEarlier(s, IN_USE, 0, 25 * HOUR);
    await s.inventory.recordUse(taskUse(IN_USE));
    await rejudgeDigestsInUse(s.rt, SETTINGS, log);
    expect(await rejudgeDigestsInUse(s.rt, SETTINGS, log)).toMatchObject({ sbomScans: 0, inFlight: 1 });
    expect(s.world.scanner.requests).toHaveLength(1);
  });

  it('judges the stored report of a digest in use again under a new policy, without scanning', async () => {
    const s = setup();
    scannedEarlier(s, IN_USE, 1, 2 * HOUR);
    await s.inventory.recordUse(taskUse(IN_USE));
    const stricter = policyOf({ name: 'stricter' });
    const deps = { ...s.world.deps(stricter), inventory: s.inventory, findingEvents: s.events };
    const summary = await rejudgeDigestsInUse(buildRuntime(deps), SETTINGS, log);
    expect(summary).toMatchObject({ reevaluated: 1, sbomScans: 0, imageScans: 0 });
    expect(s.world.scanner.requests).toEqual([]);
    expect(s.world.store.verdicts.get(`${IN_USE}#${stricter.hash}`)?.assessment.candidates.map((v) => v.id)).toEqual(['CVE-2025-1000']);
  });

  it('after a policy edit, carries the drift marks of the previous policy\'s verdict and opens no finding again (same correlation id)', async () => {
    const graced = policyOf({ drift: { grace: { critical: '3d' } } });
    const s = setup(graced);
    scannedEarlier(s, IN_USE, 0, 25 * HOUR);
    await s.inventory.recordUse(taskUse(IN_USE));
    await rejudgeDigestsInUse(s.rt, SETTINGS, log);
    s.world.clock.advance(3 * 60_000);
    await finishBuild(s, IN_USE, 1);
    const openedAt = s.world.clock.now().toISOString();
    expect(s.events.published.map((e) => [e.state, e.drift?.openedAt])).toEqual([['opened', openedAt]]);

    // A day later the policy is edited (another hash): the sweep judges the stored report again under it.
    s.world.clock.advance(24 * HOUR);
    const edited = policyOf({ name: 'production, edited', drift: { grace: { critical: '3d' } } });
    expect(edited.hash).not.toBe(graced.hash);
    const rt = buildRuntime({ ...s.world.deps(edited), inventory: s.inventory, findingEvents: s.events });
    expect(await rejudgeDigestsInUse(rt, SETTINGS, log)).toMatchObject({ reevaluated: 1 });
    // The drift mark keeps the time it opened under the earlier policy: the grace runs on, it does not end at the edit.
    expect(s.world.store.verdicts.get(`${IN_USE}#${edited.hash}`)?.assessment.drift).toEqual([{ rule: 'vulnerabilities', id: 'CVE-2025-1000', openedAt }]);
    // No second opened event: the ticket opened under the earlier policy stays the one (one correlation id).
    expect(s.events.published.map((e) => e.state)).toEqual(['opened']);
  });

  it('announces a finding that a policy edit alone denies, as an opened finding that is not drift', async () => {
    const s = setup(policyOf({ rules: { rootUser: { action: 'deny' }, secrets: { action: 'deny', environment: {} }, vulnerabilities: { action: 'warn', fixable: { minSeverity: 'high' } } } }));
    scannedEarlier(s, IN_USE, 1, 25 * HOUR);
    await s.inventory.recordUse(taskUse(IN_USE));
    const stricter = policyOf();
    const rt = buildRuntime({ ...s.world.deps(stricter), inventory: s.inventory, findingEvents: s.events });
    expect(await rejudgeDigestsInUse(rt, SETTINGS, log)).toMatchObject({ reevaluated: 1 });
    expect(s.events.published.map((e) => [e.state, e.finding.id, e.drift])).toEqual([['opened', 'CVE-2025-1000', undefined]]);
    expect(s.world.store.verdicts.get(`${IN_USE}#${stricter.hash}`)?.assessment.drift).toBeUndefined();
  });
});

describe('drift: a digest in use turns failing on new vulnerability data', () => {
  async function drifted(): Promise<Setup> {
    const s = setup();
    scannedEarlier(s, IN_USE, 0, 25 * HOUR);
    await s.inventory.recordUse(taskUse(IN_USE, { launchedBy: 'arn:aws:iam::111122223333:role/deployer' }));
    await rejudgeDigestsInUse(s.rt, SETTINGS, log);
    s.world.clock.advance(3 * 60_000);
    await finishBuild(s, IN_USE, 1);
    return s;
  }

  it('stores the SBOM verdict with the image scan\'s facts, marks the new finding as drift and publishes one opened event', async () => {
    const s = await drifted();
    const verdict = s.world.store.verdicts.get(`${IN_USE}#${s.policy.hash}`);
    expect(verdict?.assessment.candidates.map((v) => v.id)).toEqual(['CVE-2025-1000']);
    // The image facts (user, repository digests) are the image scan's: the SBOM report has none.
    expect(verdict?.assessment.facts.repoDigests).toEqual([`${WEB}@${IN_USE}`]);
    expect(verdict?.assessment.facts).toMatchObject({ configUser: '1000', hasImageConfig: true });
    expect(verdict?.assessment.provenance.scannedAt).toBe(s.world.clock.now().toISOString());
    expect(verdict?.assessment.drift).toEqual([{ rule: 'vulnerabilities', id: 'CVE-2025-1000', openedAt: s.world.clock.now().toISOString() }]);
    expect(s.events.published).toHaveLength(1);
    expect(s.events.published[0]).toMatchObject({
      state: 'opened',
      digest: IN_USE,
      finding: { id: 'CVE-2025-1000', severity: 'critical' },
      drift: { openedAt: s.world.clock.now().toISOString() },
      uses: [{ service: 'web', cluster: 'arn:aws:ecs:eu-west-1:111122223333:cluster/prod' }],
      owners: ['arn:aws:iam::111122223333:role/deployer'],
    });
    expect(s.world.metrics.total('DriftFindingsOpened')).toBe(1);
  });

  it('names in the drift notice and the event where it runs, the owner tags, the exposure and the exploit data of the policy', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({ destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) } });
    const s = setup(policyOf(), logger);
    scannedEarlier(s, IN_USE, 0, 25 * HOUR);
    const exposure = { value: 'public' as const, source: 'a public IP is assigned (RunTask networkConfiguration)' };
    await s.inventory.recordUse(taskUse(IN_USE, { launchedBy: 'arn:aws:iam::111122223333:role/deployer', exposure, taskDefinitionTags: { team: 'payments' } }));
    await s.inventory.recordUse(taskUse(IN_USE, { taskArn: 'arn:aws:ecs:eu-west-1:111122223333:task/prod/other', service: undefined, deploymentId: undefined }));
    await rejudgeDigestsInUse(s.rt, SETTINGS, logger);
    s.world.clock.advance(3 * 60_000);
    await finishBuild(s, IN_USE, 1);
    const notice = lines.find((line) => line.msg === 'drift: a digest in use now fails where its previous verdict passed');
    expect(notice).toMatchObject({
      tasks: 2,
      clusters: ['arn:aws:ecs:eu-west-1:111122223333:cluster/prod'],
      services: ['arn:aws:ecs:eu-west-1:111122223333:cluster/prod/web'],
      taskDefinitions: ['arn:aws:ecs:eu-west-1:111122223333:task-definition/web:1'],
      launchedBy: ['arn:aws:iam::111122223333:role/deployer'],
      ownerTags: { team: ['payments'] },
      exposure: 'public',
      exposureCounts: { public: 1, internal: 0, unknown: 1 },
      findings: [{ id: 'CVE-2025-1000', severity: 'critical', matchedBy: 'fixable' }],
    });
    expect(s.events.published[0]).toMatchObject({ ownerTags: { team: ['payments'] }, exposure: 'public', exploit: { matchedBy: ['fixable'] }, services: ['arn:aws:ecs:eu-west-1:111122223333:cluster/prod/web'] });
  });

  it('publishes the opened event once however often the same change is seen (a conditional claim per digest, finding, policy)', async () => {
    const s = await drifted();
    // Another re-judgement still denying it: the finding is already open, no second event.
    s.world.clock.advance(25 * HOUR);
    await rejudgeDigestsInUse(s.rt, SETTINGS, log);
    await finishBuild(s, IN_USE, 1);
    expect(s.events.published.map((e) => e.state)).toEqual(['opened']);
    // The drift mark keeps the time it first opened.
    expect(s.world.store.verdicts.get(`${IN_USE}#${s.policy.hash}`)?.assessment.drift?.[0].openedAt).toBe(s.events.published[0].drift?.openedAt);
  });

  it('publishes resolved when a later verdict no longer denies it, and opened again if it comes back', async () => {
    const s = await drifted();
    s.world.clock.advance(25 * HOUR);
    await rejudgeDigestsInUse(s.rt, SETTINGS, log);
    await finishBuild(s, IN_USE, 0);
    s.world.clock.advance(25 * HOUR);
    await rejudgeDigestsInUse(s.rt, SETTINGS, log);
    await finishBuild(s, IN_USE, 1);
    expect(s.events.published.map((e) => e.state)).toEqual(['opened', 'resolved', 'opened']);
    expect(new Set(s.events.published.map((e) => e.correlationId)).size).toBe(1);
  });

  it('gives the claim back when publishing fails, so the next verdict that still denies the finding announces it', async () => {
    const s = setup();
    scannedEarlier(s, IN_USE, 0, 25 * HOUR);
    await s.inventory.recordUse(taskUse(IN_USE));
    await rejudgeDigestsInUse(s.rt, SETTINGS, log);
    s.events.failNext = new Error('PutEvents throttled');
    await finishBuild(s, IN_USE, 1);
    const openedAt = s.world.clock.now().toISOString();
    expect(s.events.published).toEqual([]);
    expect(s.world.metrics.total('FindingEventsLost')).toBe(1);
    // The verdict itself was stored with its drift mark: the decision never waits on the event.
    expect(s.world.store.verdicts.get(`${IN_USE}#${s.policy.hash}`)?.assessment.drift).toHaveLength(1);

    // The next verdict still denies it (no longer a change from the stored one): the lost opened event goes out now, once.
    s.world.clock.advance(25 * HOUR);
    await rejudgeDigestsInUse(s.rt, SETTINGS, log);
    await finishBuild(s, IN_USE, 1);
    expect(s.events.published.map((e) => [e.state, e.finding.id, e.drift?.openedAt])).toEqual([['opened', 'CVE-2025-1000', openedAt]]);
    s.world.clock.advance(25 * HOUR);
    await rejudgeDigestsInUse(s.rt, SETTINGS, log);
    await finishBuild(s, IN_USE, 1);
    expect(s.events.published).toHaveLength(1);
  });

  it('sends a resolved event lost to a failed publish with the next verdict, though that verdict changes nothing', async () => {
    const s = await drifted();
    s.world.clock.advance(25 * HOUR);
    await rejudgeDigestsInUse(s.rt, SETTINGS, log);
    s.events.failNext = new Error('PutEvents throttled');
    await finishBuild(s, IN_USE, 0);
    expect(s.events.published.map((e) => e.state)).toEqual(['opened']);
    expect(s.world.metrics.total('FindingEventsLost')).toBe(1);
    // The stored verdict denies nothing now, as the next one will not: only the open finding's item still owes the event.
    s.world.clock.advance(25 * HOUR);
    await rejudgeDigestsInUse(s.rt, SETTINGS, log);
    await finishBuild(s, IN_USE, 0);
    expect(s.events.published.map((e) => [e.state, e.finding.id, e.finding.severity])).toEqual([
      ['opened', 'CVE-2025-1000', 'critical'],
      ['resolved', 'CVE-2025-1000', 'critical'],
    ]);
    expect(await s.openFindings.listOpenFindings(IN_USE)).toEqual([]);
    // Once: a later verdict sends nothing more, and the finding coming back is announced again.
    s.world.clock.advance(25 * HOUR);
    await rejudgeDigestsInUse(s.rt, SETTINGS, log);
    await finishBuild(s, IN_USE, 0);
    s.world.clock.advance(25 * HOUR);
    await rejudgeDigestsInUse(s.rt, SETTINGS, log);
    await finishBuild(s, IN_USE, 1);
    expect(s.events.published.map((e) => e.state)).toEqual(['opened', 'resolved', 'opened']);
  });

  it('resolves a finding announced before open items were kept: the next verdict that still denies it records it open', async () => {
    const s = setup();
    await announcedByEarlierGate(s);
    expect(await s.openFindings.listOpenFindings(IN_USE)).toEqual([]);
    // This gate sees it still denied, already announced: it records the item, sends nothing.
    s.world.clock.advance(25 * HOUR);
    await rejudgeDigestsInUse(s.rt, SETTINGS, log);
    await finishBuild(s, IN_USE, 1);
    expect(s.events.published.map((e) => e.state)).toEqual(['opened']);
    expect((await s.openFindings.listOpenFindings(IN_USE)).map((o) => o.finding.id)).toEqual(['CVE-2025-1000']);
    // Its resolved event is lost, then sent by the verdict after.
    s.world.clock.advance(25 * HOUR);
    await rejudgeDigestsInUse(s.rt, SETTINGS, log);
    s.events.failNext = new Error('PutEvents throttled');
    await finishBuild(s, IN_USE, 0);
    s.world.clock.advance(25 * HOUR);
    await rejudgeDigestsInUse(s.rt, SETTINGS, log);
    await finishBuild(s, IN_USE, 0);
    expect(s.events.published.map((e) => e.state)).toEqual(['opened', 'resolved']);
  });

  it('keeps a finding open whose resolved event is lost though it had no open item, so the verdict after sends it', async () => {
    const s = setup();
    await announcedByEarlierGate(s);
    // The first verdict of this gate resolves it (the previous verdict denied it) and the publish fails.
    s.world.clock.advance(25 * HOUR);
    await rejudgeDigestsInUse(s.rt, SETTINGS, log);
    s.events.failNext = new Error('PutEvents throttled');
    await finishBuild(s, IN_USE, 0);
    expect((await s.openFindings.listOpenFindings(IN_USE)).map((o) => o.finding.id)).toEqual(['CVE-2025-1000']);
    s.world.clock.advance(25 * HOUR);
    await rejudgeDigestsInUse(s.rt, SETTINGS, log);
    await finishBuild(s, IN_USE, 0);
    expect(s.events.published.map((e) => e.state)).toEqual(['opened', 'resolved']);
    expect(await s.openFindings.listOpenFindings(IN_USE)).toEqual([]);
  });

  it('announces nothing where the drift scope says notify false, naming clusters and services by short name', async () => {
    for (const match of [{ clusters: ['sandbox-*'] }, { services: ['web'] }]) {
      const s = setup(policyOf({ drift: { scopes: [{ match, notify: false }] } }));
      scannedEarlier(s, IN_USE, 0, 25 * HOUR);
      await s.inventory.recordUse(taskUse(IN_USE, { cluster: 'arn:aws:ecs:eu-west-1:111122223333:cluster/sandbox-1', service: 'arn:aws:ecs:eu-west-1:111122223333:service/sandbox-1/web' }));
      await rejudgeDigestsInUse(s.rt, SETTINGS, log);
      await finishBuild(s, IN_USE, 1);
      // The drift is still marked (the launch gate's grace needs it); only the events are silenced.
      expect(s.world.store.verdicts.get(`${IN_USE}#${s.policy.hash}`)?.assessment.drift).toHaveLength(1);
      expect(s.events.published).toEqual([]);
    }
  });

  it('leaves a digest that is not in use without drift marks or events', async () => {
    const s = setup();
    scannedEarlier(s, NOT_IN_USE, 0, 25 * HOUR);
    await s.inventory.recordUse(taskUse(NOT_IN_USE));
    await rejudgeDigestsInUse(s.rt, SETTINGS, log);
    await s.inventory.closeTask(taskUse(NOT_IN_USE).taskArn, s.world.clock.now().toISOString());
    await finishBuild(s, NOT_IN_USE, 1);
    expect(s.world.store.verdicts.get(`${NOT_IN_USE}#${s.policy.hash}`)?.assessment.drift).toBeUndefined();
    expect(s.events.published).toEqual([]);
  });
});

describe('finding events: the exposure of a service settled when a finding opens', () => {
  const PROD = 'arn:aws:ecs:eu-west-1:111122223333:cluster/prod';
  const STANDALONE = 'arn:aws:ecs:eu-west-1:111122223333:task/prod/standalone';

  async function driftWith(services: MemoryServiceExposure, logger?: Logger): Promise<Setup> {
    const s = setup(policyOf(), logger, { serviceExposure: services });
    scannedEarlier(s, IN_USE, 0, 25 * HOUR);
    await s.inventory.recordUse(taskUse(IN_USE));
    await s.inventory.recordUse(taskUse(IN_USE, { taskArn: STANDALONE, service: undefined, deploymentId: undefined }));
    await rejudgeDigestsInUse(s.rt, SETTINGS, logger ?? log);
    s.world.clock.advance(3 * 60_000);
    await finishBuild(s, IN_USE, 1);
    return s;
  }

  it('says a service behind a load balancer is public, from "DescribeServices loadBalancers", and leaves a standalone task unknown', async () => {
    const services = new MemoryServiceExposure();
    services.setService(PROD, { service: 'web', loadBalancers: 1, awsvpc: true, assignPublicIp: 'DISABLED' });
    const s = await driftWith(services);
    expect(s.events.published).toHaveLength(1);
    const event = s.events.published[0];
    expect(event.state).toBe('opened');
    expect(event.uses.find((use) => use.service === 'web')).toMatchObject({ exposure: 'public', exposureSource: 'DescribeServices loadBalancers' });
    expect(event.uses.find((use) => use.taskArn === STANDALONE)?.exposure).toBe('unknown');
    expect(event).toMatchObject({ exposure: 'public', exposureCounts: { public: 1, internal: 0, unknown: 1 } });
    expect(services.calls).toEqual([{ cluster: PROD, services: ['web'] }]);
  });

  it('says internal for a service with no load balancer and no public IP', async () => {
    const services = new MemoryServiceExposure();
    services.setService(PROD, { service: 'web', loadBalancers: 0, awsvpc: true });
    const s = await driftWith(services);
    expect(s.events.published[0].uses.find((use) => use.service === 'web')).toMatchObject({ exposure: 'internal', exposureSource: 'DescribeServices: no load balancer, assignPublicIp DISABLED' });
    // The standalone task is still unknown: the summary cannot say internal.
    expect(s.events.published[0]).toMatchObject({ exposure: 'unknown', exposureCounts: { public: 0, internal: 1, unknown: 1 } });
  });

  it('publishes the event with the exposure unknown when DescribeServices fails, with a log line and a metric', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({ destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) } });
    const services = new MemoryServiceExposure();
    services.failingClusters.add(PROD);
    const s = await driftWith(services, logger);
    expect(s.events.published).toHaveLength(1);
    expect(s.events.published[0]).toMatchObject({ exposure: 'unknown', exposureCounts: { public: 0, internal: 0, unknown: 2 } });
    expect(s.world.metrics.total('ExposureLookupsFailed')).toBe(1);
    expect(lines.find((line) => typeof line.msg === 'string' && line.msg.startsWith('DescribeServices failed'))).toMatchObject({ cluster: PROD, services: ['web'] });
  });

  it('makes no call for a change that only resolves a finding', async () => {
    const services = new MemoryServiceExposure();
    services.setService(PROD, { service: 'web', loadBalancers: 1, awsvpc: true });
    const s = await driftWith(services);
    s.world.clock.advance(25 * HOUR);
    await rejudgeDigestsInUse(s.rt, SETTINGS, log);
    await finishBuild(s, IN_USE, 0);
    expect(s.events.published.map((e) => e.state)).toEqual(['opened', 'resolved']);
    expect(services.calls).toHaveLength(1);
    expect(s.events.published[1].uses.find((use) => use.service === 'web')?.exposure).toBe('unknown');
  });
});
