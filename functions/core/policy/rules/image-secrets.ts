import type { SecretFinding } from '../../findings/model';
import type { Violation } from '../../result/model';
import { isAtLeast } from '../../severity';
import type { CompiledPolicy } from '../compile';

/* The secrets rule on an image's scanner findings (assess.ts); the rule on a task definition's environment is secrets.ts. */

type SecretsRule = NonNullable<CompiledPolicy['document']['rules']['secrets']>;

function selected(compiled: CompiledPolicy, rule: SecretsRule, secret: SecretFinding): boolean {
  if (!isAtLeast(secret.severity, rule.minSeverity)) return false;
  const { secretCategories, secretRuleIds } = compiled;
  if (!secretCategories && !secretRuleIds) return true;
  return (secretCategories?.has(secret.category.toLowerCase()) ?? false) || (secretRuleIds?.has(secret.ruleId.toLowerCase()) ?? false);
}

function where(secret: SecretFinding): { text: string; path?: string; layerDigest?: string; variable?: string } {
  const location = secret.location;
  switch (location.kind) {
    case 'layer':
      return { text: `in ${location.path}${location.layerDigest ? ` (layer ${location.layerDigest.slice(0, 19)}…)` : ''}`, path: location.path, layerDigest: location.layerDigest };
    case 'imageConfig':
      return { text: `in the image config${location.detail ? ` (${location.detail})` : ''}`, variable: location.variable };
    case 'taskDefinition':
      return { text: `in the task definition environment (${location.variable})` };
    case 'overrides':
      return { text: `in the RunTask overrides environment (${location.variable})` };
  }
}

function fixFor(secret: SecretFinding, variable: string | undefined): string {
  if (variable !== undefined) {
    return "remove the ENV from the Dockerfile, pass the value at run time through the task definition's `secrets` (valueFrom), rebuild, and rotate the credential";
  }
  return secret.location.kind === 'imageConfig' ? 'remove it from the Dockerfile (ENV/ARG/LABEL), rebuild, and rotate the credential' : 'remove it from the image, rebuild, and rotate the credential';
}

/**
 * Image-borne secret candidates (scanner findings, and credentials in the image's ENV), one per rule, place and
 * masked match. An ENV variable whose name `environment.allowNames` allows is not reported, as in the task definition.
 */
export function scannerSecretViolations(compiled: CompiledPolicy, secrets: readonly SecretFinding[]): Violation[] {
  const rule = compiled.document.rules.secrets;
  if (!rule?.enabled) return [];
  const allow = compiled.environmentAllowNames;
  const byKey = new Map<string, Violation>();
  for (const secret of secrets) {
    if (!selected(compiled, rule, secret)) continue;
    const place = where(secret);
    if (place.variable !== undefined && allow?.([place.variable])) continue;
    const key = [secret.ruleId, place.text, secret.startLine ?? '', secret.match ?? ''].join('\u0000');
    if (byKey.has(key)) continue;
    const fix = fixFor(secret, place.variable);
    byKey.set(key, {
      rule: 'secrets',
      kind: 'secret',
      id: secret.ruleId,
      severity: secret.severity,
      action: rule.action,
      message: `secret ${secret.ruleId} (${secret.title}, ${secret.severity}) ${place.text}${secret.startLine ? ` line ${secret.startLine}` : ''}; ${fix}`,
      details: {
        category: secret.category,
        title: secret.title,
        location: secret.location.kind,
        variable: place.variable,
        path: place.path,
        layerDigest: place.layerDigest,
        startLine: secret.startLine,
        match: secret.match,
      },
    });
  }
  return [...byKey.values()];
}
