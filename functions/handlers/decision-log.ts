import { decisionRules } from '../core/gate/decision-rules';
import type { EvaluationResult, Violation } from '../core/result/model';

/** Most findings one log line names: a CVE-heavy image has thousands, and a CloudWatch log event is capped at 256 KB. */
export const MAX_LOGGED_FINDINGS = 20;

/** One finding that decided, as on-call needs it to look it up: the id, the rule, the container and where it is. */
export interface LoggedFinding {
  id: string;
  rule: string;
  container?: string;
  /** Where the finding is: a secret's file or variable, the source of a root user; absent for a CVE (its package is in the report). */
  where?: string;
}

export interface DecisionLogFields {
  policy: string;
  policyHash: string;
  decision: EvaluationResult['decision'];
  mode: EvaluationResult['mode'];
  rules: string[];
  /** The findings that decided (the denying ones, else the warning ones), at most MAX_LOGGED_FINDINGS. */
  findings: LoggedFinding[];
  /** How many deciding findings there were, when `findings` lists only the first. */
  findingsTotal?: number;
  /** Exceptions that allowed findings in this decision, with the findings each one allowed. */
  exceptions?: { id: string; owner: string; expiresAt: string; findings: string[] }[];
  /** Why an image could not be judged, when that is part of the decision. */
  errors?: string[];
}

/**
 * The fields every log line about a decision carries (a judged, stopped or refused task, a judged image or service
 * revision): which policy (name and hash, as the verdict event names it), what was decided and on which findings,
 * and which exceptions let findings through. With them a log line answers "why was this stopped / let through"
 * without opening the report.
 */
export function decisionLogFields(result: EvaluationResult): DecisionLogFields {
  const deny = result.violations.filter((violation) => violation.action === 'deny');
  const deciding = deny.length > 0 ? deny : result.violations;
  const fields: DecisionLogFields = {
    policy: result.policy.name,
    policyHash: result.policy.hash,
    decision: result.decision,
    mode: result.mode,
    rules: decisionRules(result),
    findings: deciding.slice(0, MAX_LOGGED_FINDINGS).map(loggedFinding),
  };
  if (deciding.length > MAX_LOGGED_FINDINGS) fields.findingsTotal = deciding.length;
  if (result.suppressed.length > 0) {
    const byException = new Map<string, { id: string; owner: string; expiresAt: string; findings: string[] }>();
    for (const suppressed of result.suppressed) {
      const { exceptionId, owner, expiresAt } = suppressed.suppressedBy;
      const entry = byException.get(exceptionId) ?? { id: exceptionId, owner, expiresAt, findings: [] };
      if (!entry.findings.includes(suppressed.id) && entry.findings.length < MAX_LOGGED_FINDINGS) entry.findings.push(suppressed.id);
      byException.set(exceptionId, entry);
    }
    fields.exceptions = [...byException.values()];
  }
  // The messages name their container already.
  if (result.errors.length > 0) fields.errors = result.errors.map((error) => error.message);
  return fields;
}

function loggedFinding(violation: Violation): LoggedFinding {
  const where = whereOf(violation);
  return {
    id: violation.id,
    rule: violation.rule,
    ...(violation.container ? { container: violation.container } : {}),
    ...(where ? { where } : {}),
  };
}

function whereOf(violation: Violation): string | undefined {
  const details = violation.details ?? {};
  switch (violation.kind) {
    case 'secret': {
      if (typeof details.path === 'string') return typeof details.startLine === 'number' ? `${details.path} line ${details.startLine}` : details.path;
      const variable = typeof details.variable === 'string' ? details.variable : undefined;
      const place = details.location === 'overrides' ? 'RunTask overrides environment' : details.location === 'taskDefinition' ? 'task definition environment' : 'image config';
      return variable ? `${variable} in the ${place}` : `the ${place}`;
    }
    case 'rootUser': {
      const source = typeof details.userSource === 'string' ? details.userSource : undefined;
      const user = typeof details.user === 'string' ? ` ${JSON.stringify(details.user)}` : '';
      switch (source) {
        case 'taskDefinition':
          return `user${user} from the task definition`;
        case 'imageConfig':
          return `user${user} from the image config`;
        case 'scanner':
          return "the scanner's root-user check DS-0002";
        default:
          return details.imageConfigKnown === false ? 'no image config: user unknown' : 'no user set in the image config or task definition';
      }
    }
    default:
      return undefined;
  }
}
