import { buildInUseReport } from '../../../functions/core/posture/in-use-report';
import { inUseReportSchema } from '../../../functions/core/posture/in-use-report-schema';
import { IN_USE_CSV_COLUMNS, csvField, renderInUseCsv } from '../../../functions/core/render/in-use-csv';
import { IN_USE_HTML_CSP, escapeHtml, renderInUseHtml } from '../../../functions/core/render/in-use-html';
import { renderInUseJson } from '../../../functions/core/render/in-use-json';
import { REPORT_NOW, digestOf, reportPolicy, use, verdict, vuln } from '../posture/in-use-fixtures';

const HOSTILE = '<img src=x onerror="window.__pwned=1">';
const loaded = reportPolicy();
const FAILING = digestOf('f');
const OTHER = digestOf('e');
const report = buildInUseReport({
  uses: [
    use(FAILING, 't1', { containers: [{ name: 'app', image: `123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app:${'x'.repeat(3)}` }], service: `=HYPERLINK("http://evil")` }),
    use(OTHER, 't2', { containers: [{ name: 'app', image: `registry.example.com/a,b"c:${'v1'}` }], service: HOSTILE }),
  ],
  verdicts: new Map([
    [FAILING, verdict(loaded, FAILING, [vuln('CVE-2026-0001', 'critical')])],
    [OTHER, verdict(loaded, OTHER, [])],
  ]),
  policy: loaded,
  now: REPORT_NOW,
});

/** A minimal RFC 4180 reader, to check what a spreadsheet would read back. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') record.push(field), (field = '');
    else if (char === '\r' && text[i + 1] === '\n') record.push(field), records.push(record), (record = []), (field = ''), i++;
    else field += char;
  }
  expect(field).toBe('');
  expect(record).toEqual([]);
  return records;
}

describe('renderInUseJson', () => {
  it('is the export format: it reads back under the schema to the same report', () => {
    const text = renderInUseJson(report);
    expect(text.endsWith('}\n')).toBe(true);
    expect(inUseReportSchema.parse(JSON.parse(text))).toEqual(report);
  });
});

describe('csvField', () => {
  it.each([
    ['=1+1', "'=1+1"],
    ['+1', "'+1"],
    ['-1', "'-1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['\rx', `"'\rx"`],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['plain', 'plain'],
    ['', ''],
  ])('%j -> %j', (input, expected) => {
    expect(csvField(input)).toBe(expected);
  });
});

describe('renderInUseCsv', () => {
  const records = parseCsv(renderInUseCsv(report));

  it('has a header and one record per image, every record as wide as the header, CRLF line ends', () => {
    expect(records[0]).toEqual([...IN_USE_CSV_COLUMNS]);
    expect(records).toHaveLength(3);
    for (const record of records) expect(record).toHaveLength(IN_USE_CSV_COLUMNS.length);
    expect(renderInUseCsv(report).split('\r\n')).toHaveLength(4);
  });

  it('reads back the values, with quotes and commas intact and formulas disarmed', () => {
    const column = (name: string) => IN_USE_CSV_COLUMNS.indexOf(name as (typeof IN_USE_CSV_COLUMNS)[number]);
    const [, failing, other] = records;
    expect(failing[column('digest')]).toBe(FAILING);
    expect(failing[column('decision')]).toBe('fail');
    // Services are listed as cluster/service, so a formula inside one does not start the cell.
    expect(failing[column('services')]).toBe('prod/=HYPERLINK("http://evil")');
    expect(failing[column('denied_findings')]).toBe('CVE-2026-0001 (critical)');
    expect(failing[column('fixable_critical')]).toBe('1');
    expect(other[column('images')]).toBe('registry.example.com/a,b"c:v1');
  });

  it('prefixes a cell that would start a formula', () => {
    const formula = buildInUseReport({ uses: [use(OTHER, 't9', { containers: [{ name: 'a', image: '=cmd|calc' }] })], verdicts: new Map(), policy: loaded, now: REPORT_NOW });
    const [, row] = parseCsv(renderInUseCsv(formula));
    expect(row[IN_USE_CSV_COLUMNS.indexOf('images')]).toBe("'=cmd|calc");
  });

  it('ends a truncated report with a record that says so', () => {
    const capped = buildInUseReport({ uses: [use(FAILING, 't1'), use(OTHER, 't2')], verdicts: new Map(), policy: loaded, now: REPORT_NOW, limits: { maxRows: 1 } });
    const read = parseCsv(renderInUseCsv(capped));
    expect(read).toHaveLength(3);
    expect(read[2][0]).toBe('# truncated: 1 of 2 images in use are listed (most urgent first)');
  });
});

describe('renderInUseHtml', () => {
  const html = renderInUseHtml(report);

  it('escapes every attacker-chosen value: no tag of theirs survives', () => {
    expect(html).not.toContain('<img');
    expect(html).toContain(escapeHtml(HOSTILE));
    expect(escapeHtml(`<a href='x'>&"`)).toBe('&lt;a href=&#39;x&#39;&gt;&amp;&quot;');
  });

  it('is self-contained: no external URL, script or style source, and a strict policy in a meta element', () => {
    expect(html).not.toMatch(/<[^>]*\s(?:src|href)=/i);
    expect(html).not.toMatch(/@import|url\(/i);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${IN_USE_HTML_CSP.replace(/'/g, '&#39;')}">`);
    expect(IN_USE_HTML_CSP).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'; script-src 'sha256-[A-Za-z0-9+/=]+';/);
    expect(html.match(/<script>/g)).toHaveLength(1);
  });

  it('lists one table row per image with the decision first', () => {
    const body = html.slice(html.indexOf('<tbody>'), html.indexOf('</tbody>'));
    expect(body.match(/<tr>/g)).toHaveLength(2);
    expect(body.indexOf('FAIL')).toBeLessThan(body.indexOf('PASS'));
  });

  it('states a truncation', () => {
    const capped = buildInUseReport({ uses: [use(FAILING, 't1'), use(OTHER, 't2')], verdicts: new Map(), policy: loaded, now: REPORT_NOW, limits: { maxRows: 1 } });
    expect(renderInUseHtml(capped)).toContain('Truncated: 1 of 2 images in use are listed');
    expect(html).not.toContain('Truncated');
  });
});
