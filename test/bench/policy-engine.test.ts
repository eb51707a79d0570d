import { parseScanReportText } from '../../functions/core/findings';
import { generateLargeTrivyReport, median, percentile } from '../../bench/policy-engine';

describe('generateLargeTrivyReport', () => {
  it('writes a Trivy report the real parser reads back with exactly the findings asked for, of every severity and fix state', () => {
    const text = generateLargeTrivyReport({ findings: 500 });
    expect(generateLargeTrivyReport({ findings: 500 })).toBe(text);
    const report = parseScanReportText(text, 'generated');
    expect(report.vulnerabilities).toHaveLength(500);
    expect(new Set(report.vulnerabilities.map((v) => v.severity))).toEqual(new Set(['critical', 'high', 'medium', 'low', 'unknown']));
    expect(new Set(report.vulnerabilities.map((v) => v.fixState))).toEqual(new Set(['fixed', 'unfixed', 'wont_fix']));
  });
});

describe('median and percentile', () => {
  it('take the middle and the nearest rank', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
    expect(percentile(Array.from({ length: 100 }, (_, i) => i + 1), 99)).toBe(99);
    expect(Number.isNaN(median([]))).toBe(true);
  });
});
