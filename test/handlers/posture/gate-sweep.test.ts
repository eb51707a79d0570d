import { reportKeyFor } from '../../../functions/core/gate/images';
import { sbomKeyFor } from '../../../functions/core/posture/sbom';
import { createGate } from '../../../functions/handlers/gate';
import { rejudgeSettingsOf } from '../../../functions/handlers/posture/rejudge';
import { FindingEventsTestDouble, InventoryTestDouble, taskUse } from '../../support/inventory-test-double';
import { createWorld, policyOf } from '../support/fakes';
import { REGISTRY, digestOf, storeVerdict, sweepEvent } from '../support/scenario';

const HOUR = 3_600_000;
const WEB = `${REGISTRY}/shop/web`;
const IN_USE = digestOf('swept in use');
const RETIRED = digestOf('swept retired');

/** Two digests judged `ageMs` ago with their SBOMs kept; only IN_USE runs. */
async function setup(ageMs: number, withInventory = true) {
  const world = createWorld();
  const policy = policyOf();
  const inventory = new InventoryTestDouble();
  for (const digest of [IN_USE, RETIRED]) {
    const reportKey = reportKeyFor('reports/', digest, 'old');
    const verdict = storeVerdict(world, policy, digest, { reference: `${WEB}@${digest}`, digest, critical: 0 }, ageMs);
    world.store.scans.set(digest, { digest, imageReference: `${WEB}@${digest}`, scanId: 'old', state: 'done', attempts: 0, startedAt: verdict.scannedAt, deadline: verdict.scannedAt, sbomKey: sbomKeyFor(reportKey) });
  }
  await inventory.recordUse(taskUse(IN_USE, { containers: [{ name: 'web', image: `${WEB}:2` }] }));
  const gate = createGate({ ...world.deps(policy), ...(withInventory ? { inventory, findingEvents: new FindingEventsTestDouble() } : {}) });
  return { world, gate };
}

describe('the gate runs the posture sweep on its scheduled sweep', () => {
  it('re-judges a digest in use whose verdict is older than the rescan interval, by its SBOM, and leaves a digest not in use alone', async () => {
    const { world, gate } = await setup(25 * HOUR);
    const result = await gate.handleEvent(sweepEvent());
    if (result.kind !== 'sweep') throw new Error(`expected a sweep, got ${result.kind}`);
    expect(result.posture).toMatchObject({ inUse: 1, sbomScans: 1, imageScans: 0 });
    expect(world.scanner.requests.map((r) => [r.digest, r.mode])).toEqual([[IN_USE, 'sbom']]);
  });

  it('starts nothing while the verdict is younger than the rescan interval', async () => {
    const { world, gate } = await setup(23 * HOUR);
    const result = await gate.handleEvent(sweepEvent());
    if (result.kind !== 'sweep') throw new Error(`expected a sweep, got ${result.kind}`);
    expect(result.posture).toMatchObject({ inUse: 1, sbomScans: 0, imageScans: 0 });
    expect(world.scanner.requests).toEqual([]);
  });

  it('follows the configured rescan interval (GATE_RESCAN_INTERVAL_HOURS)', async () => {
    const world = createWorld();
    const policy = policyOf();
    const inventory = new InventoryTestDouble();
    const verdict = storeVerdict(world, policy, IN_USE, { reference: `${WEB}@${IN_USE}`, digest: IN_USE, critical: 0 }, 7 * HOUR);
    world.store.scans.set(IN_USE, { digest: IN_USE, imageReference: `${WEB}@${IN_USE}`, scanId: 'old', state: 'done', attempts: 0, startedAt: verdict.scannedAt, deadline: verdict.scannedAt, sbomKey: sbomKeyFor(reportKeyFor('reports/', IN_USE, 'old')) });
    await inventory.recordUse(taskUse(IN_USE));
    const gate = createGate({ ...world.deps(policy, { rescanIntervalHours: 6 }), inventory });
    await gate.handleEvent(sweepEvent());
    expect(world.scanner.requests.map((r) => r.mode)).toEqual(['sbom']);
  });

  it('notes the exceptions expiring within the configured window (GATE_EXCEPTION_WINDOW_DAYS), the in-use report\'s own', async () => {
    const world = createWorld();
    const inDays = (days: number) => new Date(world.clock.now().getTime() + days * 24 * HOUR).toISOString();
    const policy = policyOf({
      exceptions: [
        { id: 'SEC-20', match: { ids: ['CVE-2025-1000'] }, reason: 'accepted', owner: 'team-a', expiresAt: inDays(20) },
        { id: 'SEC-40', match: { ids: ['CVE-2025-1001'] }, reason: 'accepted', owner: 'team-b', expiresAt: inDays(40) },
      ],
    });
    const sweepWith = async (exceptionWindowDays?: number) => {
      const gate = createGate({ ...world.deps(policy, exceptionWindowDays === undefined ? {} : { exceptionWindowDays }), inventory: new InventoryTestDouble() });
      const result = await gate.handleEvent(sweepEvent());
      if (result.kind !== 'sweep') throw new Error(`expected a sweep, got ${result.kind}`);
      return result.posture?.expiringExceptions;
    };
    expect(await sweepWith(30)).toBe(1);
    expect(await sweepWith(60)).toBe(2);
    expect(await sweepWith()).toBe(0);
  });

  it('is the scan sweep alone in a gate without an inventory', async () => {
    const { world, gate } = await setup(25 * HOUR, false);
    const result = await gate.handleEvent(sweepEvent());
    expect(result).toEqual({ kind: 'sweep', summary: { retried: 0, finished: 0, expired: 0, stillRunning: 0 } });
    expect(world.scanner.requests).toEqual([]);
  });

  it('routes an Amazon Inspector finding about a digest in use to a mark, and the next scheduled sweep re-judges it', async () => {
    const { world, gate } = await setup(3 * HOUR);
    const event = {
      version: '0',
      id: 'inspector-1',
      'detail-type': 'Inspector2 Finding',
      source: 'aws.inspector2',
      account: '111122223333',
      time: '2026-01-05T09:00:00Z',
      region: 'eu-west-1',
      resources: [],
      detail: { status: 'ACTIVE', findingArn: 'arn:aws:inspector2:eu-west-1:111122223333:finding/x', resources: [IN_USE, RETIRED].map((imageHash) => ({ type: 'AWS_ECR_CONTAINER_IMAGE', details: { awsEcrContainerImage: { imageHash } } })) },
    };
    const result = await gate.handleEvent(event);
    expect(result).toEqual({ kind: 'inspectorFinding', outcome: { marked: [IN_USE], notInUse: [RETIRED], skipped: [] } });
    expect(world.scanner.requests).toEqual([]);
    await gate.handleEvent(sweepEvent());
    expect(world.scanner.requests.map((r) => [r.digest, r.mode])).toEqual([[IN_USE, 'sbom']]);
  });
});

describe('rejudgeSettingsOf', () => {
  it('turns the configured hours and budget into the sweep settings', () => {
    expect(rejudgeSettingsOf({ rescanIntervalHours: 12, rejudgeScansPerRun: 4, exceptionWindowDays: 30 })).toMatchObject({ rescanIntervalMs: 12 * HOUR, maxScansPerRun: 4, exceptionWindowDays: 30 });
  });
});
