import { S3Client } from '@aws-sdk/client-s3';
import { S3KevCatalogue } from '../../adapters/s3-kev-catalogue';
import { GATE_ENV } from '../environment';
import { DEFAULT_KEV_FEED_MAX_BYTES, DEFAULT_KEV_FEED_TIMEOUT_MS, fetchFeedText } from '../kev/fetch-feed';
import { refreshKevCatalogue, type KevRefreshOutcome } from '../kev/refresh';
import { createLogger } from '../logger';
import { EmfMetrics } from '../metrics-emf';

/** Environment of the KEV refresh function (set by infra/kev-catalogue.ts). */
export const KEV_ENV = {
  feedUrl: 'KEV_FEED_URL',
  catalogueKey: 'KEV_CATALOGUE_KEY',
} as const;

const client = new S3Client({});

/**
 * Entry point of the daily KEV catalogue refresh (an EventBridge schedule). A thrown error is a failed refresh: the
 * schedule retries, and the failure and stale-catalogue alarms see it; the catalogue in place is never removed.
 */
export async function handler(): Promise<KevRefreshOutcome> {
  const env = process.env;
  const url = env[KEV_ENV.feedUrl];
  const bucket = env[GATE_ENV.reportBucket];
  if (!url || !bucket) throw new Error(`${KEV_ENV.feedUrl} and ${GATE_ENV.reportBucket} must be set`);
  const metrics = new EmfMetrics({ namespace: env[GATE_ENV.metricsNamespace] || undefined });
  try {
    return await refreshKevCatalogue(
      {
        fetchFeed: (feedUrl) => fetchFeedText(feedUrl, { maxBytes: DEFAULT_KEV_FEED_MAX_BYTES, timeoutMs: DEFAULT_KEV_FEED_TIMEOUT_MS }),
        store: new S3KevCatalogue({ client, bucket, ...(env[KEV_ENV.catalogueKey] ? { key: env[KEV_ENV.catalogueKey] } : {}) }),
        metrics,
        logger: createLogger({ level: env[GATE_ENV.logLevel] }),
        now: () => new Date(),
      },
      { url },
    );
  } finally {
    metrics.flush();
  }
}
