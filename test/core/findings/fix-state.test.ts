import { grypeFixState, trivyFixState } from '../../../functions/core/findings/fix-state';

describe('trivyFixState (policy-engines.md §5.6)', () => {
  it.each([
    ['fixed', '1.2', 'fixed'],
    ['fixed', undefined, 'fixed'],
    ['affected', undefined, 'unfixed'],
    ['affected', '1.2', 'unfixed'],
    ['fix_deferred', undefined, 'unfixed'],
    ['will_not_fix', undefined, 'wont_fix'],
    ['end_of_life', undefined, 'end_of_life'],
    ['not_affected', undefined, 'not_affected'],
    ['under_investigation', undefined, 'unknown'],
    ['unknown', undefined, 'unknown'],
    ['WILL_NOT_FIX', undefined, 'wont_fix'],
    ['some_future_status', '1.2', 'unknown'],
  ] as const)('Status %p with FixedVersion %p is %s', (status, fixedVersion, expected) => {
    expect(trivyFixState(status, fixedVersion)).toBe(expected);
  });

  it.each([
    [undefined, '1.2', 'fixed'],
    [undefined, undefined, 'unfixed'],
    ['', '1.2', 'fixed'],
    ['', undefined, 'unfixed'],
  ] as const)('without Status (%p), infers from FixedVersion %p: %s', (status, fixedVersion, expected) => {
    expect(trivyFixState(status, fixedVersion)).toBe(expected);
  });
});

describe('grypeFixState (policy-engines.md §5.6)', () => {
  it.each([
    ['fixed', ['1.2'], 'fixed'],
    ['not-fixed', [], 'unfixed'],
    ['wont-fix', ['1.2'], 'wont_fix'],
    ['unknown', [], 'unknown'],
    ['unknown', ['1.2'], 'unknown'],
    ['Not-Fixed', [], 'unfixed'],
    ['something-new', ['1.2'], 'unknown'],
    ['', [], 'unknown'],
    ['', ['1.2'], 'fixed'],
    [undefined, [], 'unknown'],
    [undefined, ['1.2'], 'fixed'],
  ] as const)('fix.state %p with versions %p is %s', (state, versions, expected) => {
    expect(grypeFixState(state, versions)).toBe(expected);
  });
});

describe('not_affected (the vendor says the package is not affected)', () => {
  it('is its own canonical fix state, not unknown', () => {
    expect(trivyFixState('not_affected', undefined)).toBe('not_affected');
    expect(trivyFixState('NOT_AFFECTED', '1.2')).toBe('not_affected');
  });
});
