import type { Decision, EvaluationResult, ExceptionReport, RuleAction } from '../result/model';
import type { Severity } from '../severity';
import {
  DECISION_LABEL,
  auditNote,
  compareText,
  countResult,
  countsSentence,
  describeImage,
  shortHash,
  sortSuppressed,
  sortViolations,
  subjectFacts,
} from './common';
import { displayWidth, padToWidth, sanitizeInline, truncateToWidth } from './text';

export interface TableOptions {
  /** ANSI colours; off unless asked, since most CI logs and files do not want escape codes. */
  color?: boolean;
  /** Line width to fit the tables into (terminal columns). Default 120; the caller reads the real terminal width. */
  width?: number;
}

const DEFAULT_WIDTH = 120;
/** A column other than the last never takes more than this: a long image name must not push messages off screen. */
const MAX_COLUMN = 40;
/** Narrowest the last (message) column gets, even on a narrow terminal: below this a message says nothing. */
const MIN_LAST_COLUMN = 20;
const GAP = '  ';

type Style = (text: string) => string;
const plainStyle: Style = (text) => text;

function ansi(open: number, close: number): Style {
  return (text) => `\u001b[${open}m${text}\u001b[${close}m`;
}

const COLORS = {
  bold: ansi(1, 22),
  dim: ansi(2, 22),
  red: ansi(31, 39),
  green: ansi(32, 39),
  yellow: ansi(33, 39),
  magenta: ansi(35, 39),
  cyan: ansi(36, 39),
};

interface Palette {
  decision(decision: Decision): Style;
  action(action: RuleAction): Style;
  severity(severity: Severity): Style;
  heading: Style;
  dim: Style;
}

const NO_COLOR: Palette = { decision: () => plainStyle, action: () => plainStyle, severity: () => plainStyle, heading: plainStyle, dim: plainStyle };

const COLOR: Palette = {
  decision: (decision) => {
    const hue = { pass: COLORS.green, warn: COLORS.yellow, fail: COLORS.red, error: COLORS.magenta }[decision];
    return (text) => COLORS.bold(hue(text));
  },
  action: (action) => (action === 'deny' ? COLORS.red : COLORS.yellow),
  severity: (severity) =>
    ({
      critical: (text: string) => COLORS.bold(COLORS.red(text)),
      high: COLORS.red,
      medium: COLORS.yellow,
      low: COLORS.cyan,
      negligible: COLORS.dim,
      unknown: COLORS.dim,
    })[severity],
  heading: COLORS.bold,
  dim: COLORS.dim,
};

interface Cell {
  text: string;
  style?: Style;
}

/**
 * Lays out rows in aligned columns within `width`. Widths are measured on the plain text, so colour codes
 * never disturb alignment; every column but the last is capped, and the last takes what is left.
 */
function layout(header: string[], rows: Cell[][], width: number, palette: Palette): string[] {
  const columns = header.length;
  const clean = rows.map((row) => row.map((cell) => ({ ...cell, text: sanitizeInline(cell.text) })));
  const widths = header.map((title, index) =>
    Math.min(index === columns - 1 ? Number.MAX_SAFE_INTEGER : MAX_COLUMN, Math.max(displayWidth(title), ...clean.map((row) => displayWidth(row[index].text)))),
  );
  const fixed = widths.slice(0, -1).reduce((sum, w) => sum + w + GAP.length, 0);
  widths[columns - 1] = Math.max(MIN_LAST_COLUMN, Math.min(widths[columns - 1], width - fixed));

  const line = (cells: Cell[]): string =>
    cells
      .map((cell, index) => {
        const text = truncateToWidth(cell.text, widths[index]);
        const padded = index === columns - 1 ? text : padToWidth(text, widths[index]);
        return (cell.style ?? plainStyle)(padded);
      })
      .join(GAP)
      .trimEnd();

  return [line(header.map((title) => ({ text: title, style: palette.heading }))), ...clean.map(line)];
}

function exceptionLine(exception: ExceptionReport): string {
  return sanitizeInline(`${exception.id} (owner ${exception.owner}, expires ${exception.expiresAt}): ${exception.reason}`);
}

/**
 * The result as a person reads it in a CI log: a one-line verdict, who and what was judged, then violations,
 * suppressed findings, exceptions and errors. Same result, same text: rows are sorted, nothing reads the clock
 * or the terminal.
 */
export function renderTable(result: EvaluationResult, options: TableOptions = {}): string {
  const palette = options.color ? COLOR : NO_COLOR;
  const width = Math.max(40, Math.floor(options.width ?? DEFAULT_WIDTH));
  const counts = countResult(result);
  const out: string[] = [];

  const note = auditNote(result);
  out.push(
    [
      palette.decision(result.decision)(DECISION_LABEL[result.decision]),
      sanitizeInline(`policy "${result.policy.name}" ${shortHash(result.policy.hash)}`),
      sanitizeInline(`mode ${result.mode}${note ? ` (${note})` : ''}`),
      `${countsSentence(counts)}`,
    ].join('  '),
  );
  for (const [label, value] of subjectFacts(result)) out.push(palette.dim(sanitizeInline(`${label}: ${value}`)));
  if (result.subject.images.length > 0) {
    out.push(palette.dim('Images:'));
    for (const image of result.subject.images) {
      // Never cut: the digest at the end of the reference is what a reader needs to find the scan.
      out.push(palette.dim(sanitizeInline(`  ${image.container ? `${image.container}: ` : ''}${describeImage(image)}`)));
    }
  }

  if (result.errors.length > 0) {
    out.push('', palette.heading(`Errors (${result.errors.length})`));
    for (const error of result.errors) {
      out.push(`  ${palette.decision('error')('!')} ${sanitizeInline(`${error.container ? `${error.container}: ` : ''}${error.message}`)}`);
    }
  }

  out.push('');
  if (result.violations.length === 0) {
    out.push('No violations.');
  } else {
    out.push(palette.heading(`Violations (${result.violations.length})`));
    const rows = sortViolations(result.violations).map((v): Cell[] => [
      { text: v.action.toUpperCase(), style: palette.action(v.action) },
      { text: v.rule },
      { text: v.container ?? '-' },
      { text: v.id },
      { text: v.severity.toUpperCase(), style: palette.severity(v.severity) },
      { text: v.message },
    ]);
    out.push(...layout(['ACTION', 'RULE', 'CONTAINER', 'ID', 'SEVERITY', 'MESSAGE'], rows, width, palette));
  }

  if (result.suppressed.length > 0) {
    out.push('', palette.heading(`Suppressed (${result.suppressed.length})`));
    const rows = sortSuppressed(result.suppressed).map((s): Cell[] => [
      { text: s.rule },
      { text: s.container ?? '-' },
      { text: s.id },
      { text: s.severity.toUpperCase(), style: palette.severity(s.severity) },
      { text: s.suppressedBy.exceptionId },
      { text: `${s.suppressedBy.owner}, until ${s.suppressedBy.expiresAt}: ${s.suppressedBy.reason}` },
    ]);
    out.push(...layout(['RULE', 'CONTAINER', 'ID', 'SEVERITY', 'EXCEPTION', 'OWNER, EXPIRY AND REASON'], rows, width, palette));
  }

  const { used, unused, expired } = result.exceptions;
  if (used.length + unused.length + expired.length > 0) {
    out.push('', palette.heading('Exceptions'));
    const groups: [string, ExceptionReport[], Style][] = [
      ['used', used, plainStyle],
      ['unused', unused, palette.dim],
      ['expired', expired, palette.action('warn')],
    ];
    for (const [label, list, style] of groups) {
      for (const exception of [...list].sort((a, b) => compareText(a.id, b.id))) {
        out.push(`  ${style(padToWidth(`${label}:`, 9))}${truncateToWidth(exceptionLine(exception), width - 11)}`);
      }
    }
  }

  return `${out.join('\n')}\n`;
}
