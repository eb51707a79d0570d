import type { Severity } from '../severity';

export type Decision = 'pass' | 'warn' | 'fail' | 'error';
export type RuleAction = 'deny' | 'warn';
export type ViolationKind = 'rootUser' | 'secret' | 'vulnerability' | 'misconfiguration' | 'image' | 'hardening';
export type Mode = 'enforce' | 'audit';

export interface Violation {
  /** Policy rule that matched: `rootUser`, `secrets`, `vulnerabilities`, `misconfigurations`, `images`. */
  rule: string;
  kind: ViolationKind;
  /** Container name; undefined for a single report evaluated without a task definition. */
  container?: string;
  /** Finding id (CVE, DS-0002, secret rule id), or the rule's own id for facts such as root user. */
  id: string;
  severity: Severity;
  action: RuleAction;
  message: string;
  /**
   * The published controls the violation maps to (Security Hub, AWS Config, Control Tower, Checkov, NIST 800-53,
   * PCI DSS), so a compliance team can file it; set by the hardening rules.
   */
  controls?: string[];
  /** Extra structured facts, e.g. `{ userSource: 'taskDefinition' }` or package name and versions. */
  details?: Record<string, string | number | boolean | undefined>;
}

export interface SuppressedViolation extends Violation {
  suppressedBy: { exceptionId: string; reason: string; owner: string; expiresAt: string };
}

export interface ExceptionReport {
  id: string;
  reason: string;
  owner: string;
  expiresAt: string;
}

export interface EvaluationError {
  container?: string;
  message: string;
}

export interface EvaluationResult {
  decision: Decision;
  /** Mode in force for this subject after scoped overrides: `audit` never blocks. */
  mode: Mode;
  violations: Violation[];
  suppressed: SuppressedViolation[];
  exceptions: { used: ExceptionReport[]; unused: ExceptionReport[]; expired: ExceptionReport[] };
  errors: EvaluationError[];
  /**
   * What was not judged, and why: a hardening rule whose launch fact is unknown, image rules without a report, hardening
   * rules without a task definition. Optional: results stored before it existed have none.
   */
  notes?: string[];
  policy: { name: string; hash: string; schemaVersion: string };
  subject: Subject;
  /** ISO-8601 evaluation time. */
  evaluatedAt: string;
}

export interface Subject {
  /**
   * The task's exposure as judged, when known or when the policy has parts that depend on it: `value` as stated
   * (or `unknown`), `source` the fact's origin, `judgedAs` what the rules applied.
   */
  exposure?: { value: 'public' | 'internal' | 'unknown'; source?: string; judgedAs: 'public' | 'internal' };
  cluster?: string;
  service?: string;
  taskArn?: string;
  taskDefinition?: string;
  images: SubjectImage[];
}

export interface SubjectImage {
  container?: string;
  reference?: string;
  digest?: string;
  repository?: string;
  tag?: string;
  scanner?: string;
  scannerVersion?: string;
  scannedAt?: string;
}
