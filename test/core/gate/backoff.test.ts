import fc from 'fast-check';
import { retryDelayMs } from '../../../functions/core/gate/backoff';

const options = { baseMs: 30_000, maxMs: 900_000 };

describe('retryDelayMs', () => {
  it('doubles per attempt between half and all of the exponential ceiling', () => {
    expect(retryDelayMs(1, 0, options)).toBe(15_000);
    expect(retryDelayMs(1, 0.999999, options)).toBeCloseTo(30_000, -1);
    expect(retryDelayMs(2, 0, options)).toBe(30_000);
    expect(retryDelayMs(3, 0.5, options)).toBe(90_000);
  });

  it('never exceeds the cap, however many attempts', () => {
    expect(retryDelayMs(50, 0.99, options)).toBeLessThanOrEqual(900_000);
    expect(retryDelayMs(1000, 0, options)).toBe(450_000);
  });

  it('stays within [ceiling/2, ceiling] for any attempts and jitter, including nonsense jitter', () => {
    fc.assert(
      fc.property(fc.integer({ min: -5, max: 200 }), fc.oneof(fc.double(), fc.constant(Number.NaN)), (attempts, random) => {
        const delay = retryDelayMs(attempts, random, options);
        const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, Math.min(attempts - 1, 30)));
        expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
        expect(delay).toBeLessThanOrEqual(ceiling);
      }),
    );
  });
});
