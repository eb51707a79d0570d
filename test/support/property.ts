import { appendFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import fc from 'fast-check';

/**
 * The one way a test runs a fast-check property, so that `npm run fuzz` can scale every property at once
 * and report how many cases ran.
 *
 * - numRuns is the CI default; FUZZ_FACTOR multiplies it (1 when unset).
 * - Each run is recorded in the ledger that test/support/summary-reporter.js opens (FUZZ_LEDGER, one JSON
 *   line per property), and the reporter prints the totals after the run.
 * - A passing property counts as a Jest assertion (it asserts that every case ran), so a property whose
 *   predicate returns a boolean is not taken for an assertion-free test by require-assertions.ts.
 */

export const FUZZ_FACTOR = 'FUZZ_FACTOR';
export const FUZZ_LEDGER = 'FUZZ_LEDGER';
const DEFAULT_RUNS = 100;

/** The multiplier for every property's numRuns; refuses a value that is not a positive number. */
export function fuzzFactor(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[FUZZ_FACTOR];
  if (raw === undefined || raw.trim() === '') return 1;
  const factor = Number(raw);
  if (!Number.isFinite(factor) || factor <= 0) throw new Error(`${FUZZ_FACTOR} must be a positive number, got ${JSON.stringify(raw)}`);
  return factor;
}

/** numRuns as the test wrote it (fast-check's 100 when it wrote none), times the factor, at least 1. */
export function scaledRuns(numRuns: number | undefined, factor: number = fuzzFactor()): number {
  return Math.max(1, Math.round((numRuns ?? DEFAULT_RUNS) * factor));
}

/** What the ledger holds for one property run; the summary reporter reads these fields. */
export interface LedgerEntry {
  file: string;
  test: string;
  runs: number;
  skips: number;
  failed: boolean;
}

function record<Ts>(details: fc.RunDetails<Ts>): void {
  const ledger = process.env[FUZZ_LEDGER];
  if (!ledger) return;
  const { testPath, currentTestName } = expect.getState();
  const entry: LedgerEntry = {
    file: testPath ? relative(process.cwd(), testPath) : '(unknown)',
    test: currentTestName ?? '(unknown)',
    runs: details.numRuns,
    skips: details.numSkips,
    failed: details.failed,
  };
  appendFileSync(join(ledger, `${process.pid}.jsonl`), `${JSON.stringify(entry)}\n`);
}

/** Throws as fc.assert would: fast-check's report (seed, counterexample, shrunk path), the property's error as cause. */
function failure<Ts>(message: string | undefined, details: fc.RunDetails<Ts>): Error {
  return new Error(message ?? 'property failed', { cause: details.errorInstance });
}

/** The assertion a passing property adds: every case asked for ran. */
function settle<Ts>(details: fc.RunDetails<Ts>, numRuns: number): void {
  expect(details.numRuns).toBe(numRuns);
}

export function assertProperty<Ts>(property: fc.IAsyncProperty<Ts>, params?: fc.Parameters<Ts>): Promise<void>;
export function assertProperty<Ts>(property: fc.IProperty<Ts>, params?: fc.Parameters<Ts>): void;
export function assertProperty<Ts>(property: fc.IProperty<Ts> | fc.IAsyncProperty<Ts>, params: fc.Parameters<Ts> = {}): void | Promise<void> {
  const numRuns = scaledRuns(params.numRuns);
  const run = { ...params, numRuns };
  if (property.isAsync()) {
    return fc.check(property as fc.IAsyncProperty<Ts>, run).then(async (details) => {
      record(details);
      if (details.failed) throw failure(await fc.asyncDefaultReportMessage(details), details);
      settle(details, numRuns);
    });
  }
  const details = fc.check(property as fc.IProperty<Ts>, run);
  record(details);
  if (details.failed) throw failure(fc.defaultReportMessage(details), details);
  settle(details, numRuns);
}
