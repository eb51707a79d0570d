import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../../functions/core/errors';
import { canonicalJson, loadPolicy, loadPolicyText, maxScanAgeMs, policyHash } from '../../../functions/core/policy/load';
import type { PolicyInput } from '../../../functions/core/policy/schema';
import { policyDoc } from './support';
import { assertProperty } from '../../support/property';

const FIXTURES = join(__dirname, '../../fixtures/policies');
const full = (): Record<string, unknown> => JSON.parse(readFileSync(join(FIXTURES, 'full.json'), 'utf8'));

function loadError(json: unknown): InputError {
  try {
    loadPolicy(json, 'bad.json');
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error('expected the policy to be rejected');
}

/** Deep copy of a valid policy with one change applied at a JSON path (undefined deletes). */
function withChange(path: (string | number)[], value: unknown): Record<string, unknown> {
  const doc = full();
  let node: Record<string | number, unknown> = doc;
  for (const key of path.slice(0, -1)) {
    if (node[key] === undefined) node[key] = typeof key === 'number' ? [] : {};
    node = node[key] as Record<string | number, unknown>;
  }
  const last = path[path.length - 1];
  if (value === undefined) delete node[last];
  else node[last] = value;
  return doc;
}

describe('loadPolicy', () => {
  it('loads a valid policy with its name, source, hash and defaults filled in', () => {
    const loaded = loadPolicy(policyDoc({ name: 'payments', rules: { rootUser: { action: 'deny' } } }), 'policies/payments.json');
    expect(loaded.name).toBe('payments');
    expect(loaded.source).toBe('policies/payments.json');
    expect(loaded.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(loaded.document.rules.rootUser).toEqual({ enabled: true, action: 'deny' });
  });

  it('loads the full fixture, which uses every feature', () => {
    const loaded = loadPolicy(full(), 'full.json');
    expect(loaded.document.exceptions).toHaveLength(3);
    expect(loaded.document.modeOverrides).toHaveLength(2);
    expect(loaded.document.rules.vulnerabilities?.treatUnknownAs).toBe('high');
  });

  it.each([
    [['rules', 'vulnerabilities', 'fixable', 'minSeverity'], 'severe', 'rules.vulnerabilities.fixable.minSeverity', 'expected one of "unknown", "negligible", "low", "medium", "high", "critical", got the string "severe"'],
    [['rules', 'vulnerabilities', 'fixable', 'minSeverity'], 'HIGH', 'rules.vulnerabilities.fixable.minSeverity', '(values are lowercase: "high")'],
    [['modes'], [], 'modes', 'unknown key; expected one of $schema, schemaVersion, name, description, mode, modeOverrides, onScanError, maxScanAge, rules, exceptions'],
    [['rules', 'rootUser', 'actions'], 'deny', 'rules.rootUser.actions', 'unknown key; expected one of enabled, action'],
    [['rules', 'vulnerabilities', 'fixable', 'severity'], 'high', 'rules.vulnerabilities.fixable.severity', 'unknown key; expected one of minSeverity, action'],
    [['exceptions', 0, 'match', 'cve'], ['CVE-1'], 'exceptions[0].match.cve', 'unknown key; expected one of ids, packages, repositories, digests, clusters, services, containers, rules'],
    [['schemaVersion'], '2', 'schemaVersion', 'expected "1", got the string "2"'],
    [['schemaVersion'], 1, 'schemaVersion', 'expected "1", got the number 1'],
    [['schemaVersion'], undefined, 'schemaVersion', 'is required'],
    [['name'], '', 'name', 'expected a non-empty string'],
    [['mode'], 'block', 'mode', 'expected one of "enforce", "audit", got the string "block"'],
    [['onScanError'], undefined, 'onScanError', 'is required: expected one of "deny", "allow"'],
    [['rules'], undefined, 'rules', 'is required: expected an object'],
    [['rules'], [], 'rules', 'expected an object, got an empty array'],
    [['maxScanAge'], '7 days', 'maxScanAge', 'expected a duration such as "7d"'],
    [['maxScanAge'], '0h', 'maxScanAge', 'longer than zero'],
    [['maxScanAge'], '1h1d', 'maxScanAge', 'largest first'],
    [['maxScanAge'], 7, 'maxScanAge', 'expected a string, got the number 7'],
    [['rules', 'rootUser', 'enabled'], 'yes', 'rules.rootUser.enabled', 'expected true or false, got the string "yes"'],
    [['rules', 'rootUser', 'action'], undefined, 'rules.rootUser.action', 'is required: expected one of "deny", "warn"'],
    [['rules', 'secrets', 'environment', 'allowNames', 0], '', 'rules.secrets.environment.allowNames[0]', 'expected a non-empty string'],
    [['rules', 'secrets', 'categories'], [], 'rules.secrets.categories', 'expected at least 1 item, got an empty array'],
    [['rules', 'vulnerabilities', 'maxCounts', 'high'], -1, 'rules.vulnerabilities.maxCounts.high', 'expected at least 0, got the number -1'],
    [['rules', 'vulnerabilities', 'maxCounts', 'high'], 1.5, 'rules.vulnerabilities.maxCounts.high', 'expected an integer'],
    [['rules', 'vulnerabilities', 'maxCounts'], { action: 'warn' }, 'rules.vulnerabilities.maxCounts', 'needs at least one limit'],
    [['rules', 'vulnerabilities'], { action: 'deny' }, 'rules.vulnerabilities', 'needs at least one of fixable, unfixable, denyIds, maxCounts'],
    [['rules', 'misconfigurations', 'denyIds'], ['DS-0026', 'DS002'], 'rules.misconfigurations.denyIds[1]', 'is judged by rules.rootUser'],
    [['rules', 'misconfigurations'], { action: 'deny' }, 'rules.misconfigurations', 'needs denyIds or minSeverity'],
    [['rules', 'images'], { action: 'deny' }, 'rules.images', 'needs at least one of allowedRegistries, denyTags, requireDigest'],
    [['rules', 'images', 'allowedRegistries'], '*.amazonaws.com', 'rules.images.allowedRegistries', 'expected an array, got the string'],
    [['modeOverrides', 0, 'match'], {}, 'modeOverrides[0].match', 'needs at least one of clusters, services, repositories, tags, accounts'],
    [['modeOverrides', 0, 'mode'], 'warn', 'modeOverrides[0].mode', 'expected one of "enforce", "audit"'],
    [['exceptions', 0, 'expiresAt'], 'next week', 'exceptions[0].expiresAt', 'expected an ISO date "2026-10-01" or date-time "2026-10-01T12:00:00Z", got the string "next week"'],
    [['exceptions', 0, 'expiresAt'], '2026-02-30', 'exceptions[0].expiresAt', 'expected an ISO date'],
    [['exceptions', 0, 'expiresAt'], '2026-10-01T25:00:00Z', 'exceptions[0].expiresAt', 'expected an ISO date'],
    [['exceptions', 0, 'expiresAt'], '2026-10-01T12:00:00', 'exceptions[0].expiresAt', 'expected an ISO date'],
    [['exceptions', 0, 'owner'], undefined, 'exceptions[0].owner', 'is required: expected a string'],
    [['exceptions', 0, 'reason'], '   ', 'exceptions[0].reason', 'expected a non-empty string'],
    [['exceptions', 0, 'match'], {}, 'exceptions[0].match', 'needs at least one of ids, packages'],
    [['exceptions', 0, 'match', 'ids'], [], 'exceptions[0].match.ids', 'expected at least 1 item'],
    [['exceptions', 0, 'match', 'digests'], ['sha256:abc'], 'exceptions[0].match.digests[0]', 'expected a sha256 digest'],
    [['exceptions', 0, 'match', 'rules'], ['root'], 'exceptions[0].match.rules[0]', 'expected one of "rootUser", "secrets", "vulnerabilities", "misconfigurations", "images"'],
    [['exceptions', 1, 'id'], 'EXC-1', 'exceptions[1].id', 'duplicate exception id "EXC-1" (also exceptions[0])'],
    // Issue 7: an extglob took 15.7 s against a 31-character tag; patterns that cannot be matched in linear time are refused.
    [['rules', 'images', 'denyTags'], ['latest', `${'@(*|**|*a)'.repeat(6)}b`], 'rules.images.denyTags[1]', '"(" is not supported (extglobs'],
    [['rules', 'images', 'allowedRegistries'], ['!docker.io'], 'rules.images.allowedRegistries[0]', 'a leading "!" (negating the pattern) is not supported'],
    [['exceptions', 0, 'match', 'packages'], ['lib{1..3}'], 'exceptions[0].match.packages[0]', 'brace ranges such as {1..3} are not supported'],
  ])('rejects %j = %j at %s', (path, value, expectedPath, expectedMessage) => {
    const error = loadError(withChange(path as (string | number)[], value));
    expect(error.message).toContain('bad.json');
    expect(error.message).toContain(`${expectedPath}: `);
    expect(error.message).toContain(expectedMessage);
  });

  it('sets the error path when there is exactly one problem', () => {
    const error = loadError(withChange(['rules', 'vulnerabilities', 'fixable', 'minSeverity'], 'severe'));
    expect(error.path).toBe('rules.vulnerabilities.fixable.minSeverity');
    expect(error.source).toBe('bad.json');
    expect(error.message.startsWith('bad.json at rules.vulnerabilities.fixable.minSeverity: expected one of')).toBe(true);
  });

  it('lists every problem of a policy with several, one per line', () => {
    const doc = { ...policyDoc(), mode: 'strict', extra: 1, rules: { rootUser: { action: 'stop' } } };
    const error = loadError(doc);
    expect(error.message).toContain('invalid policy (3 problems)');
    expect(error.message).toContain('\n  mode: expected one of');
    expect(error.message).toContain('\n  rules.rootUser.action: expected one of "deny", "warn", got the string "stop"');
    expect(error.message).toContain('\n  extra: unknown key');
  });

  it('caps the list of problems and says how many more there are', () => {
    const exceptions = Array.from({ length: 30 }, (_, i) => ({ id: `E${i}`, match: { ids: ['CVE-1'] }, reason: 'r', owner: 'o', expiresAt: 'never' }));
    const error = loadError(policyDoc({ exceptions } as Partial<PolicyInput>));
    expect(error.message).toContain('(30 problems)');
    expect(error.message).toContain('... and 10 more');
  });

  it.each([
    [null, 'got null'],
    [[], 'got an empty array'],
    ['{}', 'got the string "{}"'],
    [42, 'got the number 42'],
  ])('rejects a document that is not an object: %j', (json, expected) => {
    expect(loadError(json).message).toContain(`a policy is a JSON object, ${expected}`);
  });

  it('accepts date-only and offset date-time expiries', () => {
    for (const expiresAt of ['2026-10-01', '2026-10-01T12:00:00Z', '2026-10-01T12:00:00.123+02:00', '2028-02-29']) {
      expect(() => loadPolicy(withChange(['exceptions', 0, 'expiresAt'], expiresAt), 'ok.json')).not.toThrow();
    }
  });
});

describe('loadPolicy: every problem in one round', () => {
  it('reports a malformed maxScanAge once', () => {
    const error = loadError(withChange(['maxScanAge'], '7days'));
    expect(error.path).toBe('maxScanAge');
    expect(error.message).not.toContain('problems');
    expect(error.message.match(/expected a duration/g)).toHaveLength(1);
  });

  it('reports a malformed expiresAt once', () => {
    const error = loadError(withChange(['exceptions', 0, 'expiresAt'], 'next week'));
    expect(error.path).toBe('exceptions[0].expiresAt');
    expect(error.message).not.toContain('problems');
  });

  it('reports duplicate exception ids together with the other problems of the policy', () => {
    const doc = withChange(['exceptions', 1, 'id'], 'EXC-1');
    doc.mode = 'block';
    const error = loadError(doc);
    expect(error.message).toContain('invalid policy (2 problems)');
    expect(error.message).toContain('\n  mode: expected one of');
    expect(error.message).toContain('\n  exceptions[1].id: duplicate exception id "EXC-1" (also exceptions[0])');
  });

  it('reports empty match objects together with problems elsewhere, even inside the same exception list', () => {
    const doc = withChange(['exceptions', 0, 'match'], {});
    ((doc.exceptions as Record<string, unknown>[])[1] as Record<string, unknown>).expiresAt = 'soon';
    ((doc.modeOverrides as Record<string, unknown>[])[0] as Record<string, unknown>).match = {};
    (doc.rules as Record<string, Record<string, unknown>>).rootUser.action = 'stop';
    const error = loadError(doc);
    expect(error.message).toContain('invalid policy (4 problems)');
    expect(error.message).toContain('\n  exceptions[0].match: needs at least one of ids, packages');
    expect(error.message).toContain('\n  exceptions[1].expiresAt: expected an ISO date');
    expect(error.message).toContain('\n  modeOverrides[0].match: needs at least one of clusters, services, repositories, tags');
    expect(error.message).toContain('\n  rules.rootUser.action: expected one of "deny", "warn"');
  });

  it('reports the rules that need a setting together with a wrong type elsewhere', () => {
    const doc = withChange(['rules', 'images'], { action: 'deny' });
    doc.name = 42;
    const error = loadError(doc);
    expect(error.message).toContain('invalid policy (2 problems)');
    expect(error.message).toContain('\n  rules.images: needs at least one of allowedRegistries, denyTags, requireDigest');
    expect(error.message).toContain('\n  name: expected a string, got the number 42');
  });

  it('lets DS-0002 be listed in misconfigurations.denyIds when rules.rootUser is absent or disabled', () => {
    const noRootUser = withChange(['rules', 'rootUser'], undefined);
    (noRootUser.rules as Record<string, Record<string, unknown>>).misconfigurations.denyIds = ['DS002'];
    expect(() => loadPolicy(noRootUser, 'ok.json')).not.toThrow();
    const disabled = withChange(['rules', 'rootUser'], { action: 'deny', enabled: false });
    (disabled.rules as Record<string, Record<string, unknown>>).misconfigurations.denyIds = ['DS-0002'];
    expect(() => loadPolicy(disabled, 'ok.json')).not.toThrow();
  });
});

describe('loadPolicyText', () => {
  it('names the file and where the JSON breaks, without quoting it', () => {
    const text = readFileSync(join(FIXTURES, 'not-json.json'), 'utf8');
    expect(() => loadPolicyText(text, 'policies/broken.json')).toThrow(InputError);
    expect(() => loadPolicyText(text, 'policies/broken.json')).toThrow(
      /^policies\/broken\.json: the policy is not valid JSON: the text ends at line 5, column 1 \(character \d+\) where .* was expected, so the file is probably truncated/,
    );
  });

  it('says an empty file is empty', () => {
    expect(() => loadPolicyText(' \n', 'policies/empty.json')).toThrow('policies/empty.json: the policy is empty; expected a JSON document');
  });

  it('reads a file with a byte-order mark', () => {
    const text = `\ufeff${JSON.stringify(policyDoc())}`;
    expect(loadPolicyText(text, 'bom.json').name).toBe('test');
  });

  it('validates after parsing', () => {
    expect(() => loadPolicyText(JSON.stringify({ ...policyDoc(), mode: 'x' }), 'p.json')).toThrow(/p\.json at mode: expected one of/);
  });
});

describe('policy hash', () => {
  it('does not depend on key order, whitespace, $schema or spelled-out defaults', () => {
    const a = loadPolicy(full(), 'a');
    const reordered = Object.fromEntries(Object.entries(full()).reverse());
    const b = loadPolicyText(JSON.stringify(reordered, null, 4), 'b');
    const withoutSchema = full();
    delete withoutSchema.$schema;
    const c = loadPolicy(withoutSchema, 'c');
    const d = loadPolicy({ ...full(), $schema: 'https://example.com/other.json' }, 'd');
    expect(new Set([a.hash, b.hash, c.hash, d.hash]).size).toBe(1);

    const explicit = loadPolicy(policyDoc({ rules: { rootUser: { action: 'deny', enabled: true } } }), 'e');
    const implicit = loadPolicy(policyDoc({ rules: { rootUser: { action: 'deny' } } }), 'f');
    expect(explicit.hash).toBe(implicit.hash);
  });

  it('changes when a rule changes', () => {
    const deny = loadPolicy(policyDoc({ rules: { rootUser: { action: 'deny' } } }), 'a');
    const warn = loadPolicy(policyDoc({ rules: { rootUser: { action: 'warn' } } }), 'b');
    expect(deny.hash).not.toBe(warn.hash);
  });

  it('changes when array order changes, since rule order can matter (first-match overrides)', () => {
    const doc = full();
    const swapped = full();
    (swapped.modeOverrides as unknown[]).reverse();
    expect(loadPolicy(doc, 'a').hash).not.toBe(loadPolicy(swapped, 'b').hash);
  });

  it('is the sha256 of the canonical JSON of the document without $schema', () => {
    const loaded = loadPolicy(full(), 'a');
    const { $schema: _s, ...rest } = loaded.document;
    expect(policyHash(loaded.document)).toBe(loaded.hash);
    expect(canonicalJson(rest)).toMatch(/^\{"description":/);
  });

  it('canonicalJson sorts keys at every level, keeps array order and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, 1], c: undefined, b: null } })).toBe('{"a":{"b":null,"d":[3,1]},"b":1}');
    expect(canonicalJson([undefined, 'x'])).toBe('[null,"x"]');
  });

  it('is stable under random key permutations (property)', () => {
    assertProperty(
      fc.property(fc.jsonValue(), (value) => {
        const shuffle = (v: unknown): unknown =>
          Array.isArray(v) ? v.map(shuffle) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, shuffle(x)])) : v;
        expect(canonicalJson(shuffle(value))).toBe(canonicalJson(value));
      }),
    );
  });
});

describe('maxScanAgeMs', () => {
  it.each([
    ['7d', 7 * 86_400_000],
    ['12h', 12 * 3_600_000],
    ['30m', 30 * 60_000],
    ['1d12h', 36 * 3_600_000],
    ['2w', 14 * 86_400_000],
  ])('%s is %d ms', (text, ms) => {
    expect(maxScanAgeMs(loadPolicy(policyDoc({ maxScanAge: text }), 'p'))).toBe(ms);
  });

  it('is undefined when the policy sets none', () => {
    expect(maxScanAgeMs(loadPolicy(policyDoc(), 'p'))).toBeUndefined();
  });

  it('refuses a hand-built policy whose duration never went through loadPolicy', () => {
    const loaded = loadPolicy(policyDoc(), 'hand-built');
    const broken = { ...loaded, document: { ...loaded.document, maxScanAge: 'soon' } };
    expect(() => maxScanAgeMs(broken)).toThrow(InputError);
  });
});

describe('loadPolicy on arbitrary input (property)', () => {
  const onlyInputErrors = (json: unknown) => {
    try {
      loadPolicy(json, 'random.json');
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      expect(error.message.startsWith('random.json')).toBe(true);
    }
  };

  it('throws nothing but InputError for random JSON values', () => {
    assertProperty(fc.property(fc.jsonValue({ maxDepth: 5 }), onlyInputErrors), { numRuns: 300 });
  });

  it('throws nothing but InputError for random mutations of a valid policy', () => {
    const paths: (string | number)[][] = [];
    const collect = (node: unknown, path: (string | number)[]) => {
      paths.push(path);
      if (Array.isArray(node)) node.forEach((item, i) => collect(item, [...path, i]));
      else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) collect(v, [...path, k]);
    };
    collect(full(), []);
    const mutation = fc.record({
      path: fc.constantFrom(...paths.filter((p) => p.length > 0)),
      value: fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant(undefined), fc.constantFrom('', 'deny', 'high', '7d', '2026-01-01', 'sha256:x', '*', '__proto__')),
    });
    assertProperty(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (mutations) => {
        const doc = full();
        for (const { path, value } of mutations) {
          let node: Record<string | number, unknown> = doc;
          let reachable = true;
          for (const key of path.slice(0, -1)) {
            if (!node[key] || typeof node[key] !== 'object') {
              reachable = false;
              break;
            }
            node = node[key] as Record<string | number, unknown>;
          }
          if (!reachable) continue;
          if (value === undefined) delete node[path[path.length - 1]];
          else node[path[path.length - 1]] = value;
        }
        onlyInputErrors(doc);
      }),
      { numRuns: 400 },
    );
  });
});
