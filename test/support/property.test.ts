import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { FUZZ_FACTOR, FUZZ_LEDGER, assertProperty, fuzzFactor, scaledRuns } from './property';

// The self-tests below run properties that fail on purpose: keep them out of the run's ledger and away from
// whatever factor the run itself uses.
const saved = { factor: process.env[FUZZ_FACTOR], ledger: process.env[FUZZ_LEDGER] };
beforeEach(() => {
  delete process.env[FUZZ_FACTOR];
  delete process.env[FUZZ_LEDGER];
});
afterAll(() => {
  for (const [name, value] of [[FUZZ_FACTOR, saved.factor], [FUZZ_LEDGER, saved.ledger]] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

describe('fuzzFactor', () => {
  it.each([
    [undefined, 1],
    ['', 1],
    ['6', 6],
    ['0.5', 0.5],
  ])('reads FUZZ_FACTOR=%p as %p', (raw, factor) => {
    expect(fuzzFactor(raw === undefined ? {} : { FUZZ_FACTOR: raw })).toBe(factor);
  });

  it.each(['abc', '0', '-2', 'Infinity'])('refuses FUZZ_FACTOR=%p, naming the variable', (raw) => {
    expect(() => fuzzFactor({ FUZZ_FACTOR: raw })).toThrow(`FUZZ_FACTOR must be a positive number, got "${raw}"`);
  });
});

describe('scaledRuns', () => {
  it.each([
    [300, 1, 300],
    [300, 6, 1800],
    [undefined, 1, 100],
    [undefined, 3, 300],
    [40, 0.01, 1],
    [150, 0.5, 75],
  ])('numRuns %p times %p is %p', (numRuns, factor, expected) => {
    expect(scaledRuns(numRuns, factor)).toBe(expected);
  });
});

describe('assertProperty', () => {
  it('runs numRuns cases times FUZZ_FACTOR', () => {
    process.env[FUZZ_FACTOR] = '3';
    let cases = 0;
    assertProperty(
      fc.property(fc.nat(), () => {
        cases++;
      }),
      { numRuns: 7 },
    );
    expect(cases).toBe(21);
  });

  it('fails a property whose predicate returns false, with fast-check report and seed', () => {
    expect(() => assertProperty(fc.property(fc.nat(), (n) => n < 10))).toThrow(/Property failed after \d+ tests[\s\S]*seed: -?\d+[\s\S]*Counterexample: \[10\]/);
  });

  it('fails an async property whose expectation fails, keeping the failure as the cause', async () => {
    const failing = assertProperty(
      fc.asyncProperty(fc.string(), async (text) => {
        expect(text.length).toBeLessThan(3);
      }),
    );
    await expect(failing).rejects.toThrow(/Counterexample: \["   "\]/);
    await expect(failing).rejects.toHaveProperty('cause.message', expect.stringContaining('toBeLessThan'));
  });

  it('counts as one assertion when it passes, so a property with a boolean predicate is not assertion-free', async () => {
    const before = expect.getState().assertionCalls;
    assertProperty(fc.property(fc.nat(), (n) => n >= 0));
    await assertProperty(fc.asyncProperty(fc.nat(), async (n) => n >= 0));
    expect(expect.getState().assertionCalls - before).toBe(2);
  });
});

describe('property tests', () => {
  const TESTS = join(__dirname, '..');
  const files = (folder: string): string[] =>
    readdirSync(folder, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? files(join(folder, entry.name)) : entry.name.endsWith('.ts') ? [join(folder, entry.name)] : []));

  it('all run through assertProperty, so npm run fuzz scales and counts every one', () => {
    const direct = files(TESTS)
      .filter((file) => file !== join(__dirname, 'property.ts') && file !== __filename)
      .filter((file) => /\bfc\.(assert|check)\(/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(TESTS, file));
    expect(direct).toEqual([]);
  });
});
