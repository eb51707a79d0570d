import { reportTimestamp } from '../../../functions/core/findings/timestamps';
import { inputErrorOf } from './support';

describe('reportTimestamp', () => {
  it.each([
    ['2021-08-25T12:20:30.000000005Z', '2021-08-25T12:20:30.000Z'],
    ['2024-02-22T19:46:26.372724916+01:00', '2024-02-22T18:46:26.372Z'],
    ['2024-12-26T21:58:15.943876+05:30', '2024-12-26T16:28:15.943Z'],
    ['2021-12-24T08:14:02Z', '2021-12-24T08:14:02.000Z'],
    ['2021-12-24t08:14:02z', '2021-12-24T08:14:02.000Z'],
  ])('normalises %p to UTC', (raw, expected) => {
    expect(reportTimestamp(raw, 'r.json', 'CreatedAt')).toBe(expected);
  });

  it.each([[undefined], [null], [''], ['  '], ['0001-01-01T00:00:00Z'], ['0001-01-01T00:00:00.000+00:00']])('treats %p as not known', (raw) => {
    expect(reportTimestamp(raw, 'r.json', 'CreatedAt')).toBeUndefined();
  });

  it.each([['yesterday'], ['2021-12-24'], ['2021-13-45T00:00:00Z'], ['Fri, 24 Dec 2021 08:14:02 GMT'], ['1640333642']])('rejects %p', (raw) => {
    const error = inputErrorOf(() => reportTimestamp(raw, 'r.json', 'descriptor.timestamp'));
    expect(error.path).toBe('descriptor.timestamp');
    expect(error.message).toContain('expected an RFC 3339 timestamp');
  });
});
