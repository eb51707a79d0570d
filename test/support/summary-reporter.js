const { mkdtempSync, readFileSync, readdirSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

// Prints plain closing lines after Jest's own summary, so a CI log reader that does not know Jest's format
// can still tell how many tests ran ("N passed, N failed, N skipped") and how many property cases ran.
//
// Property cases: every property runs through test/support/property.ts, which appends one JSON line per
// property ({ file, test, runs, skips, failed }) to a file in the FUZZ_LEDGER folder. The reporter opens that
// folder before any test worker starts (workers inherit the environment), and sums it at the end.
class SummaryReporter {
  constructor() {
    if (!process.env.FUZZ_LEDGER) {
      this.ledger = mkdtempSync(join(tmpdir(), 'fargate-gate-properties-'));
      process.env.FUZZ_LEDGER = this.ledger;
    }
  }

  onRunComplete(_contexts, results) {
    const { numPassedTests, numFailedTests, numPendingTests, numTodoTests } = results;
    process.stdout.write(`\ntests: ${numPassedTests} passed, ${numFailedTests} failed, ${numPendingTests + numTodoTests} skipped\n`);
    const entries = readLedger(process.env.FUZZ_LEDGER);
    if (entries.length > 0) process.stdout.write(propertySummary(entries, process.env.FUZZ_FACTOR, Date.now() - results.startTime));
    if (this.ledger) rmSync(this.ledger, { recursive: true, force: true });
  }
}

function readLedger(folder) {
  if (!folder) return [];
  let files;
  try {
    files = readdirSync(folder).filter((name) => name.endsWith('.jsonl'));
  } catch {
    return [];
  }
  return files.flatMap((name) =>
    readFileSync(join(folder, name), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line)),
  );
}

/** The closing lines: the total always; one line per test file when a fuzz factor is set. */
function propertySummary(entries, factor, elapsedMs) {
  const count = (list) => list.reduce((sum, entry) => sum + entry.runs, 0).toLocaleString('en-US');
  const failed = entries.filter((entry) => entry.failed);
  const lines = [];
  if (factor) {
    const files = [...new Set(entries.map((entry) => entry.file))].sort();
    for (const file of files) {
      const ofFile = entries.filter((entry) => entry.file === file);
      lines.push(`  ${count(ofFile).padStart(9)} cases  ${ofFile.filter((entry) => entry.failed).length} failed  ${file}`);
    }
  }
  const scale = factor ? `, FUZZ_FACTOR=${factor}` : '';
  lines.push(`property cases: ${count(entries)} run in ${entries.length} properties, ${failed.length} failed${scale}, ${(elapsedMs / 1000).toFixed(1)} s`);
  for (const entry of failed) lines.push(`  failed: ${entry.file} › ${entry.test}`);
  return `${lines.join('\n')}\n`;
}

module.exports = SummaryReporter;
module.exports.propertySummary = propertySummary;
module.exports.readLedger = readLedger;
