import fc from 'fast-check';
import {
  DEFAULT_SCAN_ERROR_BACKOFF,
  DEFAULT_SCAN_RETRY_BACKOFF,
  SCAN_ERROR_FIRST_RETRY_MS,
  SCAN_ERROR_MAX_RETRY_MS,
  SCAN_ERROR_RETRY_JITTER,
  retryDelayMs,
} from '../../../functions/core/gate/backoff';
import { assertProperty } from '../../support/property';

const options = { baseMs: 30_000, maxMs: 900_000 };
const MINUTE = 60_000;

describe('retryDelayMs', () => {
  it('doubles per attempt between half and all of the exponential ceiling', () => {
    expect(retryDelayMs(1, 0, options)).toBe(15_000);
    expect(retryDelayMs(1, 0.999999, options)).toBeCloseTo(30_000, -1);
    expect(retryDelayMs(2, 0, options)).toBe(30_000);
    expect(retryDelayMs(3, 0.5, options)).toBe(90_000);
  });

  it('defaults to the capacity back-off with equal jitter', () => {
    expect(retryDelayMs(2, 0.5)).toBe(retryDelayMs(2, 0.5, { ...DEFAULT_SCAN_RETRY_BACKOFF, jitter: 0.5 }));
    expect(retryDelayMs(1, 0)).toBe(DEFAULT_SCAN_RETRY_BACKOFF.baseMs / 2);
  });

  it('never exceeds the cap, however many attempts', () => {
    expect(retryDelayMs(50, 0.99, options)).toBeLessThanOrEqual(900_000);
    expect(retryDelayMs(1000, 0, options)).toBe(450_000);
    expect(retryDelayMs(Number.POSITIVE_INFINITY, 0, options)).toBe(450_000);
    expect(retryDelayMs(Number.NaN, 0, options)).toBe(15_000);
  });

  it('takes the jitter share from the options: none is the exponential delay itself', () => {
    expect(retryDelayMs(3, 0.9, { ...options, jitter: 0 })).toBe(120_000);
    expect(retryDelayMs(3, 0, { ...options, jitter: 1 })).toBe(0);
    expect(retryDelayMs(3, 0, { ...options, jitter: 0.25 })).toBe(90_000);
    // A jitter share outside [0, 1] is clamped, not trusted.
    expect(retryDelayMs(3, 0, { ...options, jitter: 7 })).toBe(0);
    expect(retryDelayMs(3, 0, { ...options, jitter: -1 })).toBe(120_000);
  });

  it('stays within [ceiling × (1 − jitter), ceiling] for any attempts, jitter share and random, including nonsense', () => {
    assertProperty(
      fc.property(
        fc.integer({ min: -5, max: 200 }),
        fc.oneof(fc.double(), fc.constant(Number.NaN)),
        fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
        (attempts, random, jitter) => {
          const delay = retryDelayMs(attempts, random, { ...options, jitter });
          const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, Math.min(attempts - 1, 30)));
          expect(delay).toBeGreaterThanOrEqual(Math.floor(ceiling * (1 - (jitter ?? 0.5))));
          expect(delay).toBeLessThanOrEqual(ceiling);
        },
      ),
    );
  });
});

describe('the scan-error back-off', () => {
  it('waits 10, 20, 40, … minutes after failures in a row, capped at six hours', () => {
    const nominal = [1, 2, 3, 4, 5, 6, 7, 8, 100].map((failures) => retryDelayMs(failures, 1, DEFAULT_SCAN_ERROR_BACKOFF) / MINUTE);
    expect(nominal).toEqual([10, 20, 40, 80, 160, 320, 360, 360, 360]);
    expect(SCAN_ERROR_FIRST_RETRY_MS).toBe(10 * MINUTE);
    expect(SCAN_ERROR_MAX_RETRY_MS).toBe(6 * 60 * MINUTE);
  });

  it('spreads retries by at most a quarter, never beyond the nominal wait', () => {
    expect(SCAN_ERROR_RETRY_JITTER).toBe(0.25);
    assertProperty(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.double({ min: 0, max: 1, noNaN: true }), (failures, random) => {
        const nominal = retryDelayMs(failures, 1, DEFAULT_SCAN_ERROR_BACKOFF);
        const delay = retryDelayMs(failures, random, DEFAULT_SCAN_ERROR_BACKOFF);
        expect(delay).toBeGreaterThanOrEqual(nominal * 0.75);
        expect(delay).toBeLessThanOrEqual(nominal);
      }),
    );
  });

  it('costs a number of scans logarithmic in the time a broken image keeps being launched', () => {
    // Launched without pause, the image is scanned each time a wait ends (the scan itself taken as instant).
    const scansWithin = (hours: number, random: number) => {
      let at = 0;
      let scans = 1;
      for (let failures = 1; ; failures += 1) {
        at += retryDelayMs(failures, random, DEFAULT_SCAN_ERROR_BACKOFF);
        if (at > hours * 60 * MINUTE) return scans;
        scans += 1;
      }
    };
    expect(scansWithin(6, 1)).toBe(6);
    expect(scansWithin(24, 1)).toBe(9);
    expect(scansWithin(24, 0)).toBe(10);
    // After the cap, four a day: a week of launches every minute (10,080 of them) costs about thirty scans.
    expect(scansWithin(7 * 24, 1)).toBe(33);
  });
});
