import fc from 'fast-check';
import { renderTable } from '../../../functions/core/render/table';
import { displayWidth } from '../../../functions/core/render/text';
import { HOSTILE, arbResult, busyResult, result, violation } from './results';
import { assertProperty } from '../../support/property';

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

function section(text: string, heading: RegExp): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => heading.test(line));
  if (start < 0) return [];
  const end = lines.findIndex((line, index) => index > start && line === '');
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

describe('renderTable', () => {
  const text = renderTable(busyResult());

  it('opens with a one-line verdict: decision, policy with short hash, mode and counts', () => {
    expect(text.split('\n')[0]).toBe('FAIL  policy "baseline" 3f2a9c1b7d0e  mode enforce  3 denied, 1 warning, 1 suppressed, 1 error');
  });

  it('says when a failing result is only audited', () => {
    expect(renderTable(result({ decision: 'fail', mode: 'audit' })).split('\n')[0]).toContain('mode audit (reported, not enforced)');
    expect(renderTable(result({ decision: 'pass', mode: 'audit' })).split('\n')[0]).toContain('mode audit  ');
  });

  it('names the subject and the images judged', () => {
    expect(text).toContain('Task definition: arn:aws:ecs:eu-west-1:111122223333:task-definition/web-api:42');
    expect(text).toContain('Cluster: arn:aws:ecs:eu-west-1:111122223333:cluster/prod');
    expect(text).toContain('  app: 111122223333.dkr.ecr.eu-west-1.amazonaws.com/web-api:1.4.2@sha256:0c1f0ed5');
    expect(text).toContain('(trivy 0.58.1, scanned 2025-03-04T10:00:00Z)');
  });

  it('does not repeat an image reference that is also the container label (several bare reports)', () => {
    const reference = '111122223333.dkr.ecr.eu-west-1.amazonaws.com/web-api:1.4.2';
    const labelled = renderTable(result({ subject: { images: [{ container: reference, reference, digest: 'sha256:abc' }] } }));
    expect(labelled).toContain(`\n  ${reference}@sha256:abc\n`);
  });

  it('lists violations denials first, most severe first, in aligned columns', () => {
    const rows = section(text, /^Violations \(4\)$/);
    expect(rows[0]).toMatch(/^ACTION\s+RULE\s+CONTAINER\s+ID\s+SEVERITY\s+MESSAGE$/);
    expect(rows.slice(1).map((row) => row.split(/\s{2,}/).slice(0, 5))).toEqual([
      ['DENY', 'vulnerabilities', 'app', 'CVE-2024-0002', 'CRITICAL'],
      ['DENY', 'rootUser', 'app', 'rootUser', 'HIGH'],
      ['DENY', 'vulnerabilities', 'app', 'CVE-2024-0001', 'HIGH'],
      ['WARN', 'secrets', 'sidecar', 'aws-access-key-id', 'CRITICAL'],
    ]);
    for (const title of ['RULE', 'CONTAINER', 'ID', 'SEVERITY', 'MESSAGE']) {
      const column = rows[0].indexOf(title);
      for (const row of rows.slice(1)) expect(row[column - 1]).toBe(' ');
      for (const row of rows.slice(1)) expect(row[column]).not.toBe(' ');
    }
  });

  it('shows suppressed findings with the exception that suppressed them', () => {
    const rows = section(renderTable(busyResult(), { width: 200 }), /^Suppressed \(1\)$/);
    expect(rows[1].split(/\s{2,}/)).toEqual(['vulnerabilities', 'app', 'CVE-2023-4444', 'MEDIUM', 'EX-7', 'team-payments, until 2026-06-30: not reachable from the network']);
  });

  it('lists exceptions used, unused and expired, and errors', () => {
    expect(section(text, /^Exceptions$/)).toEqual([
      '  used:    EX-7 (owner team-payments, expires 2026-06-30): not reachable from the network',
      '  unused:  EX-9 (owner team-payments, expires 2026-06-30): old CVE',
      '  expired: EX-2 (owner team-payments, expires 2024-01-01): not reachable from the network',
    ]);
    expect(section(text, /^Errors \(1\)$/)).toEqual(['  ! worker: scan failed: registry answered 429 Too Many Requests']);
  });

  it('says so when there is nothing to report', () => {
    const clean = renderTable(result());
    expect(clean).toContain('\nNo violations.\n');
    expect(clean).not.toMatch(/Suppressed|Exceptions|Errors/);
  });

  /** The message column of a violations section: the first row's message and its continuation lines, joined. */
  function messageOf(rows: string[], column: number): string {
    return rows.map((row) => row.slice(column).trim()).filter(Boolean).join(' ');
  }

  const REMEDIATION =
    'CVE-2024-45491 (critical) in libexpat1 2.5.0-1: fixed in 2.5.0-1+deb12u1; upgrade libexpat1 or rebuild on a patched base image';
  const SECRET_ADVICE =
    'container api sets AWS_SECRET_ACCESS_KEY in plaintext in the RunTask overrides\' environment (AWS Secret Access Key, critical); ' +
    'move it to `secrets` with `valueFrom` (Secrets Manager or SSM Parameter Store) and rotate it';

  it('cuts nothing when not fitted to a terminal (a CI log): the fixed version and the Secrets Manager advice survive', () => {
    const long = result({
      violations: [
        violation({ message: REMEDIATION, container: 'c'.repeat(90), id: 'i'.repeat(90) }),
        violation({ rule: 'secrets', kind: 'secret', id: 'plaintext-credential', severity: 'critical', message: SECRET_ADVICE }),
      ],
    });
    const out = renderTable(long);
    expect(out).toContain(REMEDIATION);
    expect(out).toContain(SECRET_ADVICE);
    expect(out).toContain('c'.repeat(90));
    expect(out).toContain('i'.repeat(90));
    expect(out).not.toContain('...');
    // One line per finding: a CI log stays greppable.
    expect(section(out, /^Violations/)).toHaveLength(3);
  });

  it('wraps long messages on a terminal instead of cutting them: every line within the width, nothing lost', () => {
    const words = `${'overflow '.repeat(40)}END`;
    const long = result({ violations: [violation({ message: words }), violation({ id: 'CVE-2024-0009', message: REMEDIATION })] });
    for (const width of [90, 120, 200]) {
      const rows = section(renderTable(long, { width }), /^Violations/);
      for (const row of rows) expect(displayWidth(row)).toBeLessThanOrEqual(width);
      const column = rows[0].indexOf('MESSAGE');
      const second = rows.findIndex((row, index) => index > 0 && row.startsWith('DENY') && row.includes('CVE-2024-0009'));
      expect(messageOf(rows.slice(1, second), column)).toBe(words);
      expect(messageOf(rows.slice(second), column)).toBe(REMEDIATION);
      // Continuation lines leave the other columns blank, so the rows still read as rows.
      for (const row of rows.slice(2, second)) expect(row.slice(0, column).trim()).toBe('');
    }
    expect(section(renderTable(long, { width: 1000 }), /^Violations/)).toHaveLength(3);
  });

  it('keeps a readable message column on a terminal too narrow for the table, wrapping within it', () => {
    const message = 'a message long enough to need wrapping at any narrow width';
    const rows = section(renderTable(result({ violations: [violation({ message })] }), { width: 40 }), /^Violations/);
    const column = rows[1].indexOf('a message');
    expect(rows.slice(1).map((row) => row.slice(column)).every((part) => displayWidth(part) <= 20)).toBe(true);
    expect(messageOf(rows.slice(1), column)).toBe(message);
  });

  it('splits a word longer than the message column rather than cutting it', () => {
    const hash = 'f'.repeat(150);
    const rows = section(renderTable(result({ violations: [violation({ message: `layer ${hash} holds a key` })] }), { width: 100 }), /^Violations/);
    for (const row of rows) expect(displayWidth(row)).toBeLessThanOrEqual(100);
    const column = rows[0].indexOf('MESSAGE');
    expect(rows.slice(1).map((row) => row.slice(column).trim()).join('').replace(/\s/g, '')).toBe(`layer${hash}holdsakey`);
  });

  it('caps long ids and container names on a terminal so the message keeps its room', () => {
    const wide = result({ violations: [violation({ container: 'c'.repeat(90), id: 'i'.repeat(90) })] });
    const row = section(renderTable(wide, { width: 120 }), /^Violations/)[1];
    expect(row).toContain(`${'c'.repeat(37)}...`);
    expect(row).toContain('openssl 3.0.1');
  });

  it('aligns by display width with wide characters', () => {
    const wide = result({ violations: [violation({ container: '漢字コンテナ' }), violation({ container: 'app', id: 'CVE-2024-0009' })] });
    const rows = section(renderTable(wide), /^Violations/);
    const widths = rows.map((row) => displayWidth(row.slice(0, row.indexOf('CVE') >= 0 ? row.indexOf('CVE') : row.indexOf('ID'))));
    expect(new Set(widths).size).toBe(1);
  });

  it('adds colour only when asked, without changing the text', () => {
    expect(text).not.toMatch(ANSI);
    const coloured = renderTable(busyResult(), { color: true });
    expect(coloured).toMatch(/\u001b\[31m/);
    expect(coloured.replace(ANSI, '')).toBe(text);
  });

  it.each(HOSTILE.map((s) => [s]))('never passes control or bidi characters of %j to the terminal', (hostile) => {
    const out = renderTable(
      result({
        decision: 'fail',
        violations: [violation({ message: hostile, id: hostile, container: hostile })],
        errors: [{ message: hostile }],
        policy: { name: hostile, hash: 'abc', schemaVersion: '1' },
      }),
    );
    // eslint-disable-next-line no-control-regex
    expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    expect(out.split('\n')[0]).not.toContain('\n');
  });

  it('shows an escape as visible text', () => {
    const out = renderTable(result({ violations: [violation({ message: 'evil \u001b[2J clear' })] }));
    expect(out).toContain('evil \\x1b[2J clear');
  });

  it('is deterministic: same result, same text, whatever the input order', () => {
    const busy = busyResult();
    const reordered = {
      ...busy,
      violations: [...busy.violations].reverse(),
      exceptions: { used: busy.exceptions.used, unused: [...busy.exceptions.unused].reverse(), expired: busy.exceptions.expired },
    };
    expect(renderTable(reordered)).toBe(text);
  });

  it('renders any result to clean lines, within the width when fitted to a terminal', () => {
    assertProperty(
      fc.property(arbResult(), fc.boolean(), fc.option(fc.integer({ min: 40, max: 200 }), { nil: undefined }), (anyResult, color, width) => {
        const out = renderTable(anyResult, { color, ...(width !== undefined ? { width } : {}) });
        if (width !== undefined) {
          // Within the width, unless the capped columns alone leave less than the message column's minimum of 20.
          for (const heading of [/^Violations \(/, /^Suppressed \(/]) {
            const rows = section(out.replace(ANSI, ''), heading);
            if (rows.length === 0) continue;
            const bound = Math.max(width, displayWidth(rows[0].slice(0, rows[0].search(/MESSAGE|OWNER/))) + 20);
            for (const line of rows) expect(displayWidth(line)).toBeLessThanOrEqual(bound);
          }
        }
        // eslint-disable-next-line no-control-regex
        expect(out.replace(ANSI, '')).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
        if (!color) expect(out).not.toContain('\u001b');
        expect(out.endsWith('\n')).toBe(true);
        expect(renderTable(anyResult, { color, ...(width !== undefined ? { width } : {}) })).toBe(out);
      }),
      { numRuns: 100 },
    );
  });
});
