/**
 * Writes policies/policy.schema.json from the zod policy schema, so editors offer completion and help, and stamps the
 * schema's fingerprint into functions/core/policy/prepared.ts (POLICY_SCHEMA_FINGERPRINT: the cold start compares a
 * prepared policy against it without building the schema). `tsx scripts/generate-policy-schema.ts` writes both;
 * `--check` exits 1 when either checked-in file is stale (for CI).
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { canonicalJson } from '../functions/core/policy/policy-hash';
import { policySchemaJson } from '../functions/core/policy/schema';

export const SCHEMA_PATH = resolve(__dirname, '../policies/policy.schema.json');
export const PREPARED_PATH = resolve(__dirname, '../functions/core/policy/prepared.ts');
const FINGERPRINT_LINE = /export const POLICY_SCHEMA_FINGERPRINT = '[0-9a-f]*';/;

/** prepared.ts with the fingerprint of the schema as it is now. */
export function renderPreparedModule(current: string): string {
  const fingerprint = createHash('sha256').update(canonicalJson(policySchemaJson())).digest('hex');
  if (!FINGERPRINT_LINE.test(current)) throw new Error(`${PREPARED_PATH} has no POLICY_SCHEMA_FINGERPRINT line to stamp`);
  return current.replace(FINGERPRINT_LINE, `export const POLICY_SCHEMA_FINGERPRINT = '${fingerprint}';`);
}

export function renderPolicySchema(): string {
  return `${JSON.stringify(policySchemaJson(), null, 2)}\n`;
}

function main(argv: string[]): number {
  const text = renderPolicySchema();
  const preparedNow = readFileSync(PREPARED_PATH, 'utf8');
  const prepared = renderPreparedModule(preparedNow);
  if (argv.includes('--check')) {
    if (prepared !== preparedNow) {
      process.stderr.write(`${PREPARED_PATH} has a stale POLICY_SCHEMA_FINGERPRINT: run \`npx tsx scripts/generate-policy-schema.ts\`\n`);
      return 1;
    }
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
  if (prepared !== preparedNow) writeFileSync(PREPARED_PATH, prepared);
  process.stdout.write(`wrote ${SCHEMA_PATH} and stamped ${PREPARED_PATH}\n`);
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
