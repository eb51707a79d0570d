import { ReportMissingError, type ReportPort } from '../core/ports';
import type { ActivityLog } from './activity';

/** The reports bucket: raw scanner reports written by builds, read by the gate. */
export class MemoryReports implements ReportPort {
  private readonly objects = new Map<string, string>();

  constructor(
    readonly bucket: string = 'fargate-gate-reports-111122223333',
    private readonly activity?: ActivityLog,
  ) {}

  /** What a build's upload does. */
  put(reportKey: string, text: string): void {
    this.objects.set(reportKey, text);
  }

  has(reportKey: string): boolean {
    return this.objects.has(reportKey);
  }

  async getReport(reportKey: string): Promise<string> {
    this.activity?.call('reports.getReport');
    const text = this.objects.get(reportKey);
    if (text === undefined) throw new ReportMissingError(`s3://${this.bucket}/${reportKey} does not exist (NoSuchKey)`);
    return text;
  }

  locationOf(reportKey: string): string {
    return `s3://${this.bucket}/${reportKey}`;
  }
}
