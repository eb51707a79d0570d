import fc from 'fast-check';
import { DEFAULT_MARKDOWN_LENGTH, escapeMarkdown, renderMarkdown } from '../../../functions/core/render/markdown';
import { HOSTILE, arbResult, busyResult, result, violation } from './results';
import { assertProperty } from '../../support/property';

/** Cells of a GFM table row: split on pipes that are not backslash-escaped. */
function cells(row: string): string[] {
  return row.split(/(?<!\\)\|/).slice(1, -1).map((cell) => cell.trim());
}

function tableAfter(text: string, heading: string): string[] {
  const lines = text.split('\n');
  const start = lines.indexOf(heading);
  if (start < 0) return [];
  const rows: string[] = [];
  for (let i = start + 2; i < lines.length && lines[i].startsWith('|'); i++) rows.push(lines[i]);
  return rows;
}

describe('renderMarkdown', () => {
  const text = renderMarkdown(busyResult());

  it('opens with the decision as plain text, then policy and subject', () => {
    const lines = text.split('\n');
    expect(lines[0]).toBe('## fargate-gate: FAIL');
    expect(lines[2]).toBe('Policy baseline (3f2a9c1b7d0e), mode enforce, evaluated 2025-03-04T10:05:00Z.');
    expect(text).toContain('- Task definition: arn:aws:ecs:eu-west-1:111122223333:task-definition/web-api:42');
    expect(text).not.toMatch(/[\u{1f300}-\u{1faff}\u2705\u274c]/u);
  });

  it('marks an audited failure as not enforced', () => {
    expect(renderMarkdown(result({ decision: 'fail', mode: 'audit' })).split('\n')[0]).toBe('## fargate-gate: FAIL (reported, not enforced)');
  });

  it('gives the counts in a table', () => {
    const index = text.split('\n').indexOf('| Denied | Warnings | Suppressed | Errors |');
    expect(index).toBeGreaterThan(0);
    expect(cells(text.split('\n')[index + 2])).toEqual(['3', '1', '1', '1']);
  });

  it('lists violations in a table, denials and severe ones first', () => {
    const rows = tableAfter(text, '### Violations');
    expect(cells(rows[0])).toEqual(['Action', 'Rule', 'Container', 'ID', 'Severity', 'Message']);
    expect(rows.slice(2).map((row) => cells(row).slice(0, 5))).toEqual([
      ['deny', 'vulnerabilities', 'app', 'CVE-2024-0002', 'critical'],
      ['deny', 'rootUser', 'app', 'rootUser', 'high'],
      ['deny', 'vulnerabilities', 'app', 'CVE-2024-0001', 'high'],
      ['warn', 'secrets', 'sidecar', 'aws-access-key-id', 'critical'],
    ]);
  });

  it('lists suppressed findings with their exception, then exceptions and errors', () => {
    const rows = tableAfter(text, '### Suppressed');
    expect(cells(rows[2])).toEqual(['vulnerabilities', 'app', 'CVE-2023-4444', 'medium', 'EX-7', 'team-payments', '2026-06-30', 'not reachable from the network']);
    expect(text).toContain('- Used: EX-7 (owner team-payments, expires 2026-06-30): not reachable from the network');
    expect(text).toContain('- Unused: EX-9');
    expect(text).toContain('- Expired: EX-2 (owner team-payments, expires 2024-01-01)');
    expect(text).toContain('### Errors\n\n- worker: scan failed: registry answered 429 Too Many Requests');
  });

  it('says there are no violations rather than drawing an empty table', () => {
    const clean = renderMarkdown(result());
    expect(clean).toContain('### Violations\n\nNo violations.');
    expect(clean).not.toMatch(/### (Suppressed|Exceptions|Errors)/);
  });

  it.each(HOSTILE.map((s) => [s]))('keeps %j inside its cell, inert', (hostile) => {
    const out = renderMarkdown(result({ decision: 'fail', violations: [violation({ id: hostile, container: hostile, message: hostile })] }));
    const rows = tableAfter(out, '### Violations');
    expect(rows).toHaveLength(3);
    expect(cells(rows[2])).toHaveLength(6);
    // No raw markup: every < is escaped except the <br> line breaks this renderer writes itself.
    expect(rows[2].replace(/<br>/g, '')).not.toMatch(/(?<!\\)</);
    expect(rows[2]).not.toMatch(/(?<!\\)[[\]*_`]/);
    // eslint-disable-next-line no-control-regex
    expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f\u202e]/);
  });

  it('turns line breaks into <br> and escapes pipes', () => {
    expect(escapeMarkdown('a|b\nc\r\nd')).toBe('a\\|b<br>c<br>d');
    expect(escapeMarkdown('<img src=x onerror=alert(1)>')).toBe('\\<img src=x onerror=alert(1)\\>');
  });

  it('caps its length and says what it left out', () => {
    const many = result({
      decision: 'fail',
      violations: Array.from({ length: 3000 }, (_, i) => violation({ id: `CVE-2024-${String(i).padStart(5, '0')}` })),
    });
    const out = renderMarkdown(many, { maxLength: 20_000 });
    expect(out.length).toBeLessThanOrEqual(20_000);
    const shown = tableAfter(out, '### Violations').length - 2;
    expect(shown).toBeGreaterThan(50);
    expect(out).toContain(`_Summary cut to 20000 characters: ${3000 - shown} violations not shown. The JSON result has everything._`);
    expect(renderMarkdown(many).length).toBeLessThanOrEqual(DEFAULT_MARKDOWN_LENGTH);
  });

  it('keeps errors when it has to cut, since they explain the decision', () => {
    const many = result({
      decision: 'error',
      errors: [{ container: 'worker', message: 'scan timed out' }],
      violations: Array.from({ length: 3000 }, (_, i) => violation({ id: `CVE-${i}` })),
    });
    expect(renderMarkdown(many, { maxLength: 5_000 })).toContain('- worker: scan timed out');
  });

  it('cuts one huge message in its cell, not the whole summary', () => {
    const out = renderMarkdown(result({ violations: [violation({ message: 'x'.repeat(10_000) }), violation({ id: 'CVE-2', message: 'short' })] }));
    expect(out).toContain('short');
    expect(out).not.toContain('x'.repeat(301));
    expect(out).not.toContain('Summary cut');
  });

  it('is deterministic whatever order findings come in', () => {
    const busy = busyResult();
    expect(renderMarkdown({ ...busy, violations: [...busy.violations].reverse() })).toBe(text);
  });

  it('never exceeds the cap and always keeps table rows whole, for any result', () => {
    assertProperty(
      fc.property(arbResult(60), fc.integer({ min: 1_000, max: 6_000 }), (anyResult, maxLength) => {
        const out = renderMarkdown(anyResult, { maxLength });
        expect(out.length).toBeLessThanOrEqual(maxLength);
        for (const row of tableAfter(out, '### Violations').slice(2)) expect(cells(row)).toHaveLength(6);
        for (const row of tableAfter(out, '### Suppressed').slice(2)) expect(cells(row)).toHaveLength(8);
      }),
      { numRuns: 100 },
    );
  });
});
