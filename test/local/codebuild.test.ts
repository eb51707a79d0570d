import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ScanCapacityError, type ScanRequest } from '../../functions/core/ports';
import { buildIdFromArn, rewriteReport } from '../../functions/local/codebuild';
import { REGISTRY, digestOf, world } from './helpers';

const IMAGE = `${REGISTRY}/shop/api:1.0`;
const DIGEST = digestOf('7');
const REPORT = readFileSync(join(__dirname, '../../examples/reports/distroless-nonroot.trivy.json'), 'utf8');

function request(overrides: Partial<ScanRequest> = {}): ScanRequest {
  return { scanId: 'scan-1', digest: DIGEST, imageReference: `${REGISTRY}/shop/api@${DIGEST}`, reportKey: `reports/${DIGEST}/scan-1.json`, ...overrides };
}

describe('FakeScanner', () => {
  it('runs a build for its duration, uploads the report rewritten for the pulled image, and reports the end with the build ARN', async () => {
    const w = world();
    w.backend.images.declare(IMAGE, DIGEST, { report: REPORT, durationMs: 90_000 });
    const { buildId } = await w.backend.scanner.startScan(request());
    expect(buildId).toMatch(/^fargate-gate-scan:[0-9a-f-]{36}$/);
    expect(await w.backend.scanner.getBuildStatuses([buildId])).toEqual([{ buildId, status: 'IN_PROGRESS' }]);
    await w.simulation.advance(89_000);
    expect(w.received).toHaveLength(0);
    await w.simulation.advance(1_000);
    const event = w.received[0];
    expect(event).toMatchObject({ 'detail-type': 'CodeBuild Build State Change', detail: { 'build-status': 'SUCCEEDED', 'build-id': expect.stringMatching(/^arn:aws:codebuild:us-east-1:123456789012:build\//) } });
    expect(buildIdFromArn((event.detail as Record<string, string>)['build-id'])).toBe(buildId);
    const uploaded = JSON.parse(await w.backend.reports.getReport(request().reportKey));
    expect(uploaded.Metadata.RepoDigests).toEqual([`${REGISTRY}/shop/api@${DIGEST}`]);
    expect(uploaded.ArtifactName).toBe(request().imageReference);
    expect(uploaded.CreatedAt).toBe('2026-01-05T09:01:30.000Z');
    const arnStatus = await w.backend.scanner.getBuildStatuses([(event.detail as Record<string, string>)['build-id'], 'fargate-gate-scan:unknown']);
    expect(arnStatus).toEqual([{ buildId: (event.detail as Record<string, string>)['build-id'], status: 'SUCCEEDED' }]);
  });

  it('refuses StartBuild for capacity as many times as the outcome says, then accepts', async () => {
    const w = world();
    w.backend.images.declare(IMAGE, DIGEST, { report: REPORT, capacityErrors: 2 });
    await expect(w.backend.scanner.startScan(request({ scanId: 'a' }))).rejects.toBeInstanceOf(ScanCapacityError);
    await expect(w.backend.scanner.startScan(request({ scanId: 'b' }))).rejects.toBeInstanceOf(ScanCapacityError);
    await expect(w.backend.scanner.startScan(request({ scanId: 'c' }))).resolves.toHaveProperty('buildId');
    expect(w.backend.scanner.refusals).toBe(2);
    expect(w.backend.scanner.builds.size).toBe(1);
  });

  it('queues a Lambda-compute build past the quota (IN_PROGRESS, not refused) and runs it when a running one ends; refuses only a full queue (five times the quota)', async () => {
    const w = world({ scanCompute: 'lambda', lambdaComputeQuota: 1 });
    w.backend.images.declare(IMAGE, DIGEST, { report: REPORT, durationMs: 60_000 });
    const first = await w.backend.scanner.startScan(request({ scanId: 'a' }));
    const queued = [];
    for (const n of [1, 2, 3, 4, 5]) queued.push(await w.backend.scanner.startScan(request({ scanId: `q${n}` })));
    expect(w.backend.scanner.refusals).toBe(0);
    // The sixth waiting build finds the queue full: five times the quota of 1.
    await expect(w.backend.scanner.startScan(request({ scanId: 'q6' }))).rejects.toThrow(/5 builds in queue/);
    expect(await w.backend.scanner.getBuildStatuses([first.buildId, queued[0].buildId])).toEqual([
      { buildId: first.buildId, status: 'IN_PROGRESS' },
      { buildId: queued[0].buildId, status: 'IN_PROGRESS' },
    ]);
    expect(w.backend.scanner.builds.get(queued[0].buildId)?.queued).toBe(true);
    // The EC2 fallback project runs on its own quota: not queued behind the Lambda builds.
    const ec2 = await w.backend.scanner.startScan(request({ scanId: 'e', compute: 'ec2Fallback' }));
    expect(w.backend.scanner.builds.get(ec2.buildId)).toMatchObject({ queued: false, runningFrom: w.backend.scanner.builds.get(ec2.buildId)?.startedAt });
    await w.simulation.advance(60_000);
    expect(w.backend.scanner.builds.get(first.buildId)?.status).toBe('SUCCEEDED');
    // One place freed: the oldest queued build runs, for its whole duration from now.
    expect(w.backend.scanner.builds.get(queued[0].buildId)).toMatchObject({ queued: false, runningFrom: w.backend.scanner.builds.get(first.buildId)?.endedAt });
    expect(w.backend.scanner.builds.get(queued[1].buildId)?.queued).toBe(true);
    await w.simulation.advance(60_000);
    expect(w.backend.scanner.builds.get(queued[0].buildId)?.status).toBe('SUCCEEDED');
    expect(w.backend.scanner.builds.get(queued[1].buildId)?.queued).toBe(false);
  });

  it("refuses StartBuild at the scan project's own concurrent build limit, queued builds counted", async () => {
    const w = world({ scanCompute: 'lambda', lambdaComputeQuota: 1, scanProjectBuildLimit: 2 });
    w.backend.images.declare(IMAGE, DIGEST, { report: REPORT });
    await w.backend.scanner.startScan(request({ scanId: 'a' }));
    await w.backend.scanner.startScan(request({ scanId: 'b' }));
    await expect(w.backend.scanner.startScan(request({ scanId: 'c' }))).rejects.toThrow(/2 active builds for the project/);
    await expect(w.backend.scanner.startScan(request({ scanId: 'd', compute: 'ec2Fallback' }))).resolves.toHaveProperty('buildId');
  });

  it('returns the same build for the same scan id within five minutes, a new one after', async () => {
    const w = world();
    w.backend.images.declare(IMAGE, DIGEST, { report: REPORT });
    const first = await w.backend.scanner.startScan(request());
    const again = await w.backend.scanner.startScan(request());
    expect(again).toEqual(first);
    await w.simulation.advance(5 * 60_000);
    const later = await w.backend.scanner.startScan(request());
    expect(later.buildId).not.toBe(first.buildId);
    expect(w.backend.scanner.replays).toBe(1);
  });

  it('fails a build with the outcome message, times a hung one out, and loses an event when told to', async () => {
    const w = world({ buildTimeoutMs: 30 * 60_000 });
    w.backend.images.declare(`${REGISTRY}/a:1`, digestOf('a'), { error: 'UNAUTHORIZED: pull denied' });
    w.backend.images.declare(`${REGISTRY}/b:1`, digestOf('b'), { timeout: true });
    w.backend.images.declare(`${REGISTRY}/c:1`, digestOf('c'), { report: REPORT, lostEvent: true });
    const a = await w.backend.scanner.startScan(request({ scanId: 'a', digest: digestOf('a'), imageReference: `${REGISTRY}/a@${digestOf('a')}` }));
    const b = await w.backend.scanner.startScan(request({ scanId: 'b', digest: digestOf('b'), imageReference: `${REGISTRY}/b@${digestOf('b')}` }));
    const c = await w.backend.scanner.startScan(request({ scanId: 'c', digest: digestOf('c'), imageReference: `${REGISTRY}/c@${digestOf('c')}`, reportKey: 'c.json' }));
    await w.simulation.advance(10 * 60_000);
    expect(await w.backend.scanner.getBuildStatuses([a.buildId, b.buildId, c.buildId])).toEqual([
      { buildId: a.buildId, status: 'FAILED' },
      { buildId: b.buildId, status: 'IN_PROGRESS' },
      { buildId: c.buildId, status: 'SUCCEEDED' },
    ]);
    expect(w.received.map((event) => (event.detail as Record<string, unknown>)['build-status'])).toEqual(['FAILED']);
    expect(JSON.stringify(w.received[0])).toContain('UNAUTHORIZED: pull denied');
    await w.simulation.advance(30 * 60_000);
    expect(w.received.map((event) => (event.detail as Record<string, unknown>)['build-status'])).toEqual(['FAILED', 'TIMED_OUT']);
  });

  it('fails only the first builds of a passing fault, then runs to the report; refusals do not count as builds', async () => {
    const w = world();
    w.backend.images.declare(IMAGE, DIGEST, { report: REPORT, error: 'toomanyrequests: Rate exceeded', failingBuilds: 1, capacityErrors: 1, durationMs: 60_000 });
    await expect(w.backend.scanner.startScan(request({ scanId: 'refused' }))).rejects.toBeInstanceOf(ScanCapacityError);
    const first = await w.backend.scanner.startScan(request({ scanId: 'first' }));
    await w.simulation.advance(60_000);
    const second = await w.backend.scanner.startScan(request({ scanId: 'second', reportKey: 'reports/second.json' }));
    await w.simulation.advance(60_000);
    expect(w.backend.scanner.builds.get(first.buildId)).toMatchObject({ status: 'FAILED', failure: 'toomanyrequests: Rate exceeded' });
    expect(w.backend.scanner.builds.get(second.buildId)).toMatchObject({ status: 'SUCCEEDED' });
    expect(JSON.parse(await w.backend.reports.getReport('reports/second.json')).ArtifactName).toBe(request().imageReference);
    await expect(w.backend.reports.getReport(request().reportKey)).rejects.toThrow();
  });

  it('fails every build of an error outcome without failingBuilds', async () => {
    const w = world();
    w.backend.images.declare(IMAGE, DIGEST, { report: REPORT, error: 'MANIFEST_UNKNOWN' });
    for (const scanId of ['a', 'b', 'c']) {
      const { buildId } = await w.backend.scanner.startScan(request({ scanId }));
      await w.simulation.advance(5 * 60_000);
      expect(w.backend.scanner.builds.get(buildId)?.status).toBe('FAILED');
    }
  });

  it('fails the build of an image the world does not have, and rejects a request whose reference is not an image reference', async () => {
    const w = world();
    const { buildId } = await w.backend.scanner.startScan(request());
    await w.simulation.advance(5 * 60_000);
    expect(w.backend.scanner.builds.get(buildId)).toMatchObject({ status: 'FAILED', failure: expect.stringMatching(/MANIFEST_UNKNOWN/) });
    await expect(w.backend.scanner.startScan(request({ imageReference: 'alpine; rm -rf /' }))).rejects.toThrow(/invalid image reference/);
  });

  it('scans a reference without a digest as what the reference pulls', async () => {
    const w = world();
    w.backend.images.declare('docker.io/library/nginx:1.27', digestOf('e'), { report: REPORT });
    const { buildId } = await w.backend.scanner.startScan(request({ digest: 'ref-0123', imageReference: 'nginx:1.27', reportKey: 'n.json' }));
    await w.simulation.advance(5 * 60_000);
    expect(w.backend.scanner.builds.get(buildId)?.status).toBe('SUCCEEDED');
    expect(JSON.parse(await w.backend.reports.getReport('n.json')).Metadata.RepoDigests).toEqual([`nginx@${digestOf('e')}`]);
  });
});

describe('rewriteReport', () => {
  it('leaves text that is not a Trivy report untouched', () => {
    const truncated = '{ "SchemaVersion": 2, "Results": [';
    expect(rewriteReport(truncated, request(), DIGEST, new Date())).toBe(truncated);
    expect(rewriteReport('{"matches": []}', request(), DIGEST, new Date())).toBe('{"matches": []}');
  });
});
