import type { LoadedPolicy, Policy } from '../../../functions/core/policy';
import { loadPolicy } from '../../../functions/core/policy/load';
import { compilePolicy } from '../../../functions/core/policy/compile';
import { resolveDriftSettings } from '../../../functions/core/policy/drift';
import { resolveMode, type ModeScope } from '../../../functions/core/policy/mode';
import { inputErrorOf } from '../../support/input-error';

/** Scopes by account and by organisational unit, alike for mode overrides and drift scopes. */

const SANDBOX_OU = 'ou-ab12-cd34ef56';
const PROD_OU = 'ou-ab12-99887766';
const SANDBOX = '444455556666';
const PROD = '777788889999';
const OTHER = '123456789012';

function load(extra: Record<string, unknown>): LoadedPolicy<Policy> {
  return loadPolicy({ schemaVersion: '1', name: 'org', mode: 'enforce', onScanError: 'deny', rules: { rootUser: { action: 'deny' } }, ...extra }, 'org.json');
}

const scope = (account?: string): ModeScope => ({ cluster: ['prod'], service: [], repositories: [], ...(account ? { account: [account] } : {}) });

describe('modeOverrides by organisational unit', () => {
  const policy = load({
    organizationalUnits: { [SANDBOX_OU]: [SANDBOX], [PROD_OU]: [PROD] },
    modeOverrides: [{ match: { organizationalUnits: [SANDBOX_OU] }, mode: 'audit', reason: 'sandbox OU audits' }],
  });

  it('applies to the accounts the policy lists under the OU, and to no other', () => {
    const compiled = compilePolicy(policy);
    expect(resolveMode(compiled, scope(SANDBOX))).toEqual({ mode: 'audit', override: 0, reason: 'sandbox OU audits' });
    expect(resolveMode(compiled, scope(PROD)).mode).toBe('enforce');
    expect(resolveMode(compiled, scope(OTHER)).mode).toBe('enforce');
  });

  it('never matches a task whose account is unknown', () => {
    expect(resolveMode(compilePolicy(policy), scope()).mode).toBe('enforce');
  });

  it('changes the policy hash when an account moves to another OU (verdicts are keyed by it)', () => {
    const moved = load({
      organizationalUnits: { [SANDBOX_OU]: [SANDBOX, PROD], [PROD_OU]: [PROD] },
      modeOverrides: [{ match: { organizationalUnits: [SANDBOX_OU] }, mode: 'audit', reason: 'sandbox OU audits' }],
    });
    expect(moved.hash).not.toBe(policy.hash);
  });
});

describe('drift scopes by account and organisational unit', () => {
  it('act on running tasks only in the accounts their match names (accounts were ignored before: every account matched)', () => {
    const policy = load({ drift: { scopes: [{ match: { accounts: [SANDBOX] }, actOnRunning: { stopStandaloneTasks: true } }] } });
    expect(resolveDriftSettings(policy, scope(SANDBOX)).stopStandaloneTasks).toBe(true);
    expect(resolveDriftSettings(policy, scope(PROD)).stopStandaloneTasks).toBe(false);
    expect(resolveDriftSettings(policy, scope()).stopStandaloneTasks).toBe(false);
  });

  it('select by organisational unit as the mode overrides do', () => {
    const policy = load({ organizationalUnits: { [PROD_OU]: [PROD] }, drift: { scopes: [{ match: { organizationalUnits: [PROD_OU] }, actOnRunning: { rollBackServices: true } }] } });
    expect(resolveDriftSettings(policy, scope(PROD)).rollBackServices).toBe(true);
    expect(resolveDriftSettings(policy, scope(SANDBOX)).rollBackServices).toBe(false);
  });
});

describe('organisational units in the policy file: clear errors', () => {
  it.each([
    [{ modeOverrides: [{ match: { organizationalUnits: ['sandbox'] }, mode: 'audit' }] }, 'modeOverrides[0].match.organizationalUnits[0]', 'expected an AWS Organizations OU id'],
    [{ modeOverrides: [{ match: { organizationalUnits: ['ou-AB12-cd34ef56'] }, mode: 'audit' }] }, 'modeOverrides[0].match.organizationalUnits[0]', 'expected an AWS Organizations OU id'],
    [{ modeOverrides: [{ match: { organizationalUnits: [SANDBOX_OU] }, mode: 'audit' }] }, 'modeOverrides[0].match.organizationalUnits[0]', `organizational unit ${SANDBOX_OU} is not defined in the policy's organizationalUnits map`],
    [{ organizationalUnits: { [PROD_OU]: [PROD] }, drift: { scopes: [{ match: { organizationalUnits: [SANDBOX_OU] }, notify: true }] } }, 'drift.scopes[0].match.organizationalUnits[0]', 'is not defined in the policy'],
    [{ organizationalUnits: { 'ou-x': [PROD] } }, 'organizationalUnits["ou-x"]', '"ou-x" is not an AWS Organizations OU id'],
    [{ organizationalUnits: { [PROD_OU]: ['7777'] } }, `organizationalUnits["${PROD_OU}"][0]`, 'expected a 12-digit AWS account id'],
    [{ organizationalUnits: { [PROD_OU]: [] } }, `organizationalUnits["${PROD_OU}"]`, 'expected at least 1 item'],
  ])('%j: %s', (extra, path, message) => {
    const error = inputErrorOf(() => load(extra));
    expect(error.message).toContain('org.json');
    expect(error.message).toMatch(new RegExp(`${path.replace(/[.[\]]/g, '\\$&')}[^\n]*${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  });
});
