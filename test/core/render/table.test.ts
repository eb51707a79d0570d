import fc from 'fast-check';
import { renderTable } from '../../../functions/core/render/table';
import { displayWidth } from '../../../functions/core/render/text';
import { HOSTILE, arbResult, busyResult, result, violation } from './results';

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

  it('cuts long messages to fit the width, marking the cut', () => {
    const long = result({ violations: [violation({ message: `${'overflow '.repeat(40)}END` })] });
    for (const width of [90, 120, 200]) {
      const rows = section(renderTable(long, { width }), /^Violations/);
      expect(displayWidth(rows[1])).toBeLessThanOrEqual(width);
      expect(rows[1]).toMatch(/overflow\.\.\.$/);
      expect(rows[1]).not.toContain('END');
    }
    expect(section(renderTable(long, { width: 1000 }), /^Violations/)[1]).toMatch(/END$/);
  });

  it('keeps a readable message column on a terminal too narrow for the table', () => {
    const long = result({ violations: [violation({ message: 'a message long enough to need cutting at any narrow width' })] });
    const row = section(renderTable(long, { width: 40 }), /^Violations/)[1];
    const message = row.slice(row.indexOf('HIGH') + 'HIGH'.length).trim();
    expect(message).toBe('a message long...');
  });

  it('caps long ids and container names so the message keeps its room', () => {
    const wide = result({ violations: [violation({ container: 'c'.repeat(90), id: 'i'.repeat(90) })] });
    const row = section(renderTable(wide), /^Violations/)[1];
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

  it('renders any result to clean lines within the width (messages aside)', () => {
    fc.assert(
      fc.property(arbResult(), fc.boolean(), (anyResult, color) => {
        const out = renderTable(anyResult, { color });
        // eslint-disable-next-line no-control-regex
        expect(out.replace(ANSI, '')).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
        if (!color) expect(out).not.toContain('\u001b');
        expect(out.endsWith('\n')).toBe(true);
        expect(renderTable(anyResult, { color })).toBe(out);
      }),
      { numRuns: 100 },
    );
  });
});
