import { InputError } from '../../functions/core/errors';
import { ReportMissingError } from '../../functions/core/ports';
import { DEFAULT_MAX_REPORT_BYTES } from '../../functions/core/report-size';
import { MemoryReports } from '../../functions/local/reports';

describe('MemoryReports', () => {
  it('gives back what a build uploaded, and a missing report as ReportMissingError', async () => {
    const reports = new MemoryReports('bucket');
    reports.put('reports/a.json', '{"SchemaVersion":2}');
    await expect(reports.getReport('reports/a.json')).resolves.toBe('{"SchemaVersion":2}');
    await expect(reports.getReport('reports/b.json')).rejects.toBeInstanceOf(ReportMissingError);
  });

  it('refuses a report over the limit as the S3 reader does, counting bytes and not characters', async () => {
    const reports = new MemoryReports('bucket', undefined, 8);
    reports.put('reports/ok.json', '"ééé"'); // 8 bytes
    reports.put('reports/big.json', '"éééé"'); // 10 bytes, 6 characters
    await expect(reports.getReport('reports/ok.json')).resolves.toBe('"ééé"');
    const failure = reports.getReport('reports/big.json');
    await expect(failure).rejects.toBeInstanceOf(InputError);
    await expect(failure).rejects.toThrow('scan report s3://bucket/reports/big.json: the scan report is 10 bytes (10 bytes), more than the 8 bytes (8-byte) limit');
  });

  it('applies the deployed gate\'s default limit when given none', async () => {
    const reports = new MemoryReports('bucket');
    reports.put('reports/big.json', ' '.repeat(DEFAULT_MAX_REPORT_BYTES + 1));
    // Compared as a short outcome: were the 64 MiB text itself the received value, a failure would print all of it.
    const outcome = await reports.getReport('reports/big.json').then(
      (text) => `read ${text.length} characters`,
      (error: Error) => error.message,
    );
    expect(outcome).toContain(`more than the 64 MiB (${DEFAULT_MAX_REPORT_BYTES}-byte) limit`);
  });
});
