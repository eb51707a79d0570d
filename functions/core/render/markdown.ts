import type { EvaluationResult, ExceptionReport, Violation } from '../result/model';
import {
  DECISION_LABEL,
  auditNote,
  compareText,
  countResult,
  describeImage,
  shortHash,
  sortSuppressed,
  sortViolations,
  subjectFacts,
} from './common';
import { truncateChars } from './text';
import { judgedControls } from './controls';

export interface MarkdownOptions {
  /**
   * Most characters the summary may have. Default 60,000: a GitHub comment body holds 65,536, and a PR bot
   * usually adds its own text around the summary.
   */
  maxLength?: number;
}

export const DEFAULT_MARKDOWN_LENGTH = 60_000;
/** One cell never exceeds this, so a single huge message cannot crowd every other finding out of the summary. */
const CELL_LIMIT = 300;
/** Room kept for the closing note when the summary is cut. */
const NOTE_RESERVE = 300;

// Characters CommonMark/GFM give meaning to inside inline text and table cells; a backslash makes each literal.
const MARKDOWN_PUNCTUATION = /[\\`*_[\]<>|~&!#]/g;

/**
 * Untrusted text as one inert Markdown fragment: no formatting, links, HTML or table breaks can be injected.
 * Line breaks become `<br>` (the only way to keep them inside a table cell); control characters are dropped
 * into visible escapes.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(MARKDOWN_PUNCTUATION, (c) => `\\${c}`)
    .replace(/\t/g, ' ')
    .replace(/\r\n|\r|\n/g, '<br>');
}

function cell(text: string): string {
  return escapeMarkdown(truncateChars(text, CELL_LIMIT));
}

function row(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function exceptionItem(label: string, e: ExceptionReport): string {
  return `- ${label}: ${cell(e.id)} (owner ${cell(e.owner)}, expires ${cell(e.expiresAt)}): ${cell(e.reason)}`;
}

interface Section {
  /** Lines that open the section (heading, table header); only written together with its first item. */
  head: string[];
  items: string[];
  /** What one item is called in the closing note when items are left out. */
  noun: [singular: string, plural: string];
}

/**
 * A summary for a pull-request comment or a CodeBuild report: verdict heading, counts, then errors,
 * violations, suppressed findings and exceptions. Every value from a report is escaped. The text never
 * exceeds `maxLength`; when items do not fit, a closing note says how many were left out.
 */
export function renderMarkdown(result: EvaluationResult, options: MarkdownOptions = {}): string {
  const maxLength = Math.max(1_000, Math.floor(options.maxLength ?? DEFAULT_MARKDOWN_LENGTH));
  const counts = countResult(result);
  const note = auditNote(result);

  const header: string[] = [
    `## fargate-gate: ${DECISION_LABEL[result.decision]}${note ? ` (${note})` : ''}`,
    '',
    `Policy ${cell(result.policy.name)} (${cell(shortHash(result.policy.hash))}), mode ${result.mode}, evaluated ${cell(result.evaluatedAt)}.`,
  ];
  const facts = subjectFacts(result);
  const images = result.subject.images.map((image) => `${image.container ? `${cell(image.container)}: ` : ''}${cell(describeImage(image))}`);
  if (facts.length > 0 || images.length > 0) {
    header.push('');
    for (const [label, value] of facts) header.push(`- ${label}: ${cell(value)}`);
    for (const image of images) header.push(`- Image ${image}`);
  }
  header.push(
    '',
    row(['Denied', 'Warnings', 'Suppressed', 'Errors']),
    row(['---:', '---:', '---:', '---:']),
    row([String(counts.denied), String(counts.warned), String(counts.suppressed), String(counts.errors)]),
  );

  const sections: Section[] = [
    {
      head: ['', '### Errors', ''],
      items: [...result.errors]
        .sort((a, b) => compareText(a.container, b.container) || compareText(a.message, b.message))
        .map((e) => `- ${e.container ? `${cell(e.container)}: ` : ''}${cell(e.message)}`),
      noun: ['error', 'errors'],
    },
    {
      head: ['', '### Violations', '', row(['Action', 'Rule', 'Container', 'ID', 'Severity', 'Message']), row(['---', '---', '---', '---', '---', '---'])],
      items: sortViolations(result.violations).map((v) =>
        row([v.action, cell(v.rule), cell(v.container ?? '-'), cell(v.id), v.severity, cell(v.message)]),
      ),
      noun: ['violation', 'violations'],
    },
    {
      // One line per rule rather than in each row: the message cell is cut at its limit, the control ids must not be.
      head: ['', '### Controls', ''],
      items: controlLines(result.violations),
      noun: ['control line', 'control lines'],
    },
    {
      head: ['', '### Not judged', ''],
      items: (result.notes ?? []).map((note) => `- ${cell(note)}`),
      noun: ['note', 'notes'],
    },
    {
      head: ['', '### Suppressed', '', row(['Rule', 'Container', 'ID', 'Severity', 'Exception', 'Owner', 'Expires', 'Reason']), row(['---', '---', '---', '---', '---', '---', '---', '---'])],
      items: sortSuppressed(result.suppressed).map((s) =>
        row([cell(s.rule), cell(s.container ?? '-'), cell(s.id), s.severity, cell(s.suppressedBy.exceptionId), cell(s.suppressedBy.owner), cell(s.suppressedBy.expiresAt), cell(s.suppressedBy.reason)]),
      ),
      noun: ['suppressed finding', 'suppressed findings'],
    },
    {
      head: ['', '### Exceptions', ''],
      items: (
        [
          ['Used', result.exceptions.used],
          ['Unused', result.exceptions.unused],
          ['Expired', result.exceptions.expired],
        ] as const
      ).flatMap(([label, list]) => [...list].sort((a, b) => compareText(a.id, b.id)).map((e) => exceptionItem(label, e))),
      noun: ['exception', 'exceptions'],
    },
  ];
  if (result.violations.length === 0) {
    sections[1] = { head: ['', '### Violations', ''], items: ['No violations.'], noun: ['line', 'lines'] };
  }

  let text = header.join('\n');
  let full = true;
  const omitted: string[] = [];
  for (const section of sections) {
    let written = 0;
    for (const item of section.items) {
      const addition = (written === 0 ? `\n${section.head.join('\n')}` : '') + `\n${item}`;
      if (full && text.length + addition.length + NOTE_RESERVE <= maxLength) {
        text += addition;
        written++;
      } else {
        full = false;
        break;
      }
    }
    const left = section.items.length - written;
    if (left > 0) omitted.push(`${left} ${left === 1 ? section.noun[0] : section.noun[1]}`);
  }
  if (omitted.length > 0) {
    text += `\n\n_Summary cut to ${maxLength} characters: ${omitted.join(', ')} not shown. The JSON result has everything._`;
  }
  return fitLength(`${text}\n`, maxLength);
}

/** `- rule: control; control` for each rule whose judged violations name controls, in rule order. */
function controlLines(violations: readonly Violation[]): string[] {
  const byRule = new Map<string, readonly string[]>();
  for (const v of violations) if (judgedControls(v).length > 0 && !byRule.has(v.rule)) byRule.set(v.rule, judgedControls(v));
  return [...byRule.keys()].sort(compareText).map((rule) => `- ${cell(rule)}: ${cell((byRule.get(rule) ?? []).join('; '))}`);
}

/** Last guard for a header that alone is too long (say, a policy with a huge name): cut, never split a surrogate pair. */
function fitLength(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  const marker = '\n\n_Summary cut._\n';
  let end = maxLength - marker.length;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return text.slice(0, end) + marker;
}
