import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { HARDENING_RULES } from '../../functions/core/policy/rules/hardening';
import type { HardeningRule } from '../../functions/core/policy/rules/hardening/types';
import type { EvaluationResult } from '../../functions/core/result/model';
import { cli, REPO_ROOT } from '../cli/harness';

const RULES_DIR = join(REPO_ROOT, 'functions/core/policy/rules/hardening');
const EXAMPLES = join(REPO_ROOT, 'examples/task-definitions');
const STRICT = join(REPO_ROOT, 'policies/strict.json');
const COMPLIANT_TASK = join(EXAMPLES, 'compliant.json');
const COMPLIANT_RUN_TASK = join(EXAMPLES, 'compliant.run-task.json');

function isRule(value: unknown): value is HardeningRule {
  const rule = value as Partial<HardeningRule> | null;
  return typeof rule === 'object' && rule !== null && typeof rule.key === 'string' && Array.isArray(rule.controls) && typeof rule.check === 'function';
}

/**
 * Every hardening rule a module of the rules folder exports, read from the folder itself (not from the index), so a
 * rule file added without an example fails here even before it is listed in HARDENING_RULES.
 */
function rulesInFolder(): HardeningRule[] {
  const rules = new Map<string, HardeningRule>();
  for (const file of readdirSync(RULES_DIR).filter((name) => name.endsWith('.ts') && name !== 'index.ts')) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const exported = require(join(RULES_DIR, file)) as Record<string, unknown>;
    for (const value of Object.values(exported)) if (isRule(value)) rules.set(value.key, value);
  }
  return [...rules.values()].sort((a, b) => a.key.localeCompare(b.key));
}

/** The example of a rule: its own task definition (launched the compliant way), or its own RunTask request (launching the compliant task definition). */
function exampleOf(key: string): { taskDefinition: string; runTask: string; file: string } {
  const taskDefinition = join(EXAMPLES, `${key}.json`);
  const runTask = join(EXAMPLES, `${key}.run-task.json`);
  if (existsSync(taskDefinition) === existsSync(runTask)) {
    throw new Error(`hardening rule ${key} needs exactly one example in examples/task-definitions: ${key}.json or ${key}.run-task.json`);
  }
  return existsSync(taskDefinition)
    ? { taskDefinition, runTask: COMPLIANT_RUN_TASK, file: `${key}.json` }
    : { taskDefinition: COMPLIANT_TASK, runTask, file: `${key}.run-task.json` };
}

async function evaluate(taskDefinition: string, runTask: string): Promise<{ code: number; result: EvaluationResult }> {
  const run = await cli(['evaluate', '--task-definition', taskDefinition, '--run-task', runTask, '--policy', STRICT, '--format', 'json']);
  return { code: run.code, result: JSON.parse(run.stdout) as EvaluationResult };
}

const hardeningViolations = (result: EvaluationResult) => result.violations.filter((v) => v.rule.startsWith('hardening.'));

/** The rows of the README's table, by rule key: [file, controls]. */
function readmeRows(): Map<string, { file: string; controls: string }> {
  const rows = new Map<string, { file: string; controls: string }>();
  for (const line of readFileSync(join(EXAMPLES, 'README.md'), 'utf8').split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    const key = /^`(\w+)`$/.exec(cells[1] ?? '')?.[1];
    if (key) rows.set(key, { file: cells[2].replace(/`/g, ''), controls: cells[4] });
  }
  return rows;
}

const RULES = rulesInFolder();

describe('examples/task-definitions: one example per hardening rule', () => {
  it('finds every rule of the index in the rules folder (so the folder is where the list comes from)', () => {
    expect(RULES.map((r) => r.key)).toEqual(HARDENING_RULES.map((r) => r.key).sort((a, b) => a.localeCompare(b)));
  });

  it('the compliant pair breaks no hardening rule under strict.json', async () => {
    const { code, result } = await evaluate(COMPLIANT_TASK, COMPLIANT_RUN_TASK);
    expect(hardeningViolations(result)).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(code).toBe(0);
  });

  it.each(RULES.map((rule) => [rule.key, rule] as const))('%s: its example is denied by that rule alone, naming its controls', async (key, rule) => {
    const example = exampleOf(key);
    const { code, result } = await evaluate(example.taskDefinition, example.runTask);
    expect(hardeningViolations(result).map((v) => [v.rule, v.action])).toEqual([[`hardening.${key}`, 'deny']]);
    expect(hardeningViolations(result)[0].controls ?? []).toEqual([...rule.controls]);
    expect(result.decision).toBe('fail');
    expect(code).toBe(1);
  });

  it.each(RULES.map((rule) => [rule.key, rule] as const))('%s: has its README row, naming its file and the controls it maps to', (key, rule) => {
    expect(readmeRows().get(key)).toEqual({ file: exampleOf(key).file, controls: rule.controls.length === 0 ? 'none published' : rule.controls.join('; ') });
  });

  it('has no README row nor example file for a rule that does not exist', () => {
    const keys = new Set(RULES.map((r) => r.key));
    expect([...readmeRows().keys()].filter((key) => !keys.has(key))).toEqual([]);
    const files = readdirSync(EXAMPLES).filter((name) => name.endsWith('.json') && !name.startsWith('compliant.'));
    expect(files.filter((name) => !keys.has(name.replace(/(\.run-task)?\.json$/, '')))).toEqual([]);
  });
});
