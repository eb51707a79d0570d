import type { ScanReport } from '../findings/model';
import { clean } from './clean';
import { compilePolicy } from './compile';
import type { ImageAssessment, LoadedPolicy } from './input';
import { misconfigurationViolations, scannerSaysNonRoot, scannerSaysRoot } from './rules/misconfigurations';
import { scannerSecretViolations } from './rules/secrets';
import { vulnerabilityViolations } from './rules/vulnerabilities';
import type { Policy } from './schema';

/**
 * What an image contributes under a policy, before any task is known: the findings a rule matched (exceptions
 * are applied later, since they can be scoped to a cluster or service), the image facts, and provenance.
 * Findings no rule matched are dropped, so the assessment stays small enough to store per (digest, policy hash).
 * Trivy's DS-0002 becomes `scannerSaysRoot` / `scannerSaysNonRoot`, evidence for rules.rootUser; it is a candidate of
 * its own (a misconfiguration) only when the policy has no enabled rootUser rule.
 */
export function assessImage(policy: LoadedPolicy<Policy>, report: ScanReport): ImageAssessment {
  const compiled = compilePolicy(policy);
  return {
    facts: report.image,
    provenance: report.provenance,
    candidates: [
      ...vulnerabilityViolations(compiled, report.vulnerabilities ?? []),
      ...scannerSecretViolations(compiled, report.secrets ?? []),
      ...misconfigurationViolations(compiled, report.misconfigurations ?? []),
    ].map(clean),
    scannerSaysRoot: scannerSaysRoot(report.misconfigurations ?? []),
    scannerSaysNonRoot: scannerSaysNonRoot(report.misconfigurations ?? []),
  };
}
