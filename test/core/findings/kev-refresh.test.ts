import { parseKevCatalogueText } from '../../../functions/core/findings/kev';
import { kevCatalogueAgeHours, kevRefreshProblems } from '../../../functions/core/findings/kev-refresh';
import { kevFeedText } from '../../support/kev-feed';
import { assertProperty } from '../../support/property';
import fc from 'fast-check';

const NOW = new Date('2026-12-02T00:00:00.000Z');
const catalogue = (count: number, released?: string) => parseKevCatalogueText(kevFeedText(count, released), 'kev.json');

describe('kevRefreshProblems', () => {
  it('accepts a first catalogue, and one that grew or lost no more than the limit', () => {
    expect(kevRefreshProblems(catalogue(100), undefined, NOW)).toEqual([]);
    expect(kevRefreshProblems(catalogue(101), catalogue(100), NOW)).toEqual([]);
    expect(kevRefreshProblems(catalogue(90), catalogue(100), NOW)).toEqual([]);
  });

  it('refuses an empty catalogue', () => {
    expect(kevRefreshProblems(catalogue(0), undefined, NOW)).toEqual(['the catalogue lists no vulnerability']);
  });

  it('refuses one that shrank by more than the limit (a truncated or broken feed)', () => {
    expect(kevRefreshProblems(catalogue(89), catalogue(100), NOW)).toEqual(['the catalogue shrank from 100 to 89 vulnerabilities, more than the 10% allowed']);
    expect(kevRefreshProblems(catalogue(50), catalogue(100), NOW, { maxShrinkPercent: 50, futureToleranceMs: 0 })).toEqual([]);
  });

  it('refuses a dateReleased in the future (beyond the tolerance) and one older than the catalogue in place', () => {
    expect(kevRefreshProblems(catalogue(5, '2026-12-02T02:00:00.000Z'), undefined, NOW)).toEqual(['dateReleased 2026-12-02T02:00:00.000Z is in the future (now 2026-12-02T00:00:00.000Z)']);
    expect(kevRefreshProblems(catalogue(5, '2026-12-02T00:30:00.000Z'), undefined, NOW)).toEqual([]);
    expect(kevRefreshProblems(catalogue(5, '2026-11-01T00:00:00.000Z'), catalogue(5), NOW)).toEqual([
      'dateReleased 2026-11-01T00:00:00.000Z is older than the catalogue in place (2026-12-01T14:00:00.000Z)',
    ]);
  });

  it('never accepts a catalogue that lost more than the limit, whatever the sizes (property)', () => {
    assertProperty(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 100 }), (before, after, percent) => {
        const problems = kevRefreshProblems(catalogue(after), catalogue(before), NOW, { maxShrinkPercent: percent, futureToleranceMs: 0 });
        const lostPercent = ((before - after) / before) * 100;
        if (after > 0 && lostPercent <= percent) return problems.length === 0;
        return problems.length > 0;
      }),
      { numRuns: 100 },
    );
  });
});

describe('kevCatalogueAgeHours', () => {
  it('is the hours since dateReleased, never negative', () => {
    expect(kevCatalogueAgeHours(catalogue(1), NOW)).toBe(10);
    expect(kevCatalogueAgeHours(catalogue(1, '2026-12-03T00:00:00.000Z'), NOW)).toBe(0);
  });
});
