import fc from 'fast-check';
import { assertProperty } from '../../support/property';
import { withContainer } from '../../../functions/core/policy/with-container';
import type { Violation } from '../../../functions/core/result/model';

/** What the evaluation built before: the spread. Compared member by member, in order, symbols included. */
const spread = (violation: Violation, container: string): Violation => ({ ...violation, container });
const members = (value: object) => Reflect.ownKeys(value).map((key) => [key, (value as Record<PropertyKey, unknown>)[key]]);

const ruleBuilt = (): Violation => ({
  rule: 'vulnerabilities',
  kind: 'vulnerability',
  id: 'CVE-2024-1',
  severity: 'high',
  action: 'deny',
  message: 'CVE-2024-1 (high) in openssl 1.0',
  details: { package: 'openssl', matchedBy: 'fixable' },
});

describe('withContainer', () => {
  it('adds the container after the members of a violation a rule built, the details shared as the spread shares them', () => {
    const violation = ruleBuilt();
    const placed = withContainer(violation, 'app');
    expect(members(placed)).toEqual(members(spread(violation, 'app')));
    expect(Object.keys(placed)).toEqual(['rule', 'kind', 'id', 'severity', 'action', 'message', 'details', 'container']);
    expect(placed.details).toBe(violation.details);
    expect(placed).not.toBe(violation);
    expect(violation).not.toHaveProperty('container');
  });

  it.each<[string, () => Violation]>([
    ['a container already set (kept in its place, replaced)', () => ({ ...ruleBuilt(), container: 'old' })],
    ['controls after the details', () => ({ ...ruleBuilt(), controls: ['NIST.800-53.r5 AC-6'] })],
    ['no details', () => {
      const { details: _details, ...rest } = ruleBuilt();
      return rest;
    }],
    ['the members in another order', () => {
      const { rule, ...rest } = ruleBuilt();
      return { ...rest, rule };
    }],
    ['a symbol member', () => ({ ...ruleBuilt(), [Symbol.for('marker')]: 1 }) as Violation],
    ['another prototype', () => Object.assign(Object.create({ inherited: true }), ruleBuilt()) as Violation],
    ['a member that is not enumerable', () => Object.defineProperty(ruleBuilt(), 'extra', { value: 1, enumerable: false })],
    ['details undefined', () => ({ ...ruleBuilt(), details: undefined })],
  ])('is the spread for a violation with %s', (_name, make) => {
    expect(members(withContainer(make(), 'app'))).toEqual(members(spread(make(), 'app')));
  });

  it('is the spread while Object.prototype has an enumerable member (for-in would list it)', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.polluted = 'yes';
    try {
      const violation = ruleBuilt();
      expect(members(withContainer(violation, 'app'))).toEqual(members(spread(violation, 'app')));
    } finally {
      delete proto.polluted;
    }
  });

  it('is the spread for any violation: every member, in order, symbols included', () => {
    const keys = fc.constantFrom('rule', 'kind', 'id', 'severity', 'action', 'message', 'details', 'container', 'controls', 'extra', '0');
    const value = fc.oneof(fc.string({ maxLength: 4 }), fc.constant(undefined), fc.dictionary(fc.string({ maxLength: 3 }), fc.string({ maxLength: 3 }), { maxKeys: 2 }));
    const violation = fc.oneof(
      // Mostly the rule's members in the rule's order, some dropped or moved, some added.
      fc.tuple(fc.subarray(['rule', 'kind', 'id', 'severity', 'action', 'message', 'details']), fc.array(keys, { maxLength: 2 }), fc.boolean()).map(([base, extra, reversed]) => (reversed ? [...base].reverse() : base).concat(extra)),
      fc.array(keys, { maxLength: 9 }),
    ).chain((names) => fc.tuple(fc.constant(names), fc.array(value, { minLength: names.length, maxLength: names.length }), fc.boolean()));
    assertProperty(
      fc.property(violation, fc.string({ maxLength: 4 }), ([names, values, symbol], container) => {
        const make = () => {
          const built: Record<PropertyKey, unknown> = {};
          names.forEach((name, i) => (built[name] = values[i]));
          if (symbol) built[Symbol.for('extra')] = 1;
          return built as unknown as Violation;
        };
        expect(members(withContainer(make(), container))).toEqual(members(spread(make(), container)));
      }),
      { numRuns: 500 },
    );
  });
});
