import fc from 'fast-check';
import { compareViolations, sortSuppressed, sortViolations } from '../../../functions/core/render/common';
import { renderJson } from '../../../functions/core/render/json';
import type { EvaluationResult } from '../../../functions/core/result/model';
import { HOSTILE, arbResult, busyResult, result, suppressed, violation } from './results';
import { assertProperty } from '../../support/property';

/** The same data with every object's keys inserted in reverse order. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).reverse().map(([key, item]) => [key, reverseKeys(item)]));
}

describe('renderJson', () => {
  /** The result as renderJson writes it: violations and suppressed findings in the renderers' one order. */
  const inRenderOrder = (r: EvaluationResult): EvaluationResult => ({ ...r, violations: sortViolations(r.violations), suppressed: sortSuppressed(r.suppressed) });

  it('holds the whole result: parsing it gives the result back', () => {
    const busy = busyResult();
    expect(JSON.parse(renderJson(busy))).toEqual(inRenderOrder(busy));
  });

  it('lists violations and suppressed findings in compareViolations order (deny, severity, rule, container, id), like every other format', () => {
    const engineOrder = result({
      violations: [
        violation({ action: 'warn', severity: 'critical', id: 'W' }),
        violation({ severity: 'low', id: 'L' }),
        violation({ severity: 'critical', container: 'b', id: 'C2' }),
        violation({ severity: 'critical', container: 'a', id: 'C1' }),
        violation({ severity: 'critical', rule: 'images', container: 'z', id: 'I' }),
      ],
      suppressed: [suppressed({ severity: 'low', id: 'S-LOW' }), suppressed({ severity: 'critical', id: 'S-CRIT' }, { id: 'EX-2' })],
    });
    const parsed = JSON.parse(renderJson(engineOrder)) as EvaluationResult;
    expect(parsed.violations.map((v) => v.id)).toEqual(['I', 'C1', 'C2', 'L', 'W']);
    expect(parsed.suppressed.map((v) => v.id)).toEqual(['S-CRIT', 'S-LOW']);
    const reversed = { ...engineOrder, violations: [...engineOrder.violations].reverse(), suppressed: [...engineOrder.suppressed].reverse() };
    expect(renderJson(reversed)).toBe(renderJson(engineOrder));
    for (let i = 1; i < parsed.violations.length; i++) expect(compareViolations(parsed.violations[i - 1], parsed.violations[i])).toBeLessThanOrEqual(0);
  });

  it('is pretty-printed with two spaces and ends in a newline', () => {
    const text = renderJson(result());
    expect(text.startsWith('{\n  "decision": "pass",\n  "mode": "enforce",\n  "policy": {\n    "name": "baseline",')).toBe(true);
    expect(text.endsWith('}\n')).toBe(true);
  });

  it('orders keys the same way whatever order the engine built them in', () => {
    const busy = busyResult();
    const text = renderJson(busy);
    expect(renderJson(reverseKeys(busy) as EvaluationResult)).toBe(text);
    expect(Object.keys(JSON.parse(text))).toEqual(['decision', 'mode', 'policy', 'subject', 'evaluatedAt', 'violations', 'suppressed', 'exceptions', 'errors']);
    expect(Object.keys(JSON.parse(text).violations[0])).toEqual(['rule', 'kind', 'container', 'id', 'severity', 'action', 'message']);
  });

  it('puts keys it does not know after the known ones, alphabetically', () => {
    const text = renderJson(result({ violations: [violation({ details: { zeta: 1, package: 'openssl', alpha: true } })] }));
    expect(Object.keys(JSON.parse(text).violations[0].details)).toEqual(['alpha', 'package', 'zeta']);
  });

  it('drops undefined values instead of writing them', () => {
    const text = renderJson(result({ violations: [violation({ container: undefined, details: { fixedVersion: undefined, package: 'zlib' } })] }));
    const parsed = JSON.parse(text).violations[0];
    expect('container' in parsed).toBe(false);
    expect(parsed.details).toEqual({ package: 'zlib' });
  });

  it('keeps a "__proto__" detail key as data', () => {
    const details = JSON.parse('{"__proto__": "x", "safe": 1}');
    const parsed = JSON.parse(renderJson(result({ violations: [violation({ details })] })));
    expect(Object.keys(parsed.violations[0].details)).toEqual(['__proto__', 'safe']);
  });

  it.each(HOSTILE.map((s) => [s]))('round-trips %j exactly', (hostile) => {
    const r = result({ violations: [violation({ message: hostile, id: hostile })], policy: { name: hostile, hash: 'h', schemaVersion: '1' } });
    expect(JSON.parse(renderJson(r))).toEqual(r);
  });

  it('round-trips any result and gives the same bytes every time', () => {
    assertProperty(
      fc.property(arbResult(), (anyResult) => {
        const text = renderJson(anyResult);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(inRenderOrder(anyResult))));
        expect(renderJson(reverseKeys(anyResult) as EvaluationResult)).toBe(text);
      }),
      { numRuns: 150 },
    );
  });
});
