import { OPEN_FINDING_DETAIL_LIMIT, OPEN_FINDING_TEXT_LIMIT, findingsToResolve, openFindingOf } from '../../../functions/core/posture/open-findings';
import { DIGEST, violation } from '../../support/open-findings-contract';

const T1 = '2026-12-01T10:00:00.000Z';

describe('findingsToResolve', () => {
  it('resolves an open finding the verdict does not deny, though the previous verdict did not deny it either', () => {
    const open = [openFindingOf(DIGEST, violation('CVE-1'), T1), openFindingOf(DIGEST, violation('CVE-2'), T1)];
    expect(findingsToResolve({ denied: [violation('CVE-2')], resolved: [] }, open)).toEqual([{ violation: open[0].finding, openedAt: T1 }]);
  });

  it('resolves what the previous verdict denied, with its opening when an item has one and the verdict\'s own finding, each once', () => {
    const fresh = violation('CVE-1', { message: 'as judged now' });
    const out = findingsToResolve({ denied: [], resolved: [fresh, violation('CVE-3')] }, [openFindingOf(DIGEST, violation('CVE-1'), T1)]);
    expect(out).toEqual([{ violation: fresh, openedAt: T1 }, { violation: violation('CVE-3') }]);
  });

  it('tells findings apart by rule and id', () => {
    const secret = violation('CVE-1', { rule: 'secrets', kind: 'secret' });
    expect(findingsToResolve({ denied: [violation('CVE-1')], resolved: [] }, [openFindingOf(DIGEST, secret, T1)]).map((f) => f.violation.rule)).toEqual(['secrets']);
  });
});

describe('openFindingOf', () => {
  it('caps the message and details a hostile report could grow, keeps the id whole and only plain detail values', () => {
    const long = 'x'.repeat(OPEN_FINDING_TEXT_LIMIT + 10);
    const details: Record<string, string | number | boolean | undefined> = { package: long, epss: Number.NaN, fixable: true, gone: undefined };
    for (let i = 0; i < OPEN_FINDING_DETAIL_LIMIT + 5; i += 1) details[`k${i}`] = i;
    const { finding } = openFindingOf(DIGEST, violation(long, { message: long, details }), T1);
    expect(finding.id).toBe(long);
    expect(finding.message).toHaveLength(OPEN_FINDING_TEXT_LIMIT);
    expect(finding.details?.package).toHaveLength(OPEN_FINDING_TEXT_LIMIT);
    expect(Object.keys(finding.details ?? {})).toHaveLength(OPEN_FINDING_DETAIL_LIMIT);
    expect(finding.details).not.toHaveProperty('epss');
    expect(finding.details).not.toHaveProperty('gone');
    expect(finding.details?.fixable).toBe(true);
  });

  it('never cuts a surrogate pair: the cut falls inside one and the kept text survives UTF-8 (as DynamoDB stores it)', () => {
    // 'a' then emoji (two code units each): the limit's last code unit is the high half of a pair.
    const text = `a${'😀'.repeat(OPEN_FINDING_TEXT_LIMIT)}`;
    expect(text.charCodeAt(OPEN_FINDING_TEXT_LIMIT - 1)).toBeGreaterThanOrEqual(0xd800);
    expect(text.charCodeAt(OPEN_FINDING_TEXT_LIMIT - 1)).toBeLessThanOrEqual(0xdbff);
    const { finding } = openFindingOf(DIGEST, violation('CVE-1', { message: text, details: { [text]: text }, container: text }), T1);
    for (const kept of [finding.message, finding.container ?? '', ...Object.keys(finding.details ?? {}), ...Object.values(finding.details ?? {}).map(String)]) {
      expect(kept.length).toBeLessThanOrEqual(OPEN_FINDING_TEXT_LIMIT);
      expect(Buffer.from(kept, 'utf8').toString('utf8')).toBe(kept);
    }
  });
});
