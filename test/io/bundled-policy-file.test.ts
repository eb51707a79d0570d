import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { preparePolicy } from '../../functions/core/policy/prepared';
import { loadBundledPolicyFileSync, preparedPolicyPath, readBundledPolicyFileSync } from '../../functions/io/bundled-policy-file';
import { readPolicyFileSync } from '../../functions/io/policy-file';
import { thrown } from '../support/thrown';

const ROOT = join(__dirname, '../..');
const DEFAULT_TEXT = readFileSync(join(ROOT, 'policies/default.json'), 'utf8');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fargate-gate-bundled-policy-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A bundle's policy: `policy.json` with `text`, and its prepared form made from `preparedFrom` (default: the same text; null: none). */
function bundle(text: string, preparedFrom: string | null = text, edit?: (prepared: Record<string, any>) => void): string {
  const path = join(dir, 'policy.json');
  writeFileSync(path, text);
  if (preparedFrom !== null) {
    const source = join(dir, 'source.json');
    writeFileSync(source, preparedFrom);
    const prepared = JSON.parse(JSON.stringify(preparePolicy(readPolicyFileSync(source), preparedFrom))) as Record<string, any>;
    edit?.(prepared);
    writeFileSync(preparedPolicyPath(path), JSON.stringify(prepared));
  }
  return path;
}


describe('preparedPolicyPath', () => {
  it('sits beside the policy', () => {
    expect(preparedPolicyPath('/var/task/policy.json')).toBe('/var/task/policy.prepared.json');
    expect(preparedPolicyPath('/var/task/policy')).toBe('/var/task/policy.prepared.json');
  });
});

describe('loadBundledPolicyFileSync', () => {
  it('takes the prepared policy that stands for the file: the policy full validation gives', () => {
    const path = bundle(DEFAULT_TEXT);
    const loaded = loadBundledPolicyFileSync(path);
    expect(loaded.prepared).toBe(true);
    expect(loaded.policy).toEqual(readPolicyFileSync(path));
    expect(readBundledPolicyFileSync(path, 'bundled policy').source).toBe('bundled policy');
  });

  it('validates in full when there is no prepared policy', () => {
    const path = bundle(DEFAULT_TEXT, null);
    const loaded = loadBundledPolicyFileSync(path);
    expect(loaded).toMatchObject({ prepared: false, why: expect.stringContaining('no readable prepared policy (ENOENT)') });
    expect(loaded.policy).toEqual(readPolicyFileSync(path));
  });

  it('validates in full when the prepared policy is not JSON', () => {
    const path = bundle(DEFAULT_TEXT, null);
    writeFileSync(preparedPolicyPath(path), '{"format":');
    expect(loadBundledPolicyFileSync(path)).toMatchObject({ prepared: false, why: 'the prepared policy is not JSON' });
  });

  it('ignores a tampered prepared document: the policy is the file, validated', () => {
    const path = bundle(DEFAULT_TEXT, DEFAULT_TEXT, (prepared) => {
      prepared.document.mode = 'audit';
      prepared.document.rules = {};
    });
    const loaded = loadBundledPolicyFileSync(path);
    expect(loaded).toMatchObject({ prepared: false, why: 'prepared policy refused: the document does not match its hash' });
    expect(loaded.policy).toEqual(readPolicyFileSync(path));
  });

  it('refuses a prepared policy of another policy schema version', () => {
    const path = bundle(DEFAULT_TEXT, DEFAULT_TEXT, (prepared) => {
      prepared.schema = 'f'.repeat(64);
    });
    expect(loadBundledPolicyFileSync(path)).toMatchObject({ prepared: false, why: 'prepared policy refused: prepared with another policy schema' });
  });

  it('validates a policy edited after synth, and fails with the message the CLI gives when the edit broke it', () => {
    const broken = DEFAULT_TEXT.replace('"mode": "enforce"', '"mode": "yolo"');
    expect(broken).not.toBe(DEFAULT_TEXT);
    const path = bundle(broken, DEFAULT_TEXT);
    const error = thrown(() => loadBundledPolicyFileSync(path));
    expect(error).toEqual(thrown(() => readPolicyFileSync(path)));
    expect(error.message).toContain('at mode');
  });

  it('a valid edit after synth is the policy as edited, not the stale prepared one', () => {
    const edited = DEFAULT_TEXT.replace('"mode": "enforce"', '"mode": "audit"');
    const path = bundle(edited, DEFAULT_TEXT);
    const loaded = loadBundledPolicyFileSync(path);
    expect(loaded).toMatchObject({ prepared: false, why: 'prepared policy refused: the policy file changed after it was prepared' });
    expect(loaded.policy.document.mode).toBe('audit');
  });

  it('a missing policy file fails with the message the CLI gives', () => {
    const path = join(dir, 'policy.json');
    expect(thrown(() => loadBundledPolicyFileSync(path))).toEqual(thrown(() => readPolicyFileSync(path)));
  });
});
