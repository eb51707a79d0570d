import type { Policy } from './schema';
import type { ImageAssessment } from './input';
import type { Violation } from '../result/model';

/** The id of the warning an image gets when the KEV catalogue could not be used for it. */
export const KEV_UNAVAILABLE_ID = 'kev-catalogue-unavailable';

/** Whether the policy asks for KEV listings (`rules.vulnerabilities.knownExploited`, with the rule enabled). */
export function policyAsksForKev(document: Policy): boolean {
  const rule = document.rules.vulnerabilities;
  return rule !== undefined && rule.enabled !== false && rule.knownExploited !== undefined;
}

/**
 * The assessment of an image judged without the KEV catalogue the stack keeps (missing, unreadable): a warning is
 * added, so the decision says that knownExploited was judged only on what the report itself lists (Grype's KEV data;
 * Trivy carries none), never a silent pass. A warning, not a denial: a third-party feed being down must not stop
 * every deployment; the stale-catalogue alarm is what gets it fixed. Pure.
 */
export function withKevUnavailable(assessment: ImageAssessment, why: string): ImageAssessment {
  const warning: Violation = {
    rule: 'vulnerabilities',
    kind: 'vulnerability',
    id: KEV_UNAVAILABLE_ID,
    severity: 'unknown',
    action: 'warn',
    message: `knownExploited judged without the KEV catalogue (${why}): only listings the scan report carries itself counted`,
    details: { matchedBy: 'knownExploited', judged: false },
  };
  return {
    ...assessment,
    candidates: [...assessment.candidates, warning],
    ...(assessment.publicCandidates ? { publicCandidates: [...assessment.publicCandidates, warning] } : {}),
  };
}
