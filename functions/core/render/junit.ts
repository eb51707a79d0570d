import type { EvaluationResult, SuppressedViolation, Violation } from '../result/model';
import {
  DECISION_LABEL,
  KNOWN_RULES,
  auditNote,
  compareText,
  countResult,
  countsSentence,
  describeImage,
  detailPairs,
  plural,
  shortHash,
  sortSuppressed,
  sortViolations,
} from './common';
import { truncateChars } from './text';
import { judgedControls } from './controls';
import { escapeXmlText, xmlAttributes } from './xml';

/*
 * JUnit XML for a CodeBuild report group. CodeBuild reads JUnit XML (.xml) among its test report formats
 * (https://docs.aws.amazon.com/codebuild/latest/userguide/test-reporting.html) and gives each test case one
 * status: SUCCEEDED, FAILED, ERROR, SKIPPED or UNKNOWN. "A test report can have a maximum of 500 test case
 * results. If more than 500 test cases are run, CodeBuild prioritizes tests with the status FAILED and
 * truncates the test case results" (https://docs.aws.amazon.com/codebuild/latest/userguide/test-report.html).
 * So this file never holds more than 500 cases: what matters most comes first, and when something must go a
 * last case says what was left out, rather than letting CodeBuild drop cases silently.
 */
export const MAX_TEST_CASES = 500;

/**
 * Audit mode never blocks, yet a JUnit `<failure>` turns a CodeBuild report red. The failures stay failures (an
 * audit exists to show what enforcement would stop), but the suite name and every failure and error message
 * say they do not block. Class names and case names stay as in enforce mode, so a rule's history lines up when
 * a policy moves from audit to enforce.
 */
export const AUDIT_NOTE = '(audit: not blocking)';

export interface JunitOptions {
  /**
   * `<testsuite name>` and the class-name prefix of every case; default `fargate-gate`. Under an audit-mode
   * result the suite name (not the class names) ends in `(audit: not blocking)`.
   */
  suiteName?: string;
  /**
   * Rules the policy evaluated, one test case each. Default: every rule a policy can have. A rule that appears
   * in a finding is always included.
   */
  rules?: readonly string[];
}

type Status = 'error' | 'failure' | 'passed' | 'skipped';

interface TestCase {
  classname: string;
  name: string;
  status: Status;
  /** Short text for the `message` attribute of `<error>`, `<failure>` or `<skipped>`. */
  message?: string;
  type?: string;
  /** Full text inside `<error>` or `<failure>`. */
  body?: string;
  systemOut?: string;
}

const ATTRIBUTE_LIMIT = 1000;
const RULE_LISTING_LIMIT = 100;

function findingLine(v: Violation): string {
  const named = judgedControls(v);
  const controls = named.length > 0 ? ` [controls: ${named.join('; ')}]` : '';
  return `[${v.severity.toUpperCase()}] ${v.container ? `${v.container}: ` : ''}${v.id}: ${v.message}${controls}`;
}

function findingBody(v: Violation): string {
  const lines = [
    `rule: ${v.rule}`,
    `kind: ${v.kind}`,
    `container: ${v.container ?? '-'}`,
    `id: ${v.id}`,
    `severity: ${v.severity}`,
    `action: ${v.action}`,
    `message: ${v.message}`,
    ...(judgedControls(v).length > 0 ? [`controls: ${judgedControls(v).join('; ')}`] : []),
    ...detailPairs(v.details).map((pair) => `detail: ${pair}`),
  ];
  return lines.join('\n');
}

function findingName(v: Violation): string {
  return `${v.container ? `${v.container}: ` : ''}${v.id} (${v.severity})`;
}

function listing(violations: readonly Violation[]): string {
  const shown = violations.slice(0, RULE_LISTING_LIMIT).map(findingLine);
  if (violations.length > RULE_LISTING_LIMIT) shown.push(`... and ${violations.length - RULE_LISTING_LIMIT} more`);
  return shown.join('\n');
}

function ruleNames(result: EvaluationResult, rules: readonly string[]): string[] {
  const seen = new Set(rules);
  const extra = [...result.violations, ...result.suppressed].map((v) => v.rule).filter((rule) => !seen.has(rule));
  return [...new Set([...rules, ...[...new Set(extra)].sort(compareText)])];
}

/** Rules judged from the image alone: without a report they are not judged at all. */
const IMAGE_ONLY_RULES = new Set(['vulnerabilities', 'misconfigurations']);

/** The note that says a rule was not judged, if one does: its own, all hardening rules', or all image rules'. */
function notJudgedReason(result: EvaluationResult, rule: string): string | undefined {
  return result.notes?.find(
    (note) =>
      note.startsWith(`${rule} not judged:`) ||
      (rule.startsWith('hardening.') && note.startsWith('hardening rules not judged:')) ||
      (IMAGE_ONLY_RULES.has(rule) && note.startsWith('image rules not judged:')),
  );
}

function ruleCase(suite: string, rule: string, violations: readonly Violation[], suppressed: readonly SuppressedViolation[], notJudged?: string): TestCase {
  const denied = violations.filter((v) => v.rule === rule && v.action === 'deny');
  const warned = violations.filter((v) => v.rule === rule && v.action === 'warn');
  const quieted = suppressed.filter((v) => v.rule === rule);
  const classname = `${suite}.rules`;
  if (denied.length > 0) {
    return {
      classname,
      name: rule,
      status: 'failure',
      type: 'deny',
      message: `${plural(denied.length, 'finding')} denied by rule ${rule}`,
      body: listing(denied),
    };
  }
  if (notJudged !== undefined && warned.length === 0 && quieted.length === 0) {
    // A rule that could not judge (a launch fact unknown) is neither passed nor failed.
    return { classname, name: rule, status: 'skipped', message: notJudged };
  }
  const notes = [
    warned.length > 0 ? `${plural(warned.length, 'warning')}:\n${listing(warned)}` : '',
    quieted.length > 0 ? `${quieted.length} suppressed by exceptions` : '',
  ].filter(Boolean);
  return { classname, name: rule, status: 'passed', systemOut: notes.length > 0 ? notes.join('\n') : `no findings for rule ${rule}` };
}

/** Cases in report order, in the groups the 500-case cap treats differently. */
interface CaseGroups {
  errors: TestCase[];
  /** One per rule: always kept, so the set of rule cases is the same from one build to the next. */
  failingRules: TestCase[];
  passingRules: TestCase[];
  /** One per finding, most important first: the only cases the cap cuts. */
  deniedFindings: TestCase[];
  warnedFindings: TestCase[];
  suppressedFindings: TestCase[];
}

function buildCases(result: EvaluationResult, suite: string, rules: readonly string[]): CaseGroups {
  const violations = sortViolations(result.violations);
  const suppressed = sortSuppressed(result.suppressed);

  const errors: TestCase[] = [...result.errors]
    .sort((a, b) => compareText(a.container, b.container) || compareText(a.message, b.message))
    .map((error) => ({
      classname: `${suite}.errors`,
      name: error.container ? `evaluation of container ${error.container}` : 'evaluation',
      status: 'error',
      type: 'EvaluationError',
      message: error.message,
      body: error.message,
    }));

  const ruleCases = ruleNames(result, rules).map((rule) =>
    ruleCase(suite, rule, violations, suppressed, notJudgedReason(result, rule)),
  );

  const findingCase = (v: Violation): TestCase =>
    v.action === 'deny'
      ? { classname: `${suite}.${v.rule}`, name: findingName(v), status: 'failure', type: v.severity, message: v.message, body: findingBody(v) }
      : { classname: `${suite}.${v.rule}`, name: findingName(v), status: 'passed', systemOut: `WARNING (${v.severity}): ${v.message}\n${findingBody(v)}` };

  const suppressedCases = suppressed.map(
    (s): TestCase => ({
      classname: `${suite}.${s.rule}`,
      name: findingName(s),
      status: 'skipped',
      message: `suppressed by exception ${s.suppressedBy.exceptionId} (owner ${s.suppressedBy.owner}, expires ${s.suppressedBy.expiresAt}): ${s.suppressedBy.reason}`,
    }),
  );

  return {
    errors,
    failingRules: ruleCases.filter((c) => c.status === 'failure'),
    passingRules: ruleCases.filter((c) => c.status !== 'failure'),
    deniedFindings: violations.filter((v) => v.action === 'deny').map(findingCase),
    warnedFindings: violations.filter((v) => v.action === 'warn').map(findingCase),
    suppressedFindings: suppressedCases,
  };
}

/** Errors, then failures, then passes, then skipped cases: what a reader (and CodeBuild's cap) looks at first. */
function inReportOrder(groups: CaseGroups): TestCase[] {
  return [
    ...groups.errors,
    ...groups.failingRules,
    ...groups.deniedFindings,
    ...groups.passingRules,
    ...groups.warnedFindings,
    ...groups.suppressedFindings,
  ];
}

/**
 * Two findings can share container and id (one CVE in two packages); report viewers key on the name, so keep names
 * unique. Numbered in report order, so the numbering does not depend on what the cap cuts.
 */
function uniqueNames(groups: CaseGroups): CaseGroups {
  const used = new Set<string>();
  const unique = (testCase: TestCase): TestCase => {
    let name = testCase.name;
    for (let n = 2; used.has(`${testCase.classname}\u0000${name}`); n++) name = `${testCase.name} #${n}`;
    used.add(`${testCase.classname}\u0000${name}`);
    return name === testCase.name ? testCase : { ...testCase, name };
  };
  const errors = groups.errors.map(unique);
  const failingRules = groups.failingRules.map(unique);
  const deniedFindings = groups.deniedFindings.map(unique);
  const passingRules = groups.passingRules.map(unique);
  const warnedFindings = groups.warnedFindings.map(unique);
  const suppressedFindings = groups.suppressedFindings.map(unique);
  return { errors, failingRules, deniedFindings, passingRules, warnedFindings, suppressedFindings };
}

/**
 * At most MAX_TEST_CASES cases. Evaluation errors and the rule cases (one per rule) always stay, so a rule's test
 * case never disappears from one build to the next just because another rule had many findings; finding cases are
 * cut, denials kept before warnings and warnings before suppressed ones, and one closing case counts what went.
 */
function capCases(groups: CaseGroups, suite: string): TestCase[] {
  const all = inReportOrder(groups);
  if (all.length <= MAX_TEST_CASES) return all;
  const fixed = groups.errors.length + groups.failingRules.length + groups.passingRules.length;
  let kept: TestCase[];
  let dropped: TestCase[];
  if (fixed > MAX_TEST_CASES - 1) {
    // Only a result with hundreds of evaluation errors or rule names gets here: keep what comes first.
    kept = all.slice(0, MAX_TEST_CASES - 1);
    dropped = all.slice(MAX_TEST_CASES - 1);
  } else {
    let room = MAX_TEST_CASES - 1 - fixed;
    const take = (cases: TestCase[]): TestCase[] => {
      const taken = cases.slice(0, room);
      room -= taken.length;
      return taken;
    };
    const denied = take(groups.deniedFindings);
    const warned = take(groups.warnedFindings);
    const suppressed = take(groups.suppressedFindings);
    kept = inReportOrder({ ...groups, deniedFindings: denied, warnedFindings: warned, suppressedFindings: suppressed });
    dropped = [
      ...groups.deniedFindings.slice(denied.length),
      ...groups.warnedFindings.slice(warned.length),
      ...groups.suppressedFindings.slice(suppressed.length),
    ];
  }
  const count = (status: Status) => dropped.filter((c) => c.status === status).length;
  const failures = count('failure');
  const errors = count('error');
  const breakdown = `${failures} failed, ${errors} errors, ${count('passed')} passed, ${count('skipped')} skipped`;
  const message = `${dropped.length} more test cases left out (${breakdown}): a CodeBuild report holds at most ${MAX_TEST_CASES} test cases. The JSON result has every finding.`;
  const summary: TestCase =
    failures + errors > 0
      ? { classname: suite, name: `${dropped.length} more test cases not shown`, status: 'failure', type: 'truncated', message, body: message }
      : { classname: suite, name: `${dropped.length} more test cases not shown`, status: 'passed', systemOut: message };
  return [...kept, summary];
}

/** `note`, when given, ends the message of a failure or error, after any cut, so it is never the part cut off. */
function renderCase(testCase: TestCase, note?: string): string {
  const open = `    <testcase${xmlAttributes({ classname: testCase.classname, name: testCase.name, time: '0' })}`;
  const red = testCase.status === 'failure' || testCase.status === 'error';
  const message =
    testCase.message === undefined
      ? undefined
      : red && note
        ? `${truncateChars(testCase.message, ATTRIBUTE_LIMIT - note.length - 1)} ${note}`
        : truncateChars(testCase.message, ATTRIBUTE_LIMIT);
  const inner: string[] = [];
  if (red) {
    inner.push(`      <${testCase.status}${xmlAttributes({ message, type: testCase.type })}>${escapeXmlText(testCase.body ?? '')}</${testCase.status}>`);
  } else if (testCase.status === 'skipped') {
    inner.push(`      <skipped${xmlAttributes({ message })}/>`);
  }
  if (testCase.systemOut) inner.push(`      <system-out>${escapeXmlText(testCase.systemOut)}</system-out>`);
  return inner.length === 0 ? `${open}/>` : `${open}>\n${inner.join('\n')}\n    </testcase>`;
}

function properties(result: EvaluationResult): [string, string][] {
  const props: [string, string][] = [
    ['decision', result.decision],
    ['mode', result.mode],
    ['policy.name', result.policy.name],
    ['policy.hash', result.policy.hash],
    ['policy.schemaVersion', result.policy.schemaVersion],
    ['evaluatedAt', result.evaluatedAt],
  ];
  const { taskDefinition, taskArn, cluster, service } = result.subject;
  const subject: [string, string | undefined][] = [
    ['taskDefinition', taskDefinition],
    ['taskArn', taskArn],
    ['cluster', cluster],
    ['service', service],
  ];
  for (const [name, value] of subject) if (value) props.push([name, value]);
  result.subject.images.forEach((image, index) => props.push([`image.${image.container ?? index}`, describeImage(image)]));
  return props;
}

function suiteSummary(result: EvaluationResult): string {
  const note = auditNote(result);
  const lines = [
    `${DECISION_LABEL[result.decision]}: policy "${result.policy.name}" ${shortHash(result.policy.hash)}, mode ${result.mode}${note ? ` (${note})` : ''}; ${countsSentence(countResult(result))}`,
  ];
  const groups = [
    ['used', result.exceptions.used],
    ['unused', result.exceptions.unused],
    ['expired', result.exceptions.expired],
  ] as const;
  for (const [label, list] of groups) {
    for (const e of [...list].sort((a, b) => compareText(a.id, b.id))) {
      lines.push(`exception ${label}: ${e.id} (owner ${e.owner}, expires ${e.expiresAt}): ${e.reason}`);
    }
  }
  return lines.join('\n');
}

/**
 * The result as JUnit XML: one test case per rule (failed when the rule denied something) and one per finding
 * (denied: failed; warned: passed with `<system-out>`; suppressed: skipped, with the exception), and an
 * `<error>` case per evaluation error. Errors and rule cases always survive the 500-case cap; among findings,
 * denials come first. Under an audit-mode result, the suite name and every failure and error message end in
 * `(audit: not blocking)` (see AUDIT_NOTE).
 */
export function renderJunit(result: EvaluationResult, options: JunitOptions = {}): string {
  const suite = options.suiteName?.trim() || 'fargate-gate';
  const cases = capCases(uniqueNames(buildCases(result, suite, options.rules ?? KNOWN_RULES)), suite);
  const audit = result.mode === 'audit';
  const suiteLabel = audit ? `${suite} ${AUDIT_NOTE}` : suite;
  const totals = {
    tests: cases.length,
    failures: cases.filter((c) => c.status === 'failure').length,
    errors: cases.filter((c) => c.status === 'error').length,
    skipped: cases.filter((c) => c.status === 'skipped').length,
  };

  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${xmlAttributes({ name: suiteLabel, ...totals, time: '0' })}>`,
    `  <testsuite${xmlAttributes({ name: suiteLabel, ...totals, time: '0' })}>`,
    '    <properties>',
    ...properties(result).map(([name, value]) => `      <property${xmlAttributes({ name, value })}/>`),
    '    </properties>',
    ...cases.map((testCase) => renderCase(testCase, audit ? AUDIT_NOTE : undefined)),
    `    <system-out>${escapeXmlText(suiteSummary(result))}</system-out>`,
    '  </testsuite>',
    '</testsuites>',
  ];
  return `${lines.join('\n')}\n`;
}
