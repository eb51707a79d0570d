import { compareText } from '../result/order';
import type { Decision, EvaluationResult, SubjectImage, Violation } from '../result/model';

/** The rule names a policy can have (result/model.ts `Violation.rule`), in the order reports list them. */
export const KNOWN_RULES = ['rootUser', 'secrets', 'vulnerabilities', 'misconfigurations', 'images'] as const;

export const DECISION_LABEL: Record<Decision, string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', error: 'ERROR' };

export { compareText, compareViolations, sortSuppressed, sortViolations } from '../result/order';

/** First 12 hex digits, without an algorithm prefix: enough to tell policies apart in a log line. */
export function shortHash(hash: string): string {
  return hash.replace(/^sha256:/i, '').slice(0, 12);
}

export interface ResultCounts {
  denied: number;
  warned: number;
  suppressed: number;
  errors: number;
}

export function countResult(result: EvaluationResult): ResultCounts {
  return {
    denied: result.violations.filter((v) => v.action === 'deny').length,
    warned: result.violations.filter((v) => v.action === 'warn').length,
    suppressed: result.suppressed.length,
    errors: result.errors.length,
  };
}

export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

export function countsSentence(counts: ResultCounts): string {
  return [
    `${counts.denied} denied`,
    plural(counts.warned, 'warning'),
    `${counts.suppressed} suppressed`,
    plural(counts.errors, 'error'),
  ].join(', ');
}

/** In audit mode a failing result is reported, never acted on: say so wherever the decision is shown. */
export function auditNote(result: EvaluationResult): string | undefined {
  return result.mode === 'audit' && (result.decision === 'fail' || result.decision === 'error') ? 'reported, not enforced' : undefined;
}

/** `name:tag@sha256:...` plus scanner facts, as one line. */
export function describeImage(image: SubjectImage): string {
  const reference = image.reference ?? [image.repository, image.tag].filter(Boolean).join(':');
  const pinned = image.digest && !(reference ?? '').includes(image.digest) ? `${reference || '(unknown image)'}@${image.digest}` : reference || image.digest || '(unknown image)';
  const scanner = [image.scanner, image.scannerVersion].filter(Boolean).join(' ');
  const facts = [scanner, image.scannedAt ? `scanned ${image.scannedAt}` : ''].filter(Boolean).join(', ');
  return facts ? `${pinned} (${facts})` : pinned;
}

/** Subject facts worth a line in a report, in a fixed order; empty ones left out. */
export function subjectFacts(result: EvaluationResult): [label: string, value: string][] {
  const { subject } = result;
  const facts: [string, string | undefined][] = [
    ['Task definition', subject.taskDefinition],
    ['Task', subject.taskArn],
    ['Cluster', subject.cluster],
    ['Service', subject.service],
    ['Exposure', exposureFact(subject.exposure)],
  ];
  return facts.filter((fact): fact is [string, string] => Boolean(fact[1]));
}

/** `public (--exposure)`, `unknown, judged as public (...)`: the exposure the rules applied and where it came from. */
function exposureFact(exposure: EvaluationResult['subject']['exposure']): string | undefined {
  if (!exposure) return undefined;
  const judged = exposure.value === exposure.judgedAs ? exposure.value : `${exposure.value}, judged as ${exposure.judgedAs}`;
  return exposure.source ? `${judged} (${exposure.source})` : judged;
}

/** Flattens `Violation.details` into `key=value` pairs in key order, skipping undefined values. */
export function detailPairs(details: Violation['details']): string[] {
  if (!details) return [];
  return Object.keys(details)
    .sort(compareText)
    .filter((key) => details[key] !== undefined)
    .map((key) => `${key}=${String(details[key])}`);
}
