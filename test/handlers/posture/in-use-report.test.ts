import { inUseReportSchema } from '../../../functions/core/posture/in-use-report-schema';
import type { DigestInUse, InventoryStore, TaskUse } from '../../../functions/core/posture/ports';
import type { ReportObjectPort } from '../../../functions/core/posture/report-objects';
import type { GateStore, StoredVerdict } from '../../../functions/core/ports';
import { IN_USE_REPORT_PREFIX, publishInUseReport } from '../../../functions/handlers/posture/in-use-report';
import { createLogger } from '../../../functions/handlers/logger';
import { RecordingMetrics } from '../../../functions/local/notifier';
import { REPORT_NOW, digestOf, reportPolicy, use, verdict, vuln } from '../../core/posture/in-use-fixtures';

/** The two inventory questions the report asks, over a fixed list of uses (closed ones included, as a store keeps them). */
class InventoryDouble implements Pick<InventoryStore, 'listDigestsInUse' | 'listUsesOfDigest'> {
  readonly asked: string[] = [];
  constructor(private readonly uses: TaskUse[]) {}
  async listDigestsInUse(): Promise<DigestInUse[]> {
    const open = this.uses.filter((u) => !u.stoppedAt);
    return [...new Set(open.map((u) => u.digest))].map((digest) => ({ digest, openTasks: open.filter((u) => u.digest === digest).length, inUseSince: '2026-09-01T08:00:00Z' }));
  }
  async listUsesOfDigest(digest: string): Promise<TaskUse[]> {
    this.asked.push(digest);
    return this.uses.filter((u) => u.digest === digest && !u.stoppedAt);
  }
}

class ObjectsDouble implements ReportObjectPort {
  readonly objects = new Map<string, { body: string; type: string }>();
  readonly order: string[] = [];
  failOn?: string;
  async putObject(key: string, body: string, type: string): Promise<void> {
    if (key === this.failOn) throw new Error(`S3 refused ${key}`);
    this.objects.set(key, { body, type });
    this.order.push(key);
  }
}

const loaded = reportPolicy();
const [FAILING, PASSING] = [digestOf('f'), digestOf('e')];
const verdicts = new Map<string, StoredVerdict>([
  [FAILING, verdict(loaded, FAILING, [vuln('CVE-2026-0001', 'critical')])],
  [PASSING, verdict(loaded, PASSING, [])],
]);

function setup(uses: TaskUse[] = [use(FAILING, 't1'), use(FAILING, 't2'), use(PASSING, 't3'), use(PASSING, 'old', { stoppedAt: '2026-09-09T00:00:00Z' })]) {
  const inventory = new InventoryDouble(uses);
  const objects = new ObjectsDouble();
  const metrics = new RecordingMetrics();
  const reads: { digests: string[]; policyHash: string }[] = [];
  const store: Pick<GateStore, 'getVerdicts'> = {
    async getVerdicts(digests, policyHash) {
      reads.push({ digests, policyHash });
      return new Map([...verdicts].filter(([digest]) => digests.includes(digest)));
    },
  };
  const deps = { inventory, store, objects, policy: loaded, clock: { now: () => REPORT_NOW }, metrics, logger: createLogger({ level: 'silent' }) };
  return { deps, inventory, objects, metrics, reads };
}

describe('publishInUseReport', () => {
  it('writes JSON, CSV and HTML under the day and then under latest/, with their content types', async () => {
    const { deps, objects } = setup();
    const run = await publishInUseReport(deps);
    const names = ['in-use.json', 'in-use.csv', 'in-use.html'];
    expect(objects.order).toEqual([...names.map((n) => `${IN_USE_REPORT_PREFIX}2026-09-10/${n}`), ...names.map((n) => `${IN_USE_REPORT_PREFIX}latest/${n}`)]);
    expect(run).toEqual({ keys: objects.order, images: 2, failing: 1 });
    expect(objects.objects.get('in-use/latest/in-use.html')?.type).toBe('text/html; charset=utf-8');
    expect(objects.objects.get('in-use/latest/in-use.csv')?.type).toMatch(/^text\/csv; charset=utf-8/);
    expect(objects.objects.get('in-use/latest/in-use.json')?.type).toBe('application/json');
    expect(objects.objects.get('in-use/2026-09-10/in-use.json')?.body).toBe(objects.objects.get('in-use/latest/in-use.json')?.body);
  });

  it('reports every open use of each digest in use, judged by the verdicts read in one batch under the policy', async () => {
    const { deps, objects, inventory, reads } = setup();
    await publishInUseReport(deps);
    expect(reads).toEqual([{ digests: [FAILING, PASSING], policyHash: loaded.hash }]);
    expect(inventory.asked.sort()).toEqual([PASSING, FAILING].sort());
    const report = inUseReportSchema.parse(JSON.parse(objects.objects.get('in-use/latest/in-use.json')?.body ?? ''));
    expect(report.rows.map((row) => [row.digest, row.decision, row.taskCount])).toEqual([
      [FAILING, 'fail', 2],
      [PASSING, 'pass', 1],
    ]);
    expect(report.generatedAt).toBe(REPORT_NOW.toISOString());
  });

  it('counts the images in use and those failing (the dashboard reads both)', async () => {
    const { deps, metrics } = setup();
    await publishInUseReport(deps);
    expect(metrics.points).toEqual([
      { kind: 'count', name: 'ImagesInUse', value: 2 },
      { kind: 'count', name: 'ImagesInUseFailing', value: 1 },
    ]);
  });

  it('leaves latest/ as it was when a dated file cannot be written, and throws for the retry', async () => {
    const { deps, objects } = setup();
    objects.failOn = 'in-use/2026-09-10/in-use.html';
    await expect(publishInUseReport(deps)).rejects.toThrow('S3 refused in-use/2026-09-10/in-use.html');
    expect([...objects.objects.keys()].filter((key) => key.startsWith('in-use/latest/'))).toEqual([]);
  });

  it('writes an empty report when nothing runs', async () => {
    const { deps, objects } = setup([]);
    expect(await publishInUseReport(deps)).toMatchObject({ images: 0, failing: 0 });
    expect(objects.objects.get('in-use/latest/in-use.html')?.body).toContain('No image is in use.');
  });

  it('reads the uses of many digests with a bounded number of queries in flight', async () => {
    const many = Array.from({ length: 30 }, (_, i) => use(digestOf((i % 16).toString(16)).replace(/.$/, String(i % 10)), `t${i}`));
    const { deps, inventory } = setup(many);
    let inFlight = 0;
    let most = 0;
    const ask = inventory.listUsesOfDigest.bind(inventory);
    inventory.listUsesOfDigest = async (digest: string) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
      return ask(digest);
    };
    const run = await publishInUseReport(deps);
    expect(run.images).toBe(new Set(many.map((u) => u.digest)).size);
    expect(most).toBe(8);
  });
});
