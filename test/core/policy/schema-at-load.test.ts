import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { countingZodBuilds } from '../../support/zod-builds';

/* eslint-disable @typescript-eslint/no-require-imports -- each test loads the modules afresh, under a counting zod */
const ROOT = join(__dirname, '../../..');
const DEFAULT_TEXT = readFileSync(join(ROOT, 'policies/default.json'), 'utf8');

/** Every module of the policy side that declares a schema, and the engine's entry. */
const loadPolicyModules = () => ({
  engine: require('../../../functions/core/policy') as typeof import('../../../functions/core/policy'),
  load: require('../../../functions/core/policy/load') as typeof import('../../../functions/core/policy/load'),
  schema: require('../../../functions/core/policy/schema') as typeof import('../../../functions/core/policy/schema'),
  drift: require('../../../functions/core/policy/drift-schema') as typeof import('../../../functions/core/policy/drift-schema'),
  hardening: require('../../../functions/core/policy/rules/hardening/index') as typeof import('../../../functions/core/policy/rules/hardening/index'),
  prepared: require('../../../functions/core/policy/prepared') as typeof import('../../../functions/core/policy/prepared'),
  // The (counting) zod these modules build with: a rule's schema builder is handed it.
  zod: require('zod') as typeof import('zod'),
});

describe('policy schemas are built on first use, not at module load', () => {
  it('loading the policy engine, loadPolicy, the policy and drift schema modules and every hardening rule builds no zod schema', () => {
    const { modules, built } = countingZodBuilds(loadPolicyModules);
    expect(built()).toBe(0);
    // The counter sees the schemas once they are needed: the policy schema, built once and kept.
    const schema = modules.schema.policySchema();
    const afterFirst = built();
    expect(afterFirst).toBeGreaterThan(0);
    expect(modules.schema.policySchema()).toBe(schema);
    expect(modules.load.loadPolicy(JSON.parse(DEFAULT_TEXT), 'default.json').name).toBe(JSON.parse(DEFAULT_TEXT).name);
    expect(built()).toBe(afterFirst);
  });

  it('a hardening rule builds its options schema only when asked, and the policy schema asks each once', () => {
    const { modules, built } = countingZodBuilds(loadPolicyModules);
    const rules = modules.hardening.HARDENING_RULES;
    const asked = rules.map((rule) => jest.spyOn(rule, 'schema'));
    expect(built()).toBe(0);
    modules.schema.policySchemaJson();
    for (const spy of asked) expect(spy).toHaveBeenCalledTimes(1);
    const before = built();
    expect(rules[0].schema(modules.zod).parse({ action: 'deny' })).toEqual({ enabled: true, action: 'deny' });
    expect(built()).toBeGreaterThan(before);
  });

  it('a cold start that takes the prepared policy builds no policy schema', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fargate-gate-schema-at-load-'));
    try {
      const path = join(dir, 'policy.json');
      writeFileSync(path, DEFAULT_TEXT);
      // Prepared as the stack prepares it at synth, with modules of their own (the real zod).
      const { preparePolicy } = require('../../../functions/core/policy/prepared') as typeof import('../../../functions/core/policy/prepared');
      const { loadPolicyText } = require('../../../functions/core/policy/load') as typeof import('../../../functions/core/policy/load');
      const { preparedPolicyPath } = require('../../../functions/io/bundled-policy') as typeof import('../../../functions/io/bundled-policy');
      writeFileSync(preparedPolicyPath(path), JSON.stringify(preparePolicy(loadPolicyText(DEFAULT_TEXT, path), DEFAULT_TEXT)));

      const { modules, built } = countingZodBuilds(() => ({
        bundled: require('../../../functions/io/bundled-policy') as typeof import('../../../functions/io/bundled-policy'),
        ...loadPolicyModules(),
      }));
      const loaded = await modules.bundled.loadBundledPolicy(path);
      expect(loaded.prepared).toBe(true);
      expect(built()).toBe(0);
      // The same file without its prepared form is validated in full (the validation loaded then, by import()).
      rmSync(preparedPolicyPath(path));
      expect(await modules.bundled.loadBundledPolicy(path)).toMatchObject({ prepared: false, policy: { hash: loaded.policy.hash } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
