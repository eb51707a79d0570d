import fc from 'fast-check';
import { readFileSync, writeFileSync } from 'node:fs';
import { cli, fixture, tempDir, type CliRun } from './harness';
import { assertProperty } from '../support/property';

/*
 * Whatever a file holds, the CLI answers with exit 0, 1 or 2 and never with an "unexpected error": every way a
 * report, task definition, overrides or policy file can be wrong must end as an InputError that names the file.
 * Valid fixtures are mutated at random JSON paths so the inputs get past the JSON parser and the format
 * detection into the normalisers, the task-definition parser, the policy loader and the evaluation.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

const EXIT_FOR: Record<string, number> = { pass: 0, warn: 0, fail: 1, error: 2 };

const REPORTS = [
  'trivy-payments-api-root-critical.json',
  'trivy-payments-api-image-secret.json',
  'trivy-ledger-worker-unfixed-critical.json',
  'grype-log-router.json',
].map((name) => JSON.parse(readFileSync(fixture(name), 'utf8')) as Json);
const TASKDEF = JSON.parse(readFileSync(fixture('taskdef-payments.json'), 'utf8')) as Json;
const OVERRIDES = JSON.parse(readFileSync(fixture('overrides-plaintext-key.json'), 'utf8')) as Json;
const POLICY = JSON.parse(readFileSync(fixture('policy-root-and-vulns.json'), 'utf8')) as Json;

function paths(value: Json, prefix: Path = []): Path[] {
  const out: Path[] = [prefix];
  if (Array.isArray(value)) value.forEach((item, index) => out.push(...paths(item, [...prefix, index])));
  else if (value !== null && typeof value === 'object') for (const [key, item] of Object.entries(value)) out.push(...paths(item, [...prefix, key]));
  return out;
}

/** A copy of `doc` with the node at `path` replaced by `replacement`, or removed when it is undefined. */
function mutate(doc: Json, path: Path, replacement: Json | undefined): Json | undefined {
  if (path.length === 0) return replacement;
  const copy = structuredClone(doc) as Record<string | number, Json> | Json[];
  let node: Record<string | number, Json> | Json[] = copy;
  for (const key of path.slice(0, -1)) node = (node as Record<string | number, Json>)[key] as Record<string | number, Json>;
  const last = path[path.length - 1];
  if (replacement === undefined) {
    if (Array.isArray(node)) node.splice(last as number, 1);
    else delete node[last];
  } else {
    (node as Record<string | number, Json>)[last] = replacement;
  }
  return copy as Json;
}

const replacement: fc.Arbitrary<Json | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
  fc.constantFrom<Json>('', ' ', 'CRITICAL', 'fixed', '0', 'root', -1, 1e308, 'sha256:zz', 'not-a-date', {}, [], null, '\u0000', '\ud800'),
);

/** A document mutated at one to three random paths. */
function mutated(doc: Json): fc.Arbitrary<string> {
  const all = paths(doc);
  return fc
    .array(fc.tuple(fc.nat({ max: all.length - 1 }), replacement), { minLength: 1, maxLength: 3 })
    .map((edits) => {
      let current: Json | undefined = doc;
      for (const [index, value] of edits) {
        const candidates = current === undefined ? [] : paths(current);
        if (candidates.length === 0) break;
        current = mutate(current as Json, candidates[index % candidates.length], value);
      }
      return current === undefined ? '' : JSON.stringify(current);
    });
}

/** `files`: the inputs of the run; an error must name one of them (a mutated task definition can make a report the one that does not fit). */
function expectWellBehaved(run: CliRun, files: readonly string[]): void {
  expect(run.stderr).not.toContain('unexpected error');
  expect([0, 1, 2]).toContain(run.code);
  if (run.stdout === '') {
    // No result: bad input, reported against the file that caused it.
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^fargate-gate: /);
    expect(files.some((file) => run.stderr.includes(file))).toBe(true);
  } else {
    // A result: the exit code follows the decision (the policies used here are in enforce mode).
    const result = JSON.parse(run.stdout) as { decision: string };
    expect(run.code).toBe(EXIT_FOR[result.decision]);
  }
}

describe('fargate-gate evaluate never fails unexpectedly, whatever the files hold', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeAll(() => {
    tmp = tempDir();
  });
  afterAll(() => tmp.cleanup());

  async function evaluateReport(text: string | Uint8Array): Promise<void> {
    const file = tmp.path('report.json');
    writeFileSync(file, text);
    expectWellBehaved(await cli(['evaluate', '--report', file, '--format', 'json']), [file]);
  }

  it('random bytes as a report', async () => {
    await assertProperty(fc.asyncProperty(fc.uint8Array({ maxLength: 512 }), evaluateReport), { numRuns: 150 });
  });

  it('random JSON as a report', async () => {
    await assertProperty(fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)), evaluateReport), { numRuns: 150 });
  });

  it('random JSON with the keys that make it look like a Trivy or Grype report', async () => {
    const trivyLike = fc.record({ SchemaVersion: fc.constantFrom<Json>(2, 2, 1, '2'), Results: fc.jsonValue({ maxDepth: 3 }), Metadata: fc.jsonValue({ maxDepth: 3 }) }, { requiredKeys: ['SchemaVersion'] });
    const grypeLike = fc.record({ matches: fc.oneof(fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 3 }), fc.jsonValue({ maxDepth: 2 })), source: fc.jsonValue({ maxDepth: 3 }) }, { requiredKeys: ['matches'] });
    await assertProperty(fc.asyncProperty(fc.oneof(trivyLike, grypeLike).map((v) => JSON.stringify(v)), evaluateReport), { numRuns: 200 });
  });

  it('valid Trivy and Grype reports mutated at random paths', async () => {
    const arbitrary = fc.oneof(...REPORTS.map(mutated));
    await assertProperty(fc.asyncProperty(arbitrary, evaluateReport), { numRuns: 400 });
  });

  it('a valid report cut anywhere is rejected as not valid JSON', async () => {
    const text = readFileSync(fixture('grype-log-router.json'), 'utf8').trimEnd();
    await assertProperty(
      fc.asyncProperty(fc.nat({ max: text.length - 1 }), async (cut) => {
        const file = tmp.path('cut.json');
        writeFileSync(file, text.slice(0, cut));
        const run = await cli(['evaluate', '--report', file]);
        expect(run.code).toBe(2);
        expect(run.stderr).toMatch(cut === 0 ? /: the scan report is empty/ : /: the scan report is not valid JSON/);
        expect(run.stderr).toContain(file);
        expect(run.stderr).not.toContain('unexpected error');
      }),
      { numRuns: 150 },
    );
  });

  it('mutated task definitions, overrides and policies', async () => {
    const report = fixture('trivy-payments-api-nonroot.json');
    const sidecar = fixture('grype-log-router.json');
    const kind = fc.constantFrom('taskdef', 'overrides', 'policy');
    await assertProperty(
      fc.asyncProperty(
        kind.chain((k) => fc.tuple(fc.constant(k), mutated(k === 'taskdef' ? TASKDEF : k === 'overrides' ? OVERRIDES : POLICY))),
        async ([k, text]) => {
          const file = tmp.path(`${k}.json`);
          writeFileSync(file, text);
          const taskdef = k === 'taskdef' ? file : fixture('taskdef-payments.json');
          const argv = ['evaluate', '-t', taskdef, '-r', `api=${report}`, `log-router=${sidecar}`, '-f', 'json'];
          if (k === 'overrides') argv.push('--overrides', file);
          if (k === 'policy') argv.push('--policy', file);
          expectWellBehaved(await cli(argv), [file, report, sidecar, taskdef]);
        },
      ),
      { numRuns: 300 },
    );
  });
});
