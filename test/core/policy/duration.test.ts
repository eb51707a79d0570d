import { parseDuration } from '../../../functions/core/policy/duration';

describe('parseDuration', () => {
  it.each([
    ['1s', 1_000],
    ['30m', 1_800_000],
    ['12h', 43_200_000],
    ['7d', 604_800_000],
    ['1w', 604_800_000],
    ['1d12h', 129_600_000],
    ['1w2d3h4m5s', ((7 + 2) * 24 * 3600 + 3 * 3600 + 4 * 60 + 5) * 1000],
    ['007d', 604_800_000],
  ])('%s = %d ms', (text, ms) => {
    expect(parseDuration(text)).toEqual({ ms });
  });

  it.each([
    ['', 'expected a duration'],
    ['7', 'expected a duration'],
    ['7 d', 'expected a duration'],
    ['P7D', 'expected a duration'],
    ['7D', 'expected a duration'],
    ['1.5h', 'expected a duration'],
    ['-1h', 'expected a duration'],
    ['12h1d', 'largest first'],
    ['1h1h', 'largest first'],
    ['0s', 'longer than zero'],
    ['0d0h', 'longer than zero'],
    ['99999999999999999d', 'too long'],
  ])('rejects %j (%s)', (text, reason) => {
    const parsed = parseDuration(text);
    expect('error' in parsed && parsed.error).toContain(reason);
  });
});
