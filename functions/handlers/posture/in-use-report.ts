import { buildInUseReport, type InUseReport } from '../../core/posture/in-use-report';
import type { InventoryStore } from '../../core/posture/ports';
import type { ReportObjectPort } from '../../core/posture/report-objects';
import type { LoadedPolicy, Policy } from '../../core/policy';
import type { Clock, GateStore, MetricsPort } from '../../core/ports';
import { renderInUseCsv } from '../../core/render/in-use-csv';
import { renderInUseHtml } from '../../core/render/in-use-html';
import { renderInUseJson } from '../../core/render/in-use-json';
import type { Logger } from '../logger';

/** Key prefix of the in-use reports in the reports bucket: `in-use/<date>/` and `in-use/latest/`. */
export const IN_USE_REPORT_PREFIX = 'in-use/';

/** The files of one report, by extension, with the type a browser opens them as. */
const FILES = [
  { name: 'in-use.json', type: 'application/json', render: renderInUseJson },
  // RFC 4180 section 3 registers text/csv with an optional header parameter.
  { name: 'in-use.csv', type: 'text/csv; charset=utf-8; header=present', render: renderInUseCsv },
  { name: 'in-use.html', type: 'text/html; charset=utf-8', render: renderInUseHtml },
] as const;

/** Digests whose uses are read at once: the inventory answers one query per digest. */
const USE_QUERIES_IN_FLIGHT = 8;

export interface InUseReportDependencies {
  inventory: Pick<InventoryStore, 'listDigestsInUse' | 'listUsesOfDigest'>;
  store: Pick<GateStore, 'getVerdicts'>;
  objects: ReportObjectPort;
  policy: LoadedPolicy<Policy>;
  clock: Clock;
  metrics: MetricsPort;
  logger: Logger;
  exceptionWindowDays?: number;
}

export interface InUseReportRun {
  keys: string[];
  images: number;
  failing: number;
}

/**
 * The scheduled in-use report: reads the inventory (which digests are in use, then each one's open uses) and the
 * current verdicts (one batched read), builds the report and writes it as JSON, CSV and HTML, first under the day's
 * folder and then under `latest/`, so `latest/` only ever points at a complete set. A failure throws: the schedule's
 * retry runs it again, and the dated files of a run that failed half-way are rewritten whole.
 */
export async function publishInUseReport(deps: InUseReportDependencies): Promise<InUseReportRun> {
  const now = deps.clock.now();
  const report = await inUseReportFromInventory(deps, now);

  const keys: string[] = [];
  for (const folder of [now.toISOString().slice(0, 10), 'latest']) {
    for (const file of FILES) {
      const key = `${IN_USE_REPORT_PREFIX}${folder}/${file.name}`;
      await deps.objects.putObject(key, file.render(report), file.type);
      keys.push(key);
    }
  }
  const failing = failingImages(report);
  deps.metrics.count('ImagesInUse', report.summary.images);
  deps.metrics.count('ImagesInUseFailing', failing);
  deps.logger.info(
    { images: report.summary.images, failing, tasks: report.summary.tasks, expiringExceptions: report.expiringExceptions.length, truncated: report.truncated, keys: keys.length },
    'in-use report written',
  );
  return { keys, images: report.summary.images, failing };
}

/**
 * The in-use report of what the inventory holds now: which digests are in use, then each one's open uses, and the
 * current verdicts (one batched read). The scheduled report and `fargate-gate report --scenario` (on the simulated
 * gate's inventory) both read it here, so a report shows what the gate recorded, never another view of the world.
 */
export async function inUseReportFromInventory(
  deps: Pick<InUseReportDependencies, 'inventory' | 'store' | 'policy' | 'exceptionWindowDays'>,
  now: Date,
): Promise<InUseReport> {
  const digests = (await deps.inventory.listDigestsInUse()).map((entry) => entry.digest);
  const uses = (await mapLimited(digests, USE_QUERIES_IN_FLIGHT, (digest) => deps.inventory.listUsesOfDigest(digest))).flat();
  const verdicts = await deps.store.getVerdicts(digests, deps.policy.hash);
  return buildInUseReport({
    uses,
    verdicts,
    policy: deps.policy,
    now,
    ...(deps.exceptionWindowDays !== undefined ? { exceptionWindowDays: deps.exceptionWindowDays } : {}),
  });
}

function failingImages(report: InUseReport): number {
  return report.summary.byDecision.fail + report.summary.byDecision.error;
}

/** `Promise.all` over `items`, at most `limit` calls in flight, results in the items' order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, call: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await call(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
