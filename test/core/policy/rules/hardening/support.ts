import * as z from 'zod';
import type { HardeningInput, HardeningRule, LaunchFacts, TaskSettings } from '../../../../../functions/core/policy/rules/hardening/types';
import type { ContainerSpec } from '../../../../../functions/core/taskdef/model';
import { spec } from '../../support';

/** Runs one rule with its config parsed by its own schema (defaults applied), as the policy loader would. */
export function run(rule: HardeningRule, config: Record<string, unknown>, input: { containers?: Partial<ContainerSpec>[]; task?: TaskSettings; launch?: LaunchFacts }) {
  const parsed = rule.schema(z).parse(config);
  const full: HardeningInput = { task: input.task ?? {}, containers: (input.containers ?? [{}]).map((c) => spec(c)), launch: input.launch ?? {} };
  return rule.check(parsed, full);
}

/** The findings of a run that judged; fails the test when the rule said "not judged". */
export function findings(outcome: ReturnType<typeof run>) {
  if ('notJudged' in outcome) throw new Error(`expected findings, got not judged: ${outcome.notJudged}`);
  return outcome;
}
