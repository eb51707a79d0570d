import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../functions/core/errors';
import { loadPolicy } from '../../functions/core/policy/load';
import { readPolicyFile, readPolicyFileSync } from '../../functions/io/policy-file';

const dir = mkdtempSync(join(tmpdir(), 'fargate-gate-policy-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const document = { schemaVersion: '1', name: 'prod', mode: 'enforce', onScanError: 'deny', rules: { rootUser: { action: 'deny' } } };
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('readPolicyFile and readPolicyFileSync', () => {
  it('load the policy as loadPolicy does, with the same hash', async () => {
    const path = file('prod.json', `\ufeff${JSON.stringify(document, null, 2)}`);
    const expected = loadPolicy(document, 'policies/prod.json');
    expect(readPolicyFileSync(path, 'policies/prod.json')).toEqual(expected);
    await expect(readPolicyFile(path, 'policies/prod.json')).resolves.toEqual(expected);
  });

  it('name the file by its path when no source is given', async () => {
    const path = file('named.json', JSON.stringify(document));
    expect(readPolicyFileSync(path).source).toBe(path);
    expect((await readPolicyFile(path)).source).toBe(path);
  });

  it.each([
    ['a missing file', () => join(dir, 'none.json'), 'p.json: cannot read policy: no such file or directory'],
    ['an empty file', () => file('empty.json', ''), 'p.json: the policy is empty; expected a JSON document'],
    ['a file that is not JSON', () => file('yaml.json', 'schemaVersion: "1"\n'), 'p.json: the policy is not valid JSON at line 1, column 1 (character 0): expected a JSON value'],
    ['an invalid policy', () => file('bad.json', JSON.stringify({ ...document, mode: 'sometimes' })), 'p.json at mode: expected one of "enforce", "audit", got the string "sometimes"'],
  ])('give one message for %s, sync or not', async (_case, pathOf, message) => {
    const path = pathOf();
    expect(() => readPolicyFileSync(path, 'p.json')).toThrow(InputError);
    expect(() => readPolicyFileSync(path, 'p.json')).toThrow(message);
    await expect(readPolicyFile(path, 'p.json')).rejects.toThrow(message);
  });
});
