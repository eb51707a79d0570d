import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import fc from 'fast-check';
import { InputError } from '../../../functions/core/errors';
import { parseScanReport, parseScanReportText } from '../../../functions/core/findings/parse';
import type { ScanReport } from '../../../functions/core/findings/model';
import { conformanceFiles } from '../../support/conformance';
import { fixtureText, invariantViolations } from './support';
import { assertProperty } from '../../support/property';

/** Runs a parse: an InputError is an accepted outcome, any other throw fails; a report must be sound. */
function parsesSoundlyOrRejects(parse: () => ScanReport): void {
  let report: ScanReport;
  try {
    report = parse();
  } catch (error) {
    if (error instanceof InputError) {
      expect(error.message.length).toBeGreaterThan(0);
      return;
    }
    throw error;
  }
  expect(invariantViolations(report)).toEqual([]);
}

const OWN_REPORTS = [
  'trivy/image-edge-cases.json',
  'trivy/image-no-results.json',
  'trivy/image-empty-results.json',
  'trivy/filesystem-zero-image-config.json',
  'grype/image-edge-cases.json',
  'grype/directory-db-built.json',
  'grype/image-corrupt-config.json',
].map((name) => ({ name, text: fixtureText(name) }));

// Real reports where present (a clone without ../shared still runs on our own fixtures). The 212 KB Grype file
// is left out only to keep a thousand clones per run cheap; it is covered by the conformance suite.
const REAL_REPORTS = [...conformanceFiles('trivy'), ...conformanceFiles('grype')]
  .map((file) => ({ name: basename(file), text: readFileSync(file, 'utf8') }))
  .filter((report) => report.text.length < 100_000);

const REPORTS = [...OWN_REPORTS, ...REAL_REPORTS].filter(({ text }) => {
  try {
    parseScanReportText(text, 'seed');
    return true;
  } catch {
    return false;
  }
});

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = Array<string | number>;

/** Every path to a value in the document, so a mutation can hit any field at any depth. */
function allPaths(value: Json, prefix: Path = [], out: Path[] = []): Path[] {
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((item, i) => allPaths(item, [...prefix, i], out));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) allPaths(v, [...prefix, k], out);
  return out;
}

type Mutation = { kind: 'delete' } | { kind: 'replace'; value: Json } | { kind: 'retype' };

function retype(value: Json): Json {
  if (typeof value === 'string') return value.length;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 0;
  if (value === null) return {};
  if (Array.isArray(value)) return Object.fromEntries(value.map((v, i) => [String(i), v]));
  return Object.values(value);
}

function mutate(doc: Json, path: Path, mutation: Mutation): Json {
  if (path.length === 0) return mutation.kind === 'replace' ? mutation.value : mutation.kind === 'retype' ? retype(doc) : null;
  let parent: any = doc;
  for (const key of path.slice(0, -1)) parent = parent[key];
  const last = path[path.length - 1];
  if (mutation.kind === 'delete') {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else parent[last] = mutation.kind === 'replace' ? mutation.value : retype(parent[last]);
  return doc;
}

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constant<Mutation>({ kind: 'delete' }),
  fc.constant<Mutation>({ kind: 'retype' }),
  fc.jsonValue({ maxDepth: 2 }).map((value) => ({ kind: 'replace', value: value as Json }) as Mutation),
);

describe('properties: whatever the input, an InputError or a sound report', () => {
  it('has seed reports to mutate', () => {
    expect(REPORTS.length).toBeGreaterThanOrEqual(OWN_REPORTS.length);
  });

  it('random JSON values', () => {
    assertProperty(
      fc.property(fc.jsonValue(), (value) => parsesSoundlyOrRejects(() => parseScanReport(value, 'random.json'))),
      { numRuns: 500 },
    );
  });

  it('random JavaScript values, including non-JSON ones', () => {
    assertProperty(
      fc.property(fc.anything(), (value) => parsesSoundlyOrRejects(() => parseScanReport(value, 'anything'))),
      { numRuns: 500 },
    );
  });

  it('random objects that claim to be Trivy or Grype reports', () => {
    const claims = fc.oneof(
      fc.record({ SchemaVersion: fc.constant(2), Results: fc.jsonValue(), Metadata: fc.jsonValue(), CreatedAt: fc.jsonValue() }, { requiredKeys: ['SchemaVersion'] }),
      fc.record({ matches: fc.array(fc.jsonValue()), source: fc.jsonValue(), descriptor: fc.jsonValue() }, { requiredKeys: ['matches'] }),
    );
    assertProperty(fc.property(claims, (value) => parsesSoundlyOrRejects(() => parseScanReport(value, 'claim.json'))), { numRuns: 500 });
  });

  it('random text', () => {
    assertProperty(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => parsesSoundlyOrRejects(() => parseScanReportText(text, 'random.txt'))),
      { numRuns: 500 },
    );
  });

  it('real reports with keys dropped, types changed or values replaced, up to three at a time', () => {
    const arb = fc
      .constantFrom(...REPORTS)
      .chain(({ name, text }) => {
        const paths = allPaths(JSON.parse(text) as Json);
        return fc.tuple(fc.constant(name), fc.constant(text), fc.array(fc.tuple(fc.constantFrom(...paths), mutationArb), { minLength: 1, maxLength: 3 }));
      });
    assertProperty(
      fc.property(arb, ([name, text, mutations]) => {
        let doc = JSON.parse(text) as Json;
        for (const [path, mutation] of mutations) {
          try {
            doc = mutate(doc, path, mutation);
          } catch {
            // An earlier mutation removed this path's parent: the document is simply mutated less.
          }
        }
        parsesSoundlyOrRejects(() => parseScanReport(doc, name));
      }),
      { numRuns: 1000 },
    );
  });

  it('real reports cut short anywhere: always the truncation error, naming the file', () => {
    const arb = fc.constantFrom(...REPORTS).chain(({ name, text }) => fc.tuple(fc.constant(name), fc.constant(text), fc.integer({ min: 1, max: text.trimEnd().length - 1 })));
    assertProperty(
      fc.property(arb, ([name, text, cut]) => {
        const prefix = text.slice(0, cut);
        try {
          parseScanReportText(prefix, name);
        } catch (error) {
          expect(error).toBeInstanceOf(InputError);
          const message = (error as Error).message;
          expect(message.startsWith(`${name}: `)).toBe(true);
          expect(message).toMatch(prefix.trim() === '' ? /is empty/ : /so the file is probably truncated/);
          return;
        }
        throw new Error(`a report cut at ${cut} of ${text.length} characters parsed`);
      }),
      { numRuns: 500 },
    );
  });

  it('valid reports normalise the same way twice (no hidden state)', () => {
    assertProperty(
      fc.property(fc.constantFrom(...REPORTS), ({ name, text }) => {
        expect(parseScanReportText(text, name)).toEqual(parseScanReportText(text, name));
      }),
      { numRuns: 20 },
    );
  });
});
