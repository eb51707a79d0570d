import type { RuleAction, Violation } from '../../result/model';
import { findPlaintextSecrets } from '../../secrets/plaintext';
import { isAtLeast } from '../../severity';
import type { ContainerSpec } from '../../taskdef/model';
import type { CompiledPolicy } from '../compile';

/*
 * The secrets rule on a task definition's environment (evaluate.ts, every judgement). The rule on the image's scanner
 * findings is image-secrets.ts, used by the image assessment alone (assess.ts), so a judgement of a task whose
 * digests have verdicts does not load it.
 */

/** Plaintext credentials in a container's environment and RunTask override environment. */
export function environmentSecretViolations(compiled: CompiledPolicy, spec: ContainerSpec): Violation[] {
  const rule = compiled.document.rules.secrets;
  const env = rule?.environment;
  if (!rule?.enabled || env?.enabled === false) return [];
  const minSeverity = env?.minSeverity ?? rule.minSeverity;
  const action: RuleAction = env?.action ?? rule.action;
  const allow = compiled.environmentAllowNames;
  const findings = findPlaintextSecrets(spec, { isAllowed: allow ? (name) => allow([name]) : undefined });
  return findings
    .filter((finding) => isAtLeast(finding.severity, minSeverity))
    .map((finding) => {
      const location = finding.location as { kind: 'taskDefinition' | 'overrides'; variable: string };
      const origin = location.kind === 'overrides' ? 'RunTask overrides\' environment' : 'task definition\'s `environment`';
      return {
        rule: 'secrets',
        kind: 'secret' as const,
        container: spec.name,
        id: finding.ruleId,
        severity: finding.severity,
        action,
        message:
          `container ${spec.name} sets ${location.variable} in plaintext in the ${origin} (${finding.title}, ${finding.severity}); ` +
          'move it to `secrets` with `valueFrom` (Secrets Manager or SSM Parameter Store) and rotate it',
        details: { variable: location.variable, location: location.kind, category: finding.category, title: finding.title, match: finding.match },
      };
    });
}
