/**
 * Durations in policies are short strings (`7d`, `12h`, `1d12h`, `30m`), not ISO 8601 `P7D`: they are what
 * people already write for Trivy's `--cache-ttl` and similar flags, and they cannot be misread as months.
 */
const UNITS = { w: 7 * 24 * 3_600_000, d: 24 * 3_600_000, h: 3_600_000, m: 60_000, s: 1_000 } as const;
type Unit = keyof typeof UNITS;
const ORDER: readonly Unit[] = ['w', 'd', 'h', 'm', 's'];

/** The JSON Schema pattern; `parseDuration` adds the checks a pattern cannot express (unit order, non-zero). */
export const DURATION_PATTERN = '^(?:[0-9]+[wdhms])+$';
const PART = /([0-9]+)([wdhms])/g;

/** Milliseconds, or a reason the text is not a duration. */
export function parseDuration(text: string): { ms: number } | { error: string } {
  if (!new RegExp(DURATION_PATTERN).test(text)) {
    return { error: 'expected a duration such as "7d", "12h", "30m" or "1d12h" (units w, d, h, m, s)' };
  }
  let ms = 0;
  let lastIndex = -1;
  for (const [, amount, unit] of text.matchAll(PART)) {
    const index = ORDER.indexOf(unit as Unit);
    if (index <= lastIndex) return { error: `units must appear once each, largest first (w, d, h, m, s), got ${JSON.stringify(text)}` };
    lastIndex = index;
    ms += Number(amount) * UNITS[unit as Unit];
  }
  if (ms <= 0) return { error: `the duration must be longer than zero, got ${JSON.stringify(text)}` };
  if (!Number.isSafeInteger(ms)) return { error: `the duration ${JSON.stringify(text)} is too long` };
  return { ms };
}
