import type { ScanReport } from '../findings/model';
import { clean } from './clean';
import { compilePolicy } from './compile';
import type { ImageAssessment, LoadedPolicy } from './input';
import { misconfigurationViolations, scannerSaysNonRoot, scannerSaysRoot } from './rules/misconfigurations';
import { scannerSecretViolations } from './rules/image-secrets';
import { vulnerabilityViolations } from './rules/vulnerabilities';
import type { Policy } from './schema';
import type { Violation } from '../result/model';

export interface AssessOptions {
  /** The evaluation time, to measure fix age to; the scan time when absent. */
  now?: Date;
}

/**
 * What an image contributes under a policy, before any task is known: the findings a rule matched (exceptions
 * are applied later, since they can be scoped to a cluster or service), the image facts, and provenance.
 * Findings no rule matched are dropped, so the assessment stays small enough to store per (digest, policy hash).
 * Trivy's DS-0002 becomes `scannerSaysRoot` / `scannerSaysNonRoot`, evidence for rules.rootUser; it is a candidate of
 * its own (a misconfiguration) only when the policy has no enabled rootUser rule.
 */
export function assessImage(policy: LoadedPolicy<Policy>, report: ScanReport, options: AssessOptions = {}): ImageAssessment {
  const compiled = compilePolicy(policy);
  const scannedMs = report.provenance.scannedAt !== undefined ? Date.parse(report.provenance.scannedAt) : Number.NaN;
  // A fix's age is measured to the evaluation time when the caller has one, else to the scan time; with neither, it is not judged.
  const asOf = options.now ?? (Number.isNaN(scannedMs) ? undefined : new Date(scannedMs));
  const others = [...scannerSecretViolations(compiled, report.secrets ?? []), ...misconfigurationViolations(compiled, report.misconfigurations ?? [])];
  const candidatesFor = (publicExposure: boolean): Violation[] => {
    // The rule's own new array, cleaned in place and the others added to it: no spread copy and mapped copy of thousands.
    const candidates = vulnerabilityViolations(compiled, report.vulnerabilities ?? [], { publicExposure, ...(asOf ? { asOf } : {}) });
    for (let i = 0; i < candidates.length; i += 1) candidates[i] = clean(candidates[i]);
    for (const other of others) candidates.push(clean(other));
    return candidates;
  };
  return {
    facts: report.image,
    provenance: report.provenance,
    candidates: candidatesFor(false),
    // Only a policy with stricter parts for public tasks needs a second set; the task's exposure picks one at evaluation.
    ...(compiled.document.rules.vulnerabilities?.exposure ? { publicCandidates: candidatesFor(true) } : {}),
    scannerSaysRoot: scannerSaysRoot(report.misconfigurations ?? []),
    scannerSaysNonRoot: scannerSaysNonRoot(report.misconfigurations ?? []),
  };
}
