import { renderJson } from '../../../functions/core/render/json';
import { renderJunit } from '../../../functions/core/render/junit';
import { renderMarkdown } from '../../../functions/core/render/markdown';
import { renderTable } from '../../../functions/core/render/table';
import { result, violation } from './results';

const CONTROLS = ['Security Hub ECS.4', 'Checkov CKV_AWS_334'];
const hardened = () =>
  result({
    decision: 'fail',
    violations: [violation({ rule: 'hardening.privileged', kind: 'hardening', id: 'hardening.privileged', container: 'app', action: 'deny', severity: 'critical', message: 'container app is privileged', controls: CONTROLS })],
    notes: ['hardening.publicIp not judged: whether the task gets a public IP is unknown'],
  });

describe('renderers: controls and notes', () => {
  it('markdown lists the controls of each violated rule once and the notes under "Not judged"', () => {
    const text = renderMarkdown(hardened());
    expect(text).toContain('### Controls\n\n- hardening.privileged: Security Hub ECS.4; Checkov CKV\\_AWS\\_334');
    expect(text).toContain('### Not judged\n\n- hardening.publicIp not judged: whether the task gets a public IP is unknown');
  });

  it('junit names the controls in the failure and skips the rule that was not judged', () => {
    const xml = renderJunit(hardened(), { rules: ['hardening.privileged', 'hardening.publicIp'] });
    expect(xml).toContain('controls: Security Hub ECS.4; Checkov CKV_AWS_334');
    expect(xml).toMatch(/name="hardening\.publicIp"[^>]*>\s*<skipped message="hardening\.publicIp not judged/);
  });

  // A "not judged" warning (whenUnknown: "warn") carrying the controls of its rule, as older results do: never listed.
  const unjudgedWarning = () =>
    result({
      decision: 'warn',
      violations: [
        violation({ rule: 'hardening.publicIp', kind: 'hardening', id: 'hardening.publicIp', action: 'warn', severity: 'unknown', message: 'hardening.publicIp not judged: unknown', controls: ['Security Hub ECS.2'], details: { judged: false } }),
      ],
    });

  it('markdown lists no controls for a rule that was not judged', () => {
    const text = renderMarkdown(unjudgedWarning());
    expect(text).toContain('hardening.publicIp not judged: unknown');
    expect(text).not.toContain('Security Hub ECS.2');
    expect(text).not.toMatch(/^### Controls$/m);
  });

  it('junit names no controls in the finding of a rule that was not judged', () => {
    const xml = renderJunit(unjudgedWarning(), { rules: ['hardening.publicIp'] });
    expect(xml).toContain('hardening.publicIp not judged: unknown');
    expect(xml).not.toContain('controls:');
    expect(xml).not.toContain('Security Hub ECS.2');
  });

  it('the table shows the notes; JSON keeps controls and notes', () => {
    expect(renderTable(hardened())).toContain('Not judged (1)\n  - hardening.publicIp not judged');
    const parsed = JSON.parse(renderJson(hardened())) as { notes: string[]; violations: { controls: string[] }[] };
    expect([parsed.notes.length, parsed.violations[0].controls]).toEqual([1, CONTROLS]);
  });
});
