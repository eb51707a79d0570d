import type { EvaluationResult } from '../result/model';

/* Its own module: every decision's log line names its rules (handlers/decision-log.ts), only some decisions publish a verdict event. */

/**
 * The rules that made a decision: the denying ones, else the warning ones, plus `onScanError` when an image
 * could not be judged and that is what decided (or all there is). Used for events and stop reasons alike.
 */
export function decisionRules(result: Pick<EvaluationResult, 'violations' | 'errors' | 'decision'>): string[] {
  const deny = result.violations.filter((v) => v.action === 'deny');
  const rules = [...new Set((deny.length > 0 ? deny : result.violations).map((v) => v.rule))];
  if (result.errors.length > 0 && (result.decision === 'error' || rules.length === 0)) rules.push('onScanError');
  return rules;
}
