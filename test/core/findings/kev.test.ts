import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseKevCatalogueText, withKevCatalogue } from '../../../functions/core/findings/kev';
import { inputErrorOf } from '../../support/input-error';
import { countingZodBuilds } from '../../support/zod-builds';
import { report, vuln } from '../policy/support';

const FIXTURES = resolve(__dirname, '../../fixtures/kev');
const text = (name: string) => readFileSync(resolve(FIXTURES, name), 'utf8');
const catalogueDoc = () => JSON.parse(text('kev-catalogue.json')) as Record<string, unknown> & { vulnerabilities: Record<string, unknown>[] };

describe('parseKevCatalogueText', () => {
  it('reads the CISA feed format: identity, count and listings by CVE', () => {
    const catalogue = parseKevCatalogueText(text('kev-catalogue.json'), 'kev.json');
    expect(catalogue.source).toEqual({ kind: 'catalogue', catalogue: 'cisa-kev', version: '2026.12.01', released: '2026-12-01T14:00:00.000Z' });
    expect(catalogue.count).toBe(2);
    expect(catalogue.byCve.get('CVE-2021-44228')).toMatchObject({ dateAdded: '2021-12-10', dueDate: '2021-12-24', ransomware: 'Known' });
  });

  it('refuses a count that disagrees with the list (a truncated file), naming the path', () => {
    const error = inputErrorOf(() => parseKevCatalogueText(text('kev-count-mismatch.json'), 'kev.json'));
    expect(error.path).toBe('count');
    expect(error.message).toContain('says 3 vulnerabilities, but the catalogue lists 2');
  });

  it.each([
    ['a bad CVE id', (d: ReturnType<typeof catalogueDoc>) => (d.vulnerabilities[1].cveID = 'log4shell'), 'vulnerabilities[1].cveID'],
    ['a day the calendar lacks', (d: ReturnType<typeof catalogueDoc>) => (d.vulnerabilities[0].dateAdded = '2026-02-30'), 'vulnerabilities[0].dateAdded'],
    ['no catalogVersion', (d: ReturnType<typeof catalogueDoc>) => delete d.catalogVersion, 'catalogVersion'],
    ['a catalogVersion longer than 64 characters', (d: ReturnType<typeof catalogueDoc>) => (d.catalogVersion = '2026.12.01'.padEnd(65, 'x')), 'catalogVersion'],
    ['vulnerabilities not a list', (d: ReturnType<typeof catalogueDoc>) => ((d as Record<string, unknown>).vulnerabilities = {}), 'vulnerabilities'],
  ])('refuses %s with its JSON path', (_what, spoil, path) => {
    const doc = catalogueDoc();
    spoil(doc);
    const error = inputErrorOf(() => parseKevCatalogueText(JSON.stringify(doc), 'kev.json'));
    expect(error.message).toContain(`kev.json at ${path}: KEV catalogue:`);
  });

  it('accepts keys it does not read, as CISA adds fields over time', () => {
    const doc = catalogueDoc();
    doc.vulnerabilities[0].newField = { anything: true };
    (doc as Record<string, unknown>).schemaVersion = '2';
    expect(parseKevCatalogueText(JSON.stringify(doc), 'kev.json').byCve.size).toBe(2);
  });

  it.each([
    ['', 'is empty'],
    ['[]', 'expected a JSON object'],
    ['{"catalogVersion":', 'not valid JSON'],
  ])('refuses %j with a clear message', (body, words) => {
    expect(inputErrorOf(() => parseKevCatalogueText(body, 'kev.json')).message).toContain(words);
  });
});

describe('withKevCatalogue', () => {
  const catalogue = parseKevCatalogueText(text('kev-catalogue.json'), 'kev.json');

  it('adds the listing to findings listed by id or by alias, beside any the report has, and leaves the report as it was', () => {
    const fromReport = { source: { kind: 'report', scanner: 'grype' } as const };
    const scan = report({
      vulnerabilities: [
        vuln('GHSA-jfh8-c2jp-5v3q', 'critical', 'fixed', {}, ['CVE-2021-44228']),
        { ...vuln('cve-2025-0395', 'medium', 'unfixed'), knownExploited: [fromReport] },
        vuln('CVE-2024-0001', 'high'),
      ],
    });
    const before = JSON.stringify(scan);
    const enriched = withKevCatalogue(scan, catalogue);
    expect(enriched.vulnerabilities.map((v) => v.knownExploited?.map((k) => k.source.kind))).toEqual([['catalogue'], ['report', 'catalogue'], undefined]);
    expect(JSON.stringify(scan)).toBe(before);
  });
});

describe('the KEV catalogue schema', () => {
  it('is built when a catalogue is first read, not when the module is loaded (the gate loads it at every cold start)', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { modules, built } = countingZodBuilds(() => require('../../../functions/core/findings/kev') as typeof import('../../../functions/core/findings/kev'));
    expect(built()).toBe(0);
    expect(modules.parseKevCatalogueText(text('kev-catalogue.json'), 'kev.json').count).toBe(2);
    const afterFirst = built();
    expect(afterFirst).toBeGreaterThan(0);
    modules.parseKevCatalogueText(text('kev-catalogue.json'), 'kev.json');
    expect(built()).toBe(afterFirst);
  });
});
