import { resolve } from 'node:path';
import { cli, REPO_ROOT } from './harness';

const KEV_DIR = resolve(__dirname, '../fixtures/kev');
const REPORT = resolve(KEV_DIR, 'trivy-payments-api-unfixed-medium.json');
const STRICT = resolve(REPO_ROOT, 'policies/strict.json');
const NOW = new Date('2026-12-05T00:00:00Z');

describe('evaluate --kev', () => {
  it('denies a KEV-listed medium finding under strict.json, naming the catalogue', async () => {
    const run = await cli(['evaluate', '--report', REPORT, '--policy', STRICT, '--kev', resolve(KEV_DIR, 'kev-catalogue.json'), '--format', 'json'], { now: NOW });
    expect(run.code).toBe(1);
    const result = JSON.parse(run.stdout);
    expect(result.violations.map((v: { id: string; severity: string; details: Record<string, unknown> }) => [v.id, v.severity, v.details.matchedBy, v.details.knownExploited])).toEqual([
      ['CVE-2025-0395', 'medium', 'knownExploited', 'CISA KEV catalogue 2026.12.01 (released 2026-12-01T14:00:00.000Z)'],
    ]);
  });

  it('does not deny the same finding without --kev: the Trivy report carries no KEV data', async () => {
    const run = await cli(['evaluate', '--report', REPORT, '--policy', STRICT, '--format', 'json'], { now: NOW });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).violations).toEqual([]);
  });

  it('refuses a catalogue whose count disagrees with its list, with exit 2 and the JSON path', async () => {
    const run = await cli(['evaluate', '--report', REPORT, '--policy', STRICT, '--kev', resolve(KEV_DIR, 'kev-count-mismatch.json')], { now: NOW });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('kev-count-mismatch.json at count: KEV catalogue: says 3 vulnerabilities, but the catalogue lists 2');
  });

  it('refuses a catalogue over the size limit before reading it', async () => {
    const run = await cli(['evaluate', '--report', REPORT, '--policy', STRICT, '--kev', resolve(KEV_DIR, 'kev-catalogue.json'), '--max-report-size', '100'], { now: NOW });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('kev-catalogue.json: the KEV catalogue is ');
    expect(run.stderr).toContain('Raise the limit with --max-report-size');
  });

  it('refuses a missing catalogue file with exit 2', async () => {
    const run = await cli(['evaluate', '--report', REPORT, '--policy', STRICT, '--kev', resolve(KEV_DIR, 'absent.json')], { now: NOW });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('cannot read KEV catalogue: no such file or directory');
  });
});

describe('evaluate --exposure', () => {
  it('names the stated exposure in the result, and refuses a value it does not know', async () => {
    const run = await cli(['evaluate', '--report', REPORT, '--policy', STRICT, '--exposure', 'internal', '--format', 'json'], { now: NOW });
    expect(JSON.parse(run.stdout).subject.exposure).toEqual({ value: 'internal', source: '--exposure', judgedAs: 'internal' });
    const table = await cli(['evaluate', '--report', REPORT, '--policy', STRICT, '--exposure', 'public'], { now: NOW });
    expect(table.stdout).toMatch(/Exposure:?\s+public \(--exposure\)/);
    const bad = await cli(['evaluate', '--report', REPORT, '--policy', STRICT, '--exposure', 'dmz'], { now: NOW });
    expect(bad.code).toBe(2);
  });
});
