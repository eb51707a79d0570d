import { StandingScanErrors } from '../../../functions/handlers/scans/standing-errors';

const NOW = Date.parse('2026-01-05T09:00:00Z');
const error = (digest: string, retryAt?: string) => ({ digest, state: 'error' as const, retryAt });

describe('StandingScanErrors', () => {
  it('holds an error until its retry time, and not a moment longer', () => {
    const errors = new StandingScanErrors();
    errors.note(error('a', '2026-01-05T09:10:00Z'), NOW);
    expect(errors.stands('a', NOW)).toBe(true);
    expect(errors.stands('a', Date.parse('2026-01-05T09:09:59.999Z'))).toBe(true);
    expect(errors.stands('a', Date.parse('2026-01-05T09:10:00Z'))).toBe(false);
    // Once past, the entry is gone: a later clock going backwards (another event's time) does not revive it.
    expect(errors.stands('a', NOW)).toBe(false);
    expect(errors.size).toBe(0);
  });

  it('ignores what is not an error in force: other states, a past or missing or unreadable retry time', () => {
    const errors = new StandingScanErrors();
    errors.note({ digest: 'done', state: 'done', retryAt: '2026-01-05T10:00:00Z' }, NOW);
    errors.note(error('past', '2026-01-05T08:59:59Z'), NOW);
    errors.note(error('now', '2026-01-05T09:00:00Z'), NOW);
    errors.note(error('none'), NOW);
    errors.note(error('garbled', 'soon'), NOW);
    expect(['done', 'past', 'now', 'none', 'garbled'].filter((key) => errors.stands(key, NOW))).toEqual([]);
    expect(errors.size).toBe(0);
  });

  it('replaces what it knew of a key with the newest record, and forgets a key on request', () => {
    const errors = new StandingScanErrors();
    errors.note(error('a', '2026-01-05T09:10:00Z'), NOW);
    errors.note({ digest: 'a', state: 'running' }, NOW);
    expect(errors.stands('a', NOW)).toBe(false);
    errors.note(error('a', '2026-01-05T09:10:00Z'), NOW);
    errors.note(error('a', '2026-01-05T11:00:00Z'), NOW);
    expect(errors.stands('a', Date.parse('2026-01-05T10:00:00Z'))).toBe(true);
    errors.forget('a');
    expect(errors.stands('a', NOW)).toBe(false);
  });

  it('stays within its capacity: what no longer stands goes first, then the oldest', () => {
    const errors = new StandingScanErrors(3);
    errors.note(error('short', '2026-01-05T09:01:00Z'), NOW);
    errors.note(error('b', '2026-01-05T10:00:00Z'), NOW);
    errors.note(error('c', '2026-01-05T10:00:00Z'), NOW);
    const later = Date.parse('2026-01-05T09:30:00Z');
    errors.note(error('d', '2026-01-05T10:00:00Z'), later);
    expect(errors.size).toBe(3);
    expect(['b', 'c', 'd'].every((key) => errors.stands(key, later))).toBe(true);
    errors.note(error('e', '2026-01-05T10:00:00Z'), later);
    expect(errors.size).toBe(3);
    expect(['b', 'c', 'd', 'e'].filter((key) => errors.stands(key, later))).toEqual(['c', 'd', 'e']);
  });
});
