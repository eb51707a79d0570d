import { join } from 'node:path';
import { createGate } from '../../../functions/handlers/gate';
import { createLogger, silentLogger } from '../../../functions/handlers/logger';
import { CONFORMANCE_DIR, describeWithConformance, readConformanceJson } from '../../support/conformance';
import { handleInspectorFinding } from '../../../functions/handlers/posture/inspector';
import { rejudgeDigestsInUse } from '../../../functions/handlers/posture/rejudge';
import { buildRuntime } from '../../../functions/handlers/runtime';
import { FindingEventsTestDouble, InventoryTestDouble, taskUse } from '../../support/inventory-test-double';
import { createWorld, policyOf } from '../support/fakes';
import { REGISTRY, digestOf, storeVerdict } from '../support/scenario';

const HOUR = 3_600_000;
const SETTINGS = { rescanIntervalMs: 24 * HOUR, maxScansPerRun: 10, maxReevaluationsPerRun: 10 };
const IN_USE = digestOf('inspected in use');
const RETIRED = digestOf('inspected retired');

const finding = (digests: string[], status = 'ACTIVE') => ({
  source: 'aws.inspector2',
  'detail-type': 'Inspector2 Finding',
  detail: { status, findingArn: 'arn:aws:inspector2:eu-west-1:111122223333:finding/x', resources: digests.map((imageHash) => ({ type: 'AWS_ECR_CONTAINER_IMAGE', details: { awsEcrContainerImage: { imageHash } } })) },
});

async function setup() {
  const world = createWorld();
  const policy = policyOf();
  const inventory = new InventoryTestDouble();
  const rt = buildRuntime({ ...world.deps(policy), inventory, findingEvents: new FindingEventsTestDouble() });
  for (const digest of [IN_USE, RETIRED]) {
    const verdict = storeVerdict(world, policy, digest, { reference: `${REGISTRY}/shop/web@${digest}`, digest, critical: 0 }, 3 * HOUR);
    world.store.scans.set(digest, { digest, imageReference: `${REGISTRY}/shop/web@${digest}`, scanId: 'old', state: 'done', attempts: 0, startedAt: verdict.scannedAt, deadline: verdict.scannedAt, sbomKey: `reports/${digest.replace(':', '/')}/old.cdx.json` });
  }
  await inventory.recordUse(taskUse(IN_USE));
  return { world, rt };
}

describe('handleInspectorFinding', () => {
  it('starts no build: marks the digest in use as due for the sweep, and never touches one that is not in use', async () => {
    const { world, rt } = await setup();
    const outcome = await handleInspectorFinding(rt, finding([IN_USE, RETIRED]), silentLogger());
    expect(outcome).toEqual({ marked: [IN_USE], notInUse: [RETIRED], skipped: [] });
    expect(world.scanner.requests).toEqual([]);
    expect(world.store.scans.get(IN_USE)?.rejudgeRequestedAt).toBe(world.clock.now().toISOString());
    expect(world.store.scans.get(RETIRED)?.rejudgeRequestedAt).toBeUndefined();
  });

  it('then the posture sweep re-judges the marked digest (by its SBOM) although its verdict is not due, and the mark is cleared', async () => {
    const { world, rt } = await setup();
    await handleInspectorFinding(rt, finding([IN_USE]), silentLogger());
    const summary = await rejudgeDigestsInUse(rt, SETTINGS, silentLogger());
    expect(summary.sbomScans).toBe(1);
    expect(world.scanner.requests.map((r) => [r.digest, r.mode])).toEqual([[IN_USE, 'sbom']]);
    expect(world.store.scans.get(IN_USE)?.rejudgeRequestedAt).toBeUndefined();
  });

  it('is one re-judgement for a burst of findings about one image (a second mark adds no work)', async () => {
    const { world, rt } = await setup();
    await handleInspectorFinding(rt, finding([IN_USE]), silentLogger());
    const first = world.store.scans.get(IN_USE)?.rejudgeRequestedAt;
    world.clock.advance(60_000);
    expect(await handleInspectorFinding(rt, finding([IN_USE]), silentLogger())).toEqual({ marked: [], notInUse: [], skipped: [IN_USE] });
    expect(world.store.scans.get(IN_USE)?.rejudgeRequestedAt).toBe(first);
    await rejudgeDigestsInUse(rt, SETTINGS, silentLogger());
    await rejudgeDigestsInUse(rt, SETTINGS, silentLogger());
    expect(world.scanner.requests).toHaveLength(1);
  });

  it('does nothing for a resolved finding or an event it cannot read, and says why', async () => {
    const { world, rt } = await setup();
    await handleInspectorFinding(rt, finding([IN_USE], 'CLOSED'), silentLogger());
    await handleInspectorFinding(rt, { source: 'aws.inspector2', 'detail-type': 'Inspector2 Finding', detail: 'garbage' }, silentLogger());
    expect(world.scanner.requests).toEqual([]);
    expect(world.store.scans.get(IN_USE)?.rejudgeRequestedAt).toBeUndefined();
    expect(world.metrics.total('InspectorEventsIgnored')).toBe(1);
  });
});

describeWithConformance('an Inspector2 Finding event through the gate, on AWS\'s sample', () => {
  const SAMPLE = join(CONFORMANCE_DIR, 'events/inspector2-finding-ecr-image-awsdocs.json');

  async function gateWithLines() {
    const { world } = await setup();
    const inventory = new InventoryTestDouble();
    await inventory.recordUse(taskUse(IN_USE));
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({ destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) } });
    return { world, lines, gate: createGate({ ...world.deps(policyOf()), inventory, findingEvents: new FindingEventsTestDouble(), logger }) };
  }

  it('ignores the sample as published (its imageHash is no sha256 digest) with a warning that says why, and scans nothing', async () => {
    const { world, gate, lines } = await gateWithLines();
    const result = await gate.handleEvent(readConformanceJson(SAMPLE) as Record<string, unknown>);
    expect(result).toMatchObject({ kind: 'inspectorFinding', outcome: { marked: [], notInUse: [], skipped: [] } });
    expect(lines).toContainEqual(expect.objectContaining({ level: 'warn', msg: 'Inspector finding event ignored', reason: expect.stringMatching(/image hashes are not sha256 digests/) }));
    expect(world.scanner.requests).toEqual([]);
    expect(world.metrics.total('InspectorEventsIgnored')).toBe(1);
  });

  it('marks the digest in use the sample names once its hash is a digest, and starts no build', async () => {
    const { world, gate } = await gateWithLines();
    const event = structuredClone(readConformanceJson(SAMPLE)) as { detail: { resources: { details: { awsEcrContainerImage: { imageHash: string } } }[] } };
    event.detail.resources[0].details.awsEcrContainerImage.imageHash = IN_USE;
    const result = await gate.handleEvent(event as unknown as Record<string, unknown>);
    expect(result).toMatchObject({ kind: 'inspectorFinding', outcome: { marked: [IN_USE] } });
    expect(world.scanner.requests).toEqual([]);
    expect(world.store.scans.get(IN_USE)?.rejudgeRequestedAt).toEqual(expect.any(String));
  });
});
