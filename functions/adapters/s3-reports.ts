import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DEFAULT_MAX_REPORT_BYTES, REPORT_SIZE_SETTING, reportTooLarge } from '../core/report-size';
import { ReportMissingError, type ReportPort } from '../core/ports';
import { hasAwsErrorName } from './aws-errors';
import { s3Location } from './s3-location';

/** The one report-size limit (core/report-size.ts), re-exported where the adapter's callers look for it. */
export { DEFAULT_MAX_REPORT_BYTES };

export interface S3ReportsOptions {
  client: S3Client;
  bucket: string;
  /** Key prefix the scan builds write under (e.g. `reports/`), used by `keyFor`. */
  prefix?: string;
  maxReportBytes?: number;
}

/**
 * `ReportPort` on S3: the raw scanner reports the scan builds write. Report keys are full object keys in the
 * reports bucket. A missing object is `ReportMissingError` (for that to be a 404 and not a 403, the gate's
 * role needs `s3:ListBucket` on the bucket); a report above the size cap is an `InputError`, read no further.
 */
export class S3Reports implements ReportPort {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly maxReportBytes: number;

  constructor(options: S3ReportsOptions) {
    if (!options.bucket) throw new Error('S3Reports: bucket is required');
    this.client = options.client;
    this.bucket = options.bucket;
    this.prefix = options.prefix ?? '';
    this.maxReportBytes = options.maxReportBytes ?? DEFAULT_MAX_REPORT_BYTES;
  }

  /** Where the scan build writes a digest's report: `<prefix><algorithm>/<hex>/<scanId>.json`. */
  keyFor(digest: string, scanId: string): string {
    const safeScanId = scanId.replace(/[^A-Za-z0-9._-]/g, '_');
    return `${this.prefix}${digest.replace(':', '/')}/${safeScanId}.json`;
  }

  locationOf(reportKey: string): string {
    return s3Location(this.bucket, reportKey);
  }

  async getReport(reportKey: string): Promise<string> {
    const location = this.locationOf(reportKey);
    let body: AsyncIterable<Uint8Array> | undefined;
    let contentLength: number | undefined;
    try {
      const result = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: reportKey }));
      body = result.Body as AsyncIterable<Uint8Array> | undefined;
      contentLength = result.ContentLength;
    } catch (error) {
      if (hasAwsErrorName(error, 'NoSuchKey', 'NotFound')) {
        throw new ReportMissingError(`scan report ${location} does not exist`, { cause: error });
      }
      throw error;
    }
    if (!body) throw new ReportMissingError(`scan report ${location} has no body`);
    if (contentLength !== undefined && contentLength > this.maxReportBytes) {
      destroy(body);
      throw this.tooLarge(location, contentLength);
    }

    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of body) {
      total += chunk.byteLength;
      // ContentLength can be absent (or wrong); the cap holds on what is actually read.
      if (total > this.maxReportBytes) {
        destroy(body);
        throw this.tooLarge(location);
      }
      chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    }
    return Buffer.concat(chunks, total).toString('utf8');
  }

  /** The report-size error every reader gives; the scan is then an error that onScanError judges. */
  private tooLarge(location: string, size?: number): Error {
    return reportTooLarge({ source: `scan report ${location}`, limit: this.maxReportBytes, raiseWith: REPORT_SIZE_SETTING.lambda, ...(size !== undefined ? { size } : {}) });
  }
}

function destroy(body: unknown): void {
  const stream = body as { destroy?: () => void };
  if (typeof stream.destroy === 'function') stream.destroy();
}
