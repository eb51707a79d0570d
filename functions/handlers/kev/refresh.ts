import { InputError } from '../../core/errors';
import { parseKevCatalogueText, type KevCatalogue } from '../../core/findings/kev';
import { DEFAULT_KEV_REFRESH_LIMITS, kevCatalogueAgeHours, kevRefreshProblems, type KevRefreshLimits } from '../../core/findings/kev-refresh';
import type { MetricsPort } from '../../core/ports';
import type { Logger } from '../logger';

/** The one object the catalogue lives in (the reports bucket, a fixed key). */
export interface KevCatalogueStore {
  /** The stored feed text; undefined when there is none yet. */
  read(): Promise<string | undefined>;
  write(text: string): Promise<void>;
}

export interface KevRefreshDeps {
  /** Downloads the feed (`fetchFeedText` on AWS; a fake in tests). */
  fetchFeed: (url: string) => Promise<string>;
  store: KevCatalogueStore;
  metrics: MetricsPort;
  logger: Logger;
  now: () => Date;
}

export interface KevRefreshConfig {
  url: string;
  limits?: KevRefreshLimits;
}

export type KevRefreshOutcome =
  | { status: 'replaced'; version: string; count: number }
  | { status: 'unchanged'; version: string }
  | { status: 'refused'; problems: string[] };

/** Metric names the refresh publishes and the stack alarms on. */
export const KEV_METRICS = {
  /** Hours since the catalogue in place was released, after each run: the stale-catalogue alarm reads it. */
  ageHours: 'KevCatalogueAgeHours',
  /** A run that kept the old catalogue (download failed, or the new one was refused). */
  refreshFailures: 'KevCatalogueRefreshFailures',
} as const;

/**
 * One scheduled refresh: download CISA's feed, read it with the same parser `evaluate --kev` uses, check it against
 * the catalogue in place (`kevRefreshProblems`), and only then overwrite the object. A failed download, an unreadable
 * feed or a refused one leaves the catalogue in place, counts a failure and rethrows (the schedule's retries and
 * the failure alarm see it); the age metric is published either way, so a catalogue that stops being renewed
 * raises the stale alarm. Nothing here ever deletes the catalogue.
 */
export async function refreshKevCatalogue(deps: KevRefreshDeps, config: KevRefreshConfig): Promise<KevRefreshOutcome> {
  const now = deps.now();
  const log = deps.logger.child({ kind: 'kevRefresh', url: config.url });
  const previous = await readPrevious(deps.store, log);
  let outcome: KevRefreshOutcome;
  try {
    const text = await deps.fetchFeed(config.url);
    const next = parseKevCatalogueText(text, config.url);
    const problems = kevRefreshProblems(next, previous, now, config.limits ?? DEFAULT_KEV_REFRESH_LIMITS);
    if (problems.length > 0) {
      outcome = { status: 'refused', problems };
    } else if (previous && previous.source.version === next.source.version && previous.count === next.count) {
      outcome = { status: 'unchanged', version: next.source.version ?? '' };
    } else {
      await deps.store.write(text);
      outcome = { status: 'replaced', version: next.source.version ?? '', count: next.count };
      publishAge(deps, next, now);
      log.info({ catalogVersion: next.source.version, count: next.count, dateReleased: next.source.released }, 'KEV catalogue replaced');
      return outcome;
    }
  } catch (error) {
    deps.metrics.count(KEV_METRICS.refreshFailures);
    if (previous) publishAge(deps, previous, now);
    log.error({ err: error, kept: previous?.source.version ?? 'none' }, 'KEV catalogue refresh failed: the catalogue in place is kept');
    throw error;
  }
  if (previous) publishAge(deps, previous, now);
  if (outcome.status === 'refused') {
    deps.metrics.count(KEV_METRICS.refreshFailures);
    log.error({ problems: outcome.problems, kept: previous?.source.version ?? 'none' }, 'KEV catalogue refused: the catalogue in place is kept');
    throw new Error(`KEV catalogue from ${config.url} refused: ${outcome.problems.join('; ')}`);
  }
  log.info({ catalogVersion: outcome.version }, 'KEV catalogue unchanged');
  return outcome;
}

function publishAge(deps: KevRefreshDeps, catalogue: KevCatalogue, now: Date): void {
  deps.metrics.count(KEV_METRICS.ageHours, Math.floor(kevCatalogueAgeHours(catalogue, now)));
}

/** The catalogue in place; an unreadable one counts as none (it is replaced by the next good download). */
async function readPrevious(store: KevCatalogueStore, log: Logger): Promise<KevCatalogue | undefined> {
  const text = await store.read();
  if (text === undefined) return undefined;
  try {
    return parseKevCatalogueText(text, 'the stored KEV catalogue');
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    log.warn({ reason: error.message }, 'the stored KEV catalogue is unreadable: it will be replaced');
    return undefined;
  }
}
