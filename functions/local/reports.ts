import { ReportMissingError, type ReportPort } from '../core/ports';
import { DEFAULT_MAX_REPORT_BYTES, REPORT_SIZE_SETTING, reportTooLarge } from '../core/report-size';
import type { ActivityLog } from './activity';

/**
 * The reports bucket: raw scanner reports written by builds, read by the gate. A report over the limit is refused as
 * S3Reports refuses it (the same error), so a simulation never judges a report the deployed gate would not read.
 */
export class MemoryReports implements ReportPort {
  private readonly objects = new Map<string, string>();

  constructor(
    readonly bucket: string = 'fargate-gate-reports-111122223333',
    private readonly activity?: ActivityLog,
    private readonly maxReportBytes: number = DEFAULT_MAX_REPORT_BYTES,
  ) {}

  /** What a build's upload does. */
  put(reportKey: string, text: string): void {
    this.objects.set(reportKey, text);
  }

  has(reportKey: string): boolean {
    return this.objects.has(reportKey);
  }

  /** An object as stored, without counting a call (what a build reads from the bucket, not the gate). */
  peek(key: string): string | undefined {
    return this.objects.get(key);
  }

  async getReport(reportKey: string): Promise<string> {
    this.activity?.call('reports.getReport');
    const text = this.objects.get(reportKey);
    if (text === undefined) throw new ReportMissingError(`s3://${this.bucket}/${reportKey} does not exist (NoSuchKey)`);
    const size = Buffer.byteLength(text, 'utf8');
    if (size > this.maxReportBytes) {
      throw reportTooLarge({ source: `scan report ${this.locationOf(reportKey)}`, size, limit: this.maxReportBytes, raiseWith: REPORT_SIZE_SETTING.lambda });
    }
    return text;
  }

  locationOf(reportKey: string): string {
    return `s3://${this.bucket}/${reportKey}`;
  }
}
