import { InputError } from '../../../functions/core/errors';
import { parseScanReport, parseScanReportText } from '../../../functions/core/findings/parse';
import { fixtureJson, fixtureText, inputErrorOf } from './support';

describe('parseScanReport', () => {
  it('normalises a Trivy report and a Grype report through the same call', () => {
    expect(parseScanReport(fixtureJson('trivy/image-edge-cases.json'), 't.json').provenance.scanner).toBe('trivy');
    expect(parseScanReport(fixtureJson('grype/image-edge-cases.json'), 'g.json').provenance.scanner).toBe('grype');
  });

  it('gives the same result for the text and for the parsed JSON', () => {
    const text = fixtureText('grype/image-edge-cases.json');
    expect(parseScanReportText(text, 'g.json')).toEqual(parseScanReport(JSON.parse(text), 'g.json'));
  });

  it('rejects unsupported documents with the format error', () => {
    expect(inputErrorOf(() => parseScanReport(fixtureJson('trivy/legacy-array.json'), 'old.json')).message).toMatch(/^old\.json: this is a Trivy report in the legacy format/);
  });
});

// Locating the error and the wording are tested in test/core/json-text.test.ts; these pin what a report reader says.
describe('parseScanReportText', () => {
  it('names the file and says a truncated report is probably truncated, with line and column', () => {
    const text = fixtureText('trivy/truncated.json');
    const error = inputErrorOf(() => parseScanReportText(text, 's3://bucket/scans/abc/report.json'));
    const lines = text.split('\n');
    expect(error.source).toBe('s3://bucket/scans/abc/report.json');
    expect(error.message).toBe(
      `s3://bucket/scans/abc/report.json: the scan report is not valid JSON: the text ends at line ${lines.length}, column ${lines[lines.length - 1].length + 1} ` +
        `(character ${text.length}) where the closing quote of the string was expected, so the file is probably truncated (an interrupted write, copy or upload)`,
    );
  });

  it('points at the first invalid character by line and column', () => {
    const error = inputErrorOf(() => parseScanReportText('{\n  "SchemaVersion": 2,\n  "Results": [,]\n}', 'r.json'));
    expect(error.message).toBe(`r.json: the scan report is not valid JSON at line 3, column 15 (character 38): expected a JSON value or ']'`);
  });

  it('never quotes report text around the error (it could be part of a credential)', () => {
    const error = inputErrorOf(() => parseScanReportText('{"Env": ["TOKEN=ghp_abcdefghijklmnop" x]}', 'r.json'));
    expect(error.message).toBe(`r.json: the scan report is not valid JSON at line 1, column 39 (character 38): expected ',' or ']'`);
  });

  it.each(['', '   \n\t', '\ufeff'])('rejects empty text %p and says the scan probably failed', (text) => {
    expect(inputErrorOf(() => parseScanReportText(text, 'r.json')).message).toBe(
      'r.json: the scan report is empty; expected a Trivy or Grype JSON report (did the scan fail before writing it?)',
    );
  });

  it('rejects Trivy table output, which is not JSON', () => {
    expect(inputErrorOf(() => parseScanReportText(fixtureText('other/not-json.txt'), 'scan.txt')).message).toBe(
      'scan.txt: the scan report is not valid JSON at line 1, column 1 (character 0): expected a JSON value',
    );
  });

  it('accepts a UTF-8 byte-order mark', () => {
    const report = parseScanReportText(`\ufeff${fixtureText('trivy/image-no-results.json')}`, 'bom.json');
    expect(report.provenance.scanner).toBe('trivy');
  });

  it('rejects a value that is not text', () => {
    const error = inputErrorOf(() => parseScanReportText(Buffer.from('{}') as unknown as string, 'r.json'));
    expect(error.message).toBe('r.json: expected the scan report as text, got object');
  });

  it('keeps the JSON.parse error as the cause', () => {
    const error = inputErrorOf(() => parseScanReportText('{', 'r.json'));
    expect(error).toBeInstanceOf(InputError);
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  it('detects the format of the parsed document, naming the file', () => {
    expect(inputErrorOf(() => parseScanReportText('[]', 'r.json')).message).toMatch(/^r\.json: expected a Trivy JSON report .* got an empty array/);
  });
});
