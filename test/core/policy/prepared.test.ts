import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compilePolicy } from '../../../functions/core/policy/compile';
import { loadPolicyText } from '../../../functions/core/policy/load';
import { canonicalJson, policyHash } from '../../../functions/core/policy/policy-hash';
import { acceptPreparedPolicy, POLICY_SCHEMA_FINGERPRINT, PREPARED_POLICY_FORMAT, preparePolicy } from '../../../functions/core/policy/prepared';
import { policySchemaJson } from '../../../functions/core/policy/schema';
import { PREPARED_PATH, renderPreparedModule } from '../../../scripts/generate-policy-schema';

const ROOT = join(__dirname, '../../..');
/** Every valid policy the project holds: the shipped ones and the test fixtures that load. */
const POLICY_FILES = [
  ...readdirSync(join(ROOT, 'policies')).filter((name) => name.endsWith('.json') && !name.endsWith('.schema.json')).map((name) => `policies/${name}`),
  'test/fixtures/policies/full.json',
  'test/fixtures/cli/policy-root-and-vulns.json',
];

/**
 * A compiled policy in a form `toEqual` compares: its glob matchers are closures (two compilations are never `===`),
 * so each is its code and its own properties; sets are their members.
 */
function comparable(value: unknown): unknown {
  if (typeof value === 'function') return { code: String(value), ...Object.fromEntries(Object.entries(value).map(([k, v]) => [k, comparable(v)])) };
  if (value instanceof Set) return { set: [...value].map(comparable) };
  if (Array.isArray(value)) return value.map(comparable);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, comparable(v)]));
  return value;
}

/** The prepared file as the stack writes it and the cold start reads it: through JSON text. */
const throughJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

describe('a prepared policy', () => {
  it('is stamped with the fingerprint of the policy schema this build validates with (npm run schema stamps POLICY_SCHEMA_FINGERPRINT when the schema changes)', () => {
    expect(POLICY_SCHEMA_FINGERPRINT).toBe(createHash('sha256').update(canonicalJson(policySchemaJson())).digest('hex'));
  });

  it.each(POLICY_FILES)('%s: taken prepared, it is the validated policy and compiles to the same policy', (file) => {
    const text = readFileSync(join(ROOT, file), 'utf8');
    const validated = loadPolicyText(text, file);
    const accepted = acceptPreparedPolicy(throughJson(preparePolicy(validated, text)), text, file);
    if (!('policy' in accepted)) throw new Error(`refused: ${accepted.refused}`);
    expect(accepted.policy).toEqual(validated);
    expect(comparable(compilePolicy(accepted.policy))).toEqual(comparable(compilePolicy(validated)));
  });

  describe('is refused (the caller then validates the file in full) when it does not stand for the file as it is', () => {
    const file = 'policies/default.json';
    const text = readFileSync(join(ROOT, file), 'utf8');
    const prepared = throughJson(preparePolicy(loadPolicyText(text, file), text)) as Record<string, any>;
    const refusal = (candidate: unknown, sourceText = text) => {
      const accepted = acceptPreparedPolicy(candidate, sourceText, file);
      return 'refused' in accepted ? accepted.refused : undefined;
    };

    it('another format', () => expect(refusal({ ...prepared, format: PREPARED_POLICY_FORMAT + 1 })).toMatch(/^format 2/));
    it('another policy schema', () => expect(refusal({ ...prepared, schema: '0'.repeat(64) })).toBe('prepared with another policy schema'));
    it('the policy file edited after it was prepared (even one byte of white space)', () => {
      expect(refusal(prepared, `${text} `)).toBe('the policy file changed after it was prepared');
    });
    it('a document edited by hand, its hash left as it was', () => {
      const edited = throughJson(prepared) as Record<string, any>;
      edited.document.mode = 'audit';
      expect(refusal(edited)).toBe('the document does not match its hash');
    });
    it('a document that is not an object, or a hash missing', () => {
      expect(refusal({ ...prepared, document: [] })).toBe('no document');
      expect(refusal({ ...prepared, hash: undefined })).toBe('the document does not match its hash');
    });
    it('not an object at all', () => {
      expect(refusal(null)).toBe('not a JSON object');
      expect(refusal([prepared])).toBe('not a JSON object');
    });
    it('but a well-formed one is taken, with the hash of its document', () => {
      const accepted = acceptPreparedPolicy(prepared, text, file);
      expect('policy' in accepted && accepted.policy.hash).toBe(policyHash(prepared.document));
    });
  });
});

describe('npm run schema stamps the fingerprint', () => {
  it('rewrites only the POLICY_SCHEMA_FINGERPRINT line of prepared.ts, to the fingerprint of the schema as it is', () => {
    const current = readFileSync(PREPARED_PATH, 'utf8');
    const stale = current.replace(/POLICY_SCHEMA_FINGERPRINT = '[0-9a-f]+'/, `POLICY_SCHEMA_FINGERPRINT = '${'0'.repeat(64)}'`);
    expect(stale).not.toBe(current);
    expect(renderPreparedModule(stale)).toBe(current);
    expect(() => renderPreparedModule('export const SOMETHING_ELSE = 1;\n')).toThrow(/no POLICY_SCHEMA_FINGERPRINT line/);
  });
});
