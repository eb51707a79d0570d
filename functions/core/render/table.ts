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
import { displayWidth, padToWidth, sanitizeInline, truncateToWidth, wrapToWidth } from './text';

export interface TableOptions {
  /** ANSI colours; off unless asked, since most CI logs and files do not want escape codes. */
  color?: boolean;
  /**
   * Terminal columns to fit the tables into: long cells are cut, except messages, which wrap. Leave it out when
   * the output is not a terminal (a CI log, a file): then nothing is cut or wrapped, one line per finding, so the
   * fixed version and the remediation at the end of a message always survive.
   */
  width?: number;
}

/** Narrowest terminal the table is fitted to. */
const MIN_WIDTH = 40;
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
 * Lays out rows in aligned columns. Widths are measured on the plain text, so colour codes never disturb
 * alignment. Fitted to a terminal (`width` given), every column but the last is capped and cut, and the last
 * (the message, which carries the fix) takes what is left and wraps onto continuation lines, never cut.
 * Not fitted (a CI log or a file), nothing is cut or wrapped: one line per row.
 */
function layout(header: string[], rows: Cell[][], width: number | undefined, palette: Palette): string[] {
  const columns = header.length;
  const last = columns - 1;
  const clean = rows.map((row) => row.map((cell) => ({ ...cell, text: sanitizeInline(cell.text) })));
  const natural = header.map((title, index) => Math.max(displayWidth(title), ...clean.map((row) => displayWidth(row[index].text))));
  const widths = width === undefined ? natural : natural.map((w, index) => (index === last ? w : Math.min(MAX_COLUMN, w)));
  const fixed = widths.slice(0, -1).reduce((sum, w) => sum + w + GAP.length, 0);
  if (width !== undefined) widths[last] = Math.max(MIN_LAST_COLUMN, Math.min(natural[last], width - fixed));
  const indent = ' '.repeat(fixed);

  const lines = (cells: Cell[]): string[] => {
    const lead = cells.slice(0, -1).map((cell, index) => {
      const text = width === undefined ? cell.text : truncateToWidth(cell.text, widths[index]);
      return (cell.style ?? plainStyle)(padToWidth(text, widths[index]));
    });
    const message = cells[last];
    const style = message.style ?? plainStyle;
    const parts = width === undefined ? [message.text] : wrapToWidth(message.text, widths[last]);
    return [
      [...lead, style(parts[0])].join(GAP).trimEnd(),
      ...parts.slice(1).map((part) => `${indent}${style(part)}`),
    ];
  };

  return [...lines(header.map((title) => ({ text: title, style: palette.heading }))), ...clean.flatMap(lines)];
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
  const width = options.width === undefined || !Number.isFinite(options.width) ? undefined : Math.max(MIN_WIDTH, Math.floor(options.width));
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
      // A bare report labelled by its image reference needs no label in front of that same reference.
      const label = image.container && image.container !== image.reference ? `${image.container}: ` : '';
      out.push(palette.dim(sanitizeInline(`  ${label}${describeImage(image)}`)));
    }
  }

  if (result.errors.length > 0) {
    out.push('', palette.heading(`Errors (${result.errors.length})`));
    for (const error of result.errors) {
      out.push(`  ${palette.decision('error')('!')} ${sanitizeInline(`${error.container ? `${error.container}: ` : ''}${error.message}`)}`);
    }
  }

  const notes = result.notes ?? [];
  if (notes.length > 0) {
    out.push('', palette.heading(`Not judged (${notes.length})`));
    for (const note of notes) out.push(`  - ${sanitizeInline(note)}`);
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
        const [first, ...rest] = width === undefined ? [exceptionLine(exception)] : wrapToWidth(exceptionLine(exception), width - 11);
        out.push(`  ${style(padToWidth(`${label}:`, 9))}${first}`, ...rest.map((part) => `${' '.repeat(11)}${part}`));
      }
    }
  }

  return `${out.join('\n')}\n`;
}
