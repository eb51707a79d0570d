/**
 * Writes policies/policy.schema.json from the zod policy schema, so editors offer completion and help.
 * `tsx scripts/generate-policy-schema.ts` writes it; `--check` exits 1 when the checked-in file is stale (for CI).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { policySchemaJson } from '../functions/core/policy/schema';

export const SCHEMA_PATH = resolve(__dirname, '../policies/policy.schema.json');

export function renderPolicySchema(): string {
  return `${JSON.stringify(policySchemaJson(), null, 2)}\n`;
}

function main(argv: string[]): number {
  const text = renderPolicySchema();
  if (argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(SCHEMA_PATH, 'utf8');
    } catch {
      // a missing file is stale too
    }
    if (current === text) return 0;
    process.stderr.write(`${SCHEMA_PATH} is stale: run \`npx tsx scripts/generate-policy-schema.ts\`\n`);
    return 1;
  }
  writeFileSync(SCHEMA_PATH, text);
  process.stdout.write(`wrote ${SCHEMA_PATH}\n`);
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
