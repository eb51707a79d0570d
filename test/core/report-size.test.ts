import { DEFAULT_MAX_REPORT_BYTES, formatBytes, parseByteSize, reportTooLarge } from '../../functions/core/report-size';
import { inputErrorOf } from '../support/input-error';

describe('parseByteSize', () => {
  it.each([
    ['128MiB', 128 * 1024 * 1024],
    ['64MB', 64 * 1024 * 1024],
    ['512 mb', 512 * 1024 * 1024],
    ['2g', 2 * 1024 * 1024 * 1024],
    ['1.5KiB', 1536],
    ['1000', 1000],
    ['10b', 10],
  ])('reads %s as %d bytes', (text, bytes) => {
    expect(parseByteSize(text, '--max-report-size')).toBe(bytes);
  });

  it.each(['', 'big', '-1MiB', '12 parsecs', '0', '3GiB'])('refuses %j, naming the setting', (text) => {
    expect(inputErrorOf(() => parseByteSize(text, '--max-report-size')).message).toMatch(/^--max-report-size: expected a size/);
  });
});

describe('reportTooLarge', () => {
  it('names the file, its size, the limit and how to raise it', () => {
    const error = reportTooLarge({ source: 'big.json', size: 300 * 1024 * 1024, limit: DEFAULT_MAX_REPORT_BYTES, raiseWith: '--max-report-size' });
    expect(error.source).toBe('big.json');
    expect(error.message).toBe(
      'big.json: the scan report is 300 MiB (314572800 bytes), more than the 64 MiB (67108864-byte) limit for a scanner report; it was not read. ' +
        'Raise the limit with --max-report-size if such reports are expected',
    );
    expect(reportTooLarge({ source: 'pipe', limit: 1024, raiseWith: 'x' }).message).toContain('the scan report has more than 1024 bytes, more than the 1 KiB');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(10)).toBe('10 bytes');
  });
});
