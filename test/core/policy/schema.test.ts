import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { loadPolicy } from '../../../functions/core/policy/load';
import { isValidIsoDate, policySchemaJson, RULE_NAMES } from '../../../functions/core/policy/schema';
import { renderPolicySchema, SCHEMA_PATH } from '../../../scripts/generate-policy-schema';
import { assertProperty } from '../../support/property';

type JsonSchemaNode = { [key: string]: unknown; properties?: Record<string, JsonSchemaNode>; items?: JsonSchemaNode };

function walkProperties(node: JsonSchemaNode, path: string, visit: (path: string, node: JsonSchemaNode) => void): void {
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    visit(`${path}.${key}`, child);
    walkProperties(child, `${path}.${key}`, visit);
  }
  if (node.items) walkProperties(node.items, `${path}[]`, visit);
}

describe('policySchemaJson', () => {
  const schema = policySchemaJson() as JsonSchemaNode;

  it('is draft-07 with an id editors can resolve next to the policies', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.$id).toBe('policy.schema.json');
    expect(schema.required).toEqual(['schemaVersion', 'name', 'mode', 'onScanError', 'rules']);
  });

  it('gives every field a title and a description, so editors show help', () => {
    const missing: string[] = [];
    walkProperties(schema, '', (path, node) => {
      if (typeof node.title !== 'string' || typeof node.description !== 'string' || node.description.length < 10) missing.push(path);
    });
    expect(missing).toEqual([]);
  });

  it('forbids unknown keys in every object, as loadPolicy does', () => {
    const open: string[] = [];
    const check = (path: string, node: JsonSchemaNode) => {
      // A map (organizationalUnits: OU id → accounts) is open by nature; its keys are held to a pattern instead.
      const keysPatterned = typeof (node as { propertyNames?: { pattern?: unknown } }).propertyNames?.pattern === 'string';
      if (node.type === 'object' && node.additionalProperties !== false && !keysPatterned) open.push(path);
    };
    check('', schema);
    walkProperties(schema, '', check);
    expect(open).toEqual([]);
  });

  it('documents the decisions that are easy to get wrong', () => {
    const props = schema.properties as Record<string, JsonSchemaNode>;
    expect(props.modeOverrides.description).toContain('first match wins');
    expect(props.onScanError.description).toContain('fail closed');
    const rules = (props.rules.properties ?? {}) as Record<string, JsonSchemaNode>;
    expect(rules.rootUser.description).toContain('DS-0002');
    expect(rules.vulnerabilities.properties?.unfixable.description).toContain('every fix state other than "fixed"');
    const exception = (props.exceptions.items as JsonSchemaNode).properties as Record<string, JsonSchemaNode>;
    expect(exception.expiresAt.description).toContain('00:00 UTC');
    expect(exception.match.minProperties).toBe(1);
    expect((exception.match.properties?.rules.items as JsonSchemaNode).enum).toEqual([...RULE_NAMES]);
  });

  it('shows input defaults, not required output fields', () => {
    const rootUser = ((schema.properties as Record<string, JsonSchemaNode>).rules.properties as Record<string, JsonSchemaNode>).rootUser;
    expect(rootUser.required).toEqual(['action']);
    expect((rootUser.properties as Record<string, JsonSchemaNode>).enabled.default).toBe(true);
  });
});

describe('policies/policy.schema.json', () => {
  it('is the schema generated from the code (run `npx tsx scripts/generate-policy-schema.ts` when this fails)', () => {
    expect(readFileSync(SCHEMA_PATH, 'utf8')).toBe(renderPolicySchema());
  });

  it('sits next to the shipped policies that reference it', () => {
    expect(SCHEMA_PATH).toBe(join(__dirname, '../../../policies/policy.schema.json'));
  });
});

describe('isValidIsoDate', () => {
  it.each(['2026-10-01', '2028-02-29', '2026-10-01T00:00:00Z', '2026-10-01T23:59:59.999Z', '2026-10-01T12:00+02:00', '2026-10-01T12:00:00-05:30'])('accepts %s', (text) => {
    expect(isValidIsoDate(text)).toBe(true);
  });

  it.each(['2026-02-29', '2026-13-01', '2026-00-10', '2026-10-32', '2026-10-01T24:00:00Z', '2026-10-01T12:60:00Z', '2026-10-01T12:00:00', '01/10/2026', '2026-10-1', ''])(
    'rejects %j',
    (text) => {
      expect(isValidIsoDate(text)).toBe(false);
    },
  );
});

describe('expiresAt in the JSON Schema', () => {
  const exception = ((policySchemaJson() as JsonSchemaNode).properties as Record<string, JsonSchemaNode>).exceptions.items as JsonSchemaNode;
  const expiresAt = (exception.properties as Record<string, JsonSchemaNode>).expiresAt;
  const accepts = (text: string) => {
    try {
      loadPolicy(
        { schemaVersion: '1', name: 'p', mode: 'enforce', onScanError: 'deny', rules: {}, exceptions: [{ id: 'E', match: { ids: ['X'] }, reason: 'r', owner: 'o', expiresAt: text }] },
        'p.json',
      );
      return true;
    } catch {
      return false;
    }
  };

  it('carries a pattern for a date or an RFC 3339 date-time with offset', () => {
    expect(typeof expiresAt.pattern).toBe('string');
    const pattern = new RegExp(expiresAt.pattern as string);
    for (const text of ['2026-10-01', '2026-10-01T12:00:00Z', '2026-10-01T12:00:00.123+02:00', '2026-10-01T12:00-05:30']) expect([text, pattern.test(text)]).toEqual([text, true]);
    for (const text of ['next week', '2026-10-01T12:00:00', '2026-10-1', '01/10/2026', '2026-13-01', '2026-10-01T24:00:00Z', '2026-10-01 12:00:00Z', '']) {
      expect([text, pattern.test(text)]).toEqual([text, false]);
    }
  });

  it('matches every expiry loadPolicy accepts, and loadPolicy rejects only calendar errors the pattern lets through (property)', () => {
    const pattern = new RegExp(expiresAt.pattern as string);
    const two = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, '0'));
    const candidate = fc.tuple(
      fc.integer({ min: 1970, max: 2100 }).map(String),
      two(14),
      two(33),
      fc.option(fc.tuple(two(25), two(61), fc.option(two(61), { nil: undefined }), fc.constantFrom('Z', '+02:00', '-05:30', '+25:00', ''), fc.constantFrom('', '.5', '.123456789')), { nil: undefined }),
    ).map(([y, m, d, time]) => (time ? `${y}-${m}-${d}T${time[0]}:${time[1]}${time[2] !== undefined ? `:${time[2]}${time[4]}` : ''}${time[3]}` : `${y}-${m}-${d}`));
    assertProperty(
      fc.property(candidate, (text) => {
        // Everything the engine accepts, the editor accepts.
        if (accepts(text)) expect(pattern.test(text)).toBe(true);
        // The editor accepts more only where a pattern cannot look: a day the month does not have.
        if (pattern.test(text) && !accepts(text)) {
          const [year, month, day] = text.slice(0, 10).split('-').map(Number);
          expect(new Date(Date.UTC(year, month - 1, day)).getUTCDate()).not.toBe(day);
        }
      }),
      { numRuns: 500 },
    );
  });
});
