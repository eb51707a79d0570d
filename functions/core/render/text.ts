/*
 * Plain-text helpers for terminal output. Finding titles, ids and messages come from scanner reports and
 * image metadata, which an attacker can write: a raw ESC could recolour, hide or rewrite lines of a CI log,
 * and bidirectional overrides can make text read differently from what it is ("Trojan Source",
 * CVE-2021-42574). Such characters are shown as visible escapes, never passed through.
 */

// C0 controls, DEL, C1 controls, and the Unicode bidi embedding/override/isolate controls.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

function visibleEscape(char: string): string {
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** One line of safe text: line breaks and tabs become spaces, other control characters visible escapes. */
export function sanitizeInline(text: string): string {
  return text.replace(/\r\n|[\r\n\t]/g, ' ').replace(UNSAFE, visibleEscape);
}

// Ranges printed two columns wide by terminals (East Asian Wide/Fullwidth and emoji), per Unicode EastAsianWidth.
const WIDE: [number, number][] = [
  [0x1100, 0x115f],
  [0x231a, 0x231b],
  [0x2329, 0x232a],
  [0x23e9, 0x23ec],
  [0x25fd, 0x25fe],
  [0x2614, 0x2615],
  [0x2648, 0x2653],
  [0x26a1, 0x26a1],
  [0x26bd, 0x26be],
  [0x26c4, 0x26c5],
  [0x26d4, 0x26d4],
  [0x26ea, 0x26ea],
  [0x26f2, 0x26f5],
  [0x26fa, 0x26fd],
  [0x2705, 0x2705],
  [0x270a, 0x270b],
  [0x2728, 0x2728],
  [0x274c, 0x274c],
  [0x2753, 0x2755],
  [0x2757, 0x2757],
  [0x2795, 0x2797],
  [0x2b1b, 0x2b1c],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xa960, 0xa97f],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe10, 0xfe19],
  [0xfe30, 0xfe6f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x1f300, 0x1f64f],
  [0x1f680, 0x1f6ff],
  [0x1f900, 0x1f9ff],
  [0x1fa70, 0x1faff],
  [0x20000, 0x3fffd],
];

function inRanges(code: number, ranges: readonly [number, number][]): boolean {
  let low = 0;
  let high = ranges.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (code < ranges[mid][0]) high = mid - 1;
    else if (code > ranges[mid][1]) low = mid + 1;
    else return true;
  }
  return false;
}

/** Columns one code point takes: 0 for combining marks, joiners and variation selectors, 2 for wide ones. */
export function codePointWidth(codePoint: number): number {
  if (
    (codePoint >= 0x0300 && codePoint <= 0x036f) ||
    (codePoint >= 0x200b && codePoint <= 0x200f) ||
    (codePoint >= 0xfe00 && codePoint <= 0xfe0f) ||
    (codePoint >= 0x1ab0 && codePoint <= 0x1aff) ||
    (codePoint >= 0x20d0 && codePoint <= 0x20ff)
  ) {
    return 0;
  }
  return inRanges(codePoint, WIDE) ? 2 : 1;
}

/** Columns a sanitized string takes in a terminal. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) width += codePointWidth(char.codePointAt(0)!);
  return width;
}

const ELLIPSIS = '...';

/**
 * Cuts to at most `maxWidth` columns, ending in `...` when cut; never splits a surrogate pair. Cuts at a word
 * boundary when one is close to the end, so a message does not end in half a package name.
 */
export function truncateToWidth(text: string, maxWidth: number): string {
  if (displayWidth(text) <= maxWidth) return text;
  if (maxWidth <= ELLIPSIS.length) return ELLIPSIS.slice(0, Math.max(0, maxWidth));
  const budget = maxWidth - ELLIPSIS.length;
  let width = 0;
  let out = '';
  for (const char of text) {
    const w = codePointWidth(char.codePointAt(0)!);
    if (width + w > budget) break;
    out += char;
    width += w;
  }
  const boundary = out.lastIndexOf(' ');
  if (boundary > 0 && boundary >= out.length * 0.7) out = out.slice(0, boundary);
  return out.trimEnd() + ELLIPSIS;
}

export interface WrapOptions {
  /**
   * Leave a word wider than a line whole, on a line of its own (a digest or an ARN someone copies), instead of
   * splitting it.
   */
  keepLongWords?: boolean;
}

/**
 * Breaks text into lines of at most `maxWidth` columns at spaces, so nothing is lost where a cut would lose the
 * end of a message (the fixed version, the advice). A word wider than a line is split across lines (unless
 * `keepLongWords`); never a surrogate pair. Always at least one line.
 */
export function wrapToWidth(text: string, maxWidth: number, options: WrapOptions = {}): string[] {
  const limit = Math.max(1, Math.floor(maxWidth));
  const lines: string[] = [];
  let line = '';
  let lineWidth = 0;
  for (const word of text.split(' ').filter((w) => w.length > 0)) {
    const wordWidth = displayWidth(word);
    if (lineWidth > 0 && lineWidth + 1 + wordWidth <= limit) {
      line += ` ${word}`;
      lineWidth += 1 + wordWidth;
      continue;
    }
    if (lineWidth > 0) lines.push(line);
    line = '';
    lineWidth = 0;
    if (wordWidth <= limit || options.keepLongWords) {
      line = word;
      lineWidth = wordWidth;
      continue;
    }
    for (const char of word) {
      const w = codePointWidth(char.codePointAt(0)!);
      if (lineWidth + w > limit && lineWidth > 0) {
        lines.push(line);
        line = '';
        lineWidth = 0;
      }
      line += char;
      lineWidth += w;
    }
  }
  lines.push(line);
  return lines;
}

export function padToWidth(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}

/** Cuts at `maxLength` code points, keeping pairs whole; for non-terminal outputs where columns do not matter. */
export function truncateChars(text: string, maxLength: number, marker = ELLIPSIS): string {
  const chars = Array.from(text);
  if (chars.length <= maxLength) return text;
  return chars.slice(0, Math.max(0, maxLength - marker.length)).join('') + marker;
}
