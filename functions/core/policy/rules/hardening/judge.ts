import type { Violation } from '../../../result/model';
import { HARDENING_RULES } from './index';
import type { BaseConfig, HardeningInput, HardeningRule } from './types';

/** The violation rule name of a hardening rule: what exceptions' `rules` and JUnit name it by. */
export const hardeningRuleName = (key: string) => `hardening.${key}`;

export interface HardeningOutcome {
  violations: Violation[];
  /** Rules that could not judge, one sentence each (`whenUnknown: "note"`). */
  notes: string[];
}

/**
 * Runs every enabled hardening rule of the policy over a task. Rules whose launch fact is unknown are never counted
 * as compliant: each says "not judged" in a note, or in a warning under `whenUnknown: "warn"`.
 */
export function hardeningViolations(configs: Readonly<Record<string, BaseConfig | undefined>> | undefined, input: HardeningInput): HardeningOutcome {
  const violations: Violation[] = [];
  const notes: string[] = [];
  for (const rule of HARDENING_RULES as readonly HardeningRule[]) {
    const config = configs?.[rule.key];
    if (!config?.enabled) continue;
    const name = hardeningRuleName(rule.key);
    const outcome = rule.check(config, input);
    if ('notJudged' in outcome) {
      const text = `${name} not judged: ${outcome.notJudged}`;
      // No controls: a rule that did not judge has not checked them, and a report must not name them as checked.
      if (config.whenUnknown === 'warn') {
        violations.push({ rule: name, kind: 'hardening', id: name, severity: 'unknown', action: 'warn', message: text, details: { judged: false } });
      } else {
        notes.push(text);
      }
      continue;
    }
    for (const finding of outcome) {
      violations.push({
        rule: name,
        kind: 'hardening',
        ...(finding.container !== undefined ? { container: finding.container } : {}),
        id: name,
        severity: rule.severity,
        action: config.action,
        message: finding.message,
        controls: [...rule.controls],
        ...(finding.details ? { details: finding.details } : {}),
      });
    }
  }
  return { violations, notes };
}
