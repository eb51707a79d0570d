// `npm run fuzz`: runs every property test with each property's numRuns multiplied by FUZZ_FACTOR
// (default 6), and nothing else; the summary reporter prints the cases run per file, the total and the
// failures. Extra arguments are Jest options (e.g. `npm run fuzz -- --maxWorkers=1`).
//   FUZZ_FACTOR=6 npm run fuzz
const { spawnSync } = require('node:child_process');
const { readFileSync, readdirSync } = require('node:fs');
const { join, relative } = require('node:path');

const ROOT = join(__dirname, '../..');
const TESTS = join(ROOT, 'test');
const DEFAULT_FACTOR = '6'; // about 114,000 cases: the volume the robustness claims rest on
// Jest's per-test timeout, scaled like the cases (the CI default is 60 s for 1x).
const BASE_TIMEOUT_MS = 60_000;

function testFiles(folder) {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

const factorText = process.env.FUZZ_FACTOR || DEFAULT_FACTOR;
const factor = Number(factorText);
if (!Number.isFinite(factor) || factor <= 0) {
  process.stderr.write(`fuzz: FUZZ_FACTOR must be a positive number, got ${JSON.stringify(factorText)}\n`);
  process.exit(2);
}

const propertyFiles = testFiles(TESTS)
  .filter((file) => readFileSync(file, 'utf8').includes('assertProperty('))
  .map((file) => relative(ROOT, file))
  .sort();
const escaped = propertyFiles.map((file) => file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
process.stdout.write(`fuzz: ${propertyFiles.length} property test files, FUZZ_FACTOR=${factorText}\n`);

const jest = require.resolve('jest/bin/jest');
const args = [jest, '--testTimeout', String(Math.ceil(BASE_TIMEOUT_MS * Math.max(1, factor))), ...process.argv.slice(2), '--', ...escaped];
const run = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, FUZZ_FACTOR: factorText } });
process.exit(run.status ?? 1);
