import { resolve } from 'node:path';
import { defaultGateFactory } from '../../functions/cli/simulate-gate';
import { runScenario } from '../../functions/cli/simulate-runner';
import { loadScenario, parseScenario } from '../../functions/cli/simulate-scenario';

const SCENARIOS = resolve(__dirname, '../../examples/scenarios');
const CATALOG = 'sha256:3a1c0ffee0d6f1b2a3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081920';
const PAYMENTS = 'sha256:5100aaaabbbbccccddddeeeeffff00001111222233334444555566667777bbbb';

describe('simulate: a running image drifts on new scanner data (running-image-drift.json)', () => {
  let result: Awaited<ReturnType<typeof runScenario>>;
  beforeAll(async () => {
    result = await runScenario(await loadScenario(resolve(SCENARIOS, 'running-image-drift.json')), defaultGateFactory);
  });

  it('meets every expectation it states', () => {
    expect(result.expectations.filter((e) => !e.ok)).toEqual([]);
    expect(result.expectations.map((e) => e.what)).toEqual(expect.arrayContaining(['finding events opened', 'opened finding event names service catalog and its tasks']));
  });

  it('re-judges the digests in use from their stored SBOMs (no image pull), never the digest no task runs any more', () => {
    const modes = [...result.backend.scanner.builds.values()].map((build) => [build.request.digest, build.request.mode ?? 'image']);
    const rejudged = modes.filter(([, mode]) => mode === 'sbom');
    expect(rejudged.length).toBeGreaterThanOrEqual(2);
    expect(new Set(rejudged.map(([digest]) => digest))).toEqual(new Set([CATALOG, PAYMENTS]));
    // payments:1's digest was scanned once at deploy time; it ran again only after the rollback.
    expect(modes.filter(([, mode]) => mode === 'sbom').some(([digest]) => digest !== CATALOG && digest !== PAYMENTS)).toBe(false);
  });

  it('publishes one opened "Fargate Gate Finding" per drifted digest, naming the service, its tasks and the drift', () => {
    const opened = result.backend.findingEvents.published.filter((event) => event.state === 'opened');
    expect(opened.map((event) => [event.digest, event.finding.id, [...new Set(event.uses.map((use) => use.service))]])).toEqual(
      expect.arrayContaining([
        [CATALOG, 'CVE-2024-6345', ['catalog']],
        [PAYMENTS, 'CVE-2024-6345', ['payments']],
      ]),
    );
    const catalog = opened.find((event) => event.digest === CATALOG);
    expect(catalog?.totalUses).toBe(2);
    expect(catalog?.uses.every((use) => use.taskArn.includes(':task/prod/'))).toBe(true);
    expect(catalog?.drift?.openedAt).toBeDefined();
  });

  it('settles the exposure of the drifting services when the finding opens: no public IP and no load balancer, internal', () => {
    const catalog = result.backend.findingEvents.published.find((event) => event.state === 'opened' && event.digest === CATALOG);
    expect(catalog?.uses.map((use) => [use.exposure, use.exposureSource])).toEqual([
      ['internal', 'DescribeServices: no load balancer, assignPublicIp DISABLED'],
      ['internal', 'DescribeServices: no load balancer, assignPublicIp DISABLED'],
    ]);
    expect(catalog).toMatchObject({ exposure: 'internal', exposureCounts: { public: 0, internal: 2, unknown: 0 } });
  });

  it('lets a launch run inside the grace, with a warning, and denies one after it', () => {
    const decisions = result.actions.flatMap((action) => (action.type === 'notify' && action.event.taskArn ? [[result.labelOf(action.event.taskArn), action.event.decision]] : []));
    expect(decisions).toContainEqual(['within-grace', 'warn']);
    expect(decisions).toContainEqual(['after-grace', 'fail']);
  });

  it('handles the running services as their scope says: catalog notified only, payments rolled back to payments:1', () => {
    expect(result.counts.actions.rollbackDeployment).toBe(1);
    const catalogTasks = result.tasks.filter((task) => task.service === 'catalog');
    expect(catalogTasks.map((task) => task.lastStatus)).toEqual(['RUNNING', 'RUNNING']);
    expect(result.services.find((service) => service.name === 'payments')?.running).toEqual([{ taskDefinition: 'payments:1', tasks: 1 }]);
  });
});

describe('simulate: the newData step and the findingEvents expectation', () => {
  const base = {
    name: 'new-data',
    policy: { schemaVersion: '1', name: 'p', mode: 'enforce', onScanError: 'deny', rules: {} },
    taskDefinitions: [{ family: 'web', revision: 1, containerDefinitions: [{ name: 'web', image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1' }] }],
    images: { '123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1': { digest: `sha256:${'a'.repeat(64)}`, scan: { report: '../reports/distroless-nonroot.trivy.json' } } },
  };
  const file = resolve(SCENARIOS, 'new-data.json');

  it('needs exactly one scan end, as an image outcome does, naming the JSON path', async () => {
    await expect(parseScenario({ ...base, steps: [{ newData: { image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1', scan: {} } }] }, file)).rejects.toThrow(/steps\[0\]\.newData\.scan.*needs exactly one of report, error, timeout/s);
  });

  it('fails a findingEvents expectation that is not met', async () => {
    const scenario = await parseScenario({ ...base, steps: [{ sweep: true }], expect: { findingEvents: { opened: 1, services: ['web'] } } }, file);
    const run = await runScenario(scenario, defaultGateFactory);
    expect(run.expectations.filter((e) => !e.ok).map((e) => e.what)).toEqual(['finding events opened', 'opened finding event names service web and its tasks']);
  });
});
