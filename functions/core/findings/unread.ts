import { toSeverity, type Severity } from '../severity';

/**
 * What a normaliser could not read from a report and had to assume, counted per kind of gap with a few example
 * findings, so a report of thousands of findings gives one warning per gap, not one per finding. A field the
 * normaliser cannot read must never become the lenient value without a word: the warnings reach the people
 * reading the verdict (`ScanReport.warnings`).
 */
export interface UnreadTally {
  note(gap: string, example: string): void;
  warnings(): string[];
}

const EXAMPLES = 3;

export function unreadTally(): UnreadTally {
  const gaps = new Map<string, { count: number; examples: string[] }>();
  return {
    note(gap, example) {
      let entry = gaps.get(gap);
      if (!entry) gaps.set(gap, (entry = { count: 0, examples: [] }));
      entry.count++;
      if (entry.examples.length < EXAMPLES && !entry.examples.includes(example)) entry.examples.push(example);
    },
    warnings() {
      return [...gaps].map(([gap, { count, examples }]) => {
        const shown = examples.map((e) => JSON.stringify(e.slice(0, 80))).join(', ');
        return `${gap}: ${count} (${count > examples.length ? 'e.g. ' : ''}${shown})`;
      });
    },
  };
}

/**
 * A scanner's severity word on the canonical scale, noting in `tally` a severity that is absent or a word no
 * scanner documents: both become `unknown`, which only the policy's `treatUnknownAs` (vulnerabilities) or a
 * `minSeverity` of "unknown" judges, so the reader must hear of it. An explicit `UNKNOWN` is the scanner's own word
 * and noted by no one.
 */
export function readSeverity(raw: string | null | undefined, tally: UnreadTally, what: FindingKind, example: string): Severity {
  const severity = toSeverity(raw);
  if (severity !== 'unknown') return severity;
  const word = raw?.trim() ?? '';
  if (word.toLowerCase() === 'unknown') return severity;
  const gap = word === '' ? 'with no severity' : `with a severity word the gate does not know (${JSON.stringify(word.slice(0, 40))})`;
  tally.note(`${what} ${gap} were read as "unknown" severity, which ${UNKNOWN_JUDGED[what]}`, example);
  return severity;
}

export type FindingKind = 'vulnerabilities' | 'secrets' | 'misconfigurations';

const UNKNOWN_JUDGED: Record<FindingKind, string> = {
  vulnerabilities: "the vulnerabilities rule judges as its treatUnknownAs says",
  secrets: 'only a secrets minSeverity of "unknown" judges',
  misconfigurations: 'only a misconfigurations minSeverity of "unknown" judges',
};
