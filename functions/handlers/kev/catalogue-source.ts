import { InputError } from '../../core/errors';
import { parseKevCatalogueText, type KevCatalogue } from '../../core/findings/kev';
import { kevCatalogueAgeHours } from '../../core/findings/kev-refresh';
import type { Clock, MetricsPort } from '../../core/ports';
import type { Logger } from '../logger';

/** Where the gate reads the catalogue the refresh keeps (S3KevCatalogue on AWS). */
export interface KevCatalogueReader {
  read(): Promise<string | undefined>;
}

export type KevLookup = { catalogue: KevCatalogue } | { unavailable: string };

export interface KevCatalogueSourceOptions {
  /** How long one read serves this execution environment. @default 15 minutes */
  ttlMs?: number;
  /** Age (since dateReleased) past which the catalogue counts as stale: still used, but counted. @default 4 days */
  staleAfterMs?: number;
}

/** Metric counted on every lookup that had no usable catalogue, and on every one that used a stale one. */
export const KEV_LOOKUP_METRICS = { unavailable: 'KevCatalogueUnavailable', stale: 'KevCatalogueStale' } as const;

/**
 * The KEV catalogue for the gate, read at most once per `ttlMs` per execution environment (a scan verdict needs it,
 * a task decision does not). A missing or unreadable catalogue is an answer (`unavailable`, with why), cached like a
 * good one so a missing object is not read for every verdict; a stale one is still used (a listing never stops being
 * true) and counted. Failures a retry may fix (S3 throttling) propagate, as for any other read.
 */
export class KevCatalogueSource {
  private cached?: { at: number; lookup: KevLookup };
  private readonly ttlMs: number;
  private readonly staleAfterMs: number;

  constructor(
    private readonly reader: KevCatalogueReader,
    private readonly clock: Clock,
    private readonly metrics: MetricsPort,
    private readonly log: Logger,
    options: KevCatalogueSourceOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 15 * 60_000;
    this.staleAfterMs = options.staleAfterMs ?? 4 * 24 * 3_600_000;
  }

  async get(): Promise<KevLookup> {
    const now = this.clock.now();
    if (!this.cached || now.getTime() - this.cached.at >= this.ttlMs) this.cached = { at: now.getTime(), lookup: await this.load() };
    const { lookup } = this.cached;
    if ('unavailable' in lookup) this.metrics.count(KEV_LOOKUP_METRICS.unavailable);
    else if (kevCatalogueAgeHours(lookup.catalogue, now) * 3_600_000 > this.staleAfterMs) this.metrics.count(KEV_LOOKUP_METRICS.stale);
    return lookup;
  }

  private async load(): Promise<KevLookup> {
    const text = await this.reader.read();
    if (text === undefined) {
      this.log.warn('the KEV catalogue does not exist yet: knownExploited is judged on the reports alone');
      return { unavailable: 'the stack\'s KEV catalogue does not exist yet' };
    }
    try {
      return { catalogue: parseKevCatalogueText(text, 'the stack\'s KEV catalogue') };
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      this.log.error({ reason: error.message }, 'the KEV catalogue is unreadable: knownExploited is judged on the reports alone');
      return { unavailable: `the stack's KEV catalogue is unreadable: ${error.message}` };
    }
  }
}
