import { join } from 'node:path';
import { runCli } from '../../functions/cli/program';
import { InputError } from '../../functions/core/errors';
import { loadPolicyForSynth } from '../../infra/policy';
import { synthGate } from '../support/gate-stack';

const ROOT = join(__dirname, '../..');
const INVALID = join(ROOT, 'test/fixtures/infra/invalid-policy.json');
const TRUNCATED = join(ROOT, 'test/fixtures/infra/truncated-policy.json');
const EMPTY = join(ROOT, 'test/fixtures/infra/empty-policy.json');

/** What `fargate-gate policy validate FILE` prints on standard error, without the program-name prefix. */
async function cliMessage(file: string): Promise<string> {
  let stderr = '';
  const code = await runCli(['policy', 'validate', file], { stdout: () => undefined, stderr: (text) => (stderr += text) });
  expect(code).toBe(2);
  return stderr.replace(/^fargate-gate: /, '').trimEnd();
}

describe('policy at synth', () => {
  it('loads the shipped default policy when none is given', () => {
    const { path, policy } = loadPolicyForSynth(undefined);
    expect(path).toBe(join(ROOT, 'policies/default.json'));
    expect(policy.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('resolves a relative path from the current directory', () => {
    const { path, policy } = loadPolicyForSynth('policies/audit.json');
    expect(path).toBe(join(process.cwd(), 'policies/audit.json'));
    expect(policy.document.mode).toBe('audit');
  });

  it.each([
    ['an invalid policy', INVALID],
    ['a file that is not JSON', TRUNCATED],
    ['an empty file', EMPTY],
    ['a missing file', join(ROOT, 'test/fixtures/infra/no-such-policy.json')],
    ['a directory', join(ROOT, 'test/fixtures/infra')],
  ])('fails cdk synth on %s with the message the CLI prints', async (_name, file) => {
    const expected = await cliMessage(file);
    expect(expected).toContain(file);
    expect(() => synthGate({ policyFile: file })).toThrow(expected);
    expect(() => synthGate({ policyFile: file })).toThrow(InputError);
  });

  it('changes the functions when the policy changes', () => {
    const description = (file?: string) => {
      const fns = synthGate({ policyFile: file }).template.findResources('AWS::Lambda::Function');
      // The gate and the hook carry the policy; the DB mirror's first-refresh functions have nothing to do with it.
      const carriers = Object.entries(fns).filter(([id]) => /^Gate(Gate|Hook)Function/.test(id));
      expect(carriers).toHaveLength(2);
      return carriers.map(([, fn]) => fn.Properties.Description as string);
    };
    const defaults = description(undefined);
    const audit = description(join(ROOT, 'policies/audit.json'));
    expect(audit).not.toEqual(defaults);
    expect(audit.every((text) => text.includes('fargate-gate/audit'))).toBe(true);
  });
});
