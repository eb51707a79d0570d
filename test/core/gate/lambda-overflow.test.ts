import { claimableSlots, overflowSlots } from '../../../functions/core/gate/lambda-overflow';
import { DEFAULT_LAMBDA_COMPUTE_CONCURRENCY, isValidLambdaComputeConcurrency, parseLambdaComputeConcurrency } from '../../../functions/core/gate/lambda-compute-concurrency';

describe('the Lambda-compute concurrency setting', () => {
  it("defaults to AWS's default quota for a Lambda compute type (1)", () => {
    expect(DEFAULT_LAMBDA_COMPUTE_CONCURRENCY).toBe(1);
  });

  it('reads whole numbers from 1 to 1,000, white space around them allowed', () => {
    expect(parseLambdaComputeConcurrency('1', 'x')).toBe(1);
    expect(parseLambdaComputeConcurrency(' 20 ', 'x')).toBe(20);
    expect(parseLambdaComputeConcurrency('1000', 'x')).toBe(1000);
  });

  it.each(['0', '1001', '-1', '2.5', '1e2', '0x10', 'three', '', ' ', '99999999999'])('refuses %p with an error naming the setting, the bounds and the value', (text) => {
    expect(() => parseLambdaComputeConcurrency(text, 'GATE_X')).toThrow(`GATE_X must be a whole number of concurrent Lambda-compute builds from 1 to 1000 (the account's CodeBuild quota for the compute type), got ${JSON.stringify(text)}`);
  });

  it('validates numbers the same way', () => {
    expect([1, 3, 1000].map(isValidLambdaComputeConcurrency)).toEqual([true, true, true]);
    expect([0, 1001, 1.5, Number.NaN, Infinity, '3'].map(isValidLambdaComputeConcurrency)).toEqual([false, false, false, false, false, false]);
  });
});

describe('claimableSlots', () => {
  const NOW = 1_000_000;
  const held = (index: number, holder: string, leaseUntilMs = NOW + 1) => ({ index, holder, leaseUntilMs });

  it('lists the free and expired slots below the limit, from a rotating start', () => {
    const slots = [held(0, 'a'), held(2, 'b', NOW), held(5, 'c', NOW)];
    expect(claimableSlots(slots, 4, 'z', NOW, 0)).toEqual([1, 2, 3]);
    expect(claimableSlots(slots, 4, 'z', NOW, 0.5)).toEqual([2, 3, 1]);
    expect(claimableSlots(slots, 4, 'z', NOW, 0.999)).toEqual([3, 1, 2]);
  });

  it("gives a holder its own slot back first, and nothing else", () => {
    expect(claimableSlots([held(0, 'a'), held(1, 'z')], 3, 'z', NOW, 0)).toEqual([1]);
  });

  it('has nothing to give when every slot below the limit is held, and never gives a holder its own slot at or above the limit', () => {
    expect(claimableSlots([held(0, 'a'), held(1, 'b')], 2, 'z', NOW, 0)).toEqual([]);
    expect(claimableSlots([held(0, 'a'), held(1, 'z')], 1, 'z', NOW, 0)).toEqual([]);
  });

  it('counts each live lease at or above the limit (an overflow lease, a lowered limit) as taking a free place, lowest free indices kept', () => {
    expect(claimableSlots([held(1, 'b'), held(2, 'c')], 1, 'z', NOW, 0)).toEqual([]);
    expect(claimableSlots([held(0, 'a'), held(3, 'b')], 3, 'z', NOW, 0.9)).toEqual([1]);
    expect(claimableSlots([held(4, 'b'), held(5, 'c')], 4, 'z', NOW, 0.5)).toEqual([0, 1]);
    // Run out: counts no more.
    expect(claimableSlots([held(3, 'b', NOW)], 3, 'z', NOW, 0)).toEqual([0, 1, 2]);
    // The claimer's own lease above the limit does not stand in its way.
    expect(claimableSlots([held(1, 'z')], 1, 'z', NOW, 0)).toEqual([0]);
  });

  it('overflowSlots: the holder\'s own lease above the limit, else the free or expired indices from the limit up to one past the last item', () => {
    expect(overflowSlots([], 2, 'z', NOW)).toEqual([2]);
    expect(overflowSlots([held(0, 'a'), held(1, 'b')], 1, 'z', NOW)).toEqual([2]);
    expect(overflowSlots([held(0, 'a'), held(2, 'b', NOW), held(3, 'c')], 1, 'z', NOW)).toEqual([1, 2, 4]);
    expect(overflowSlots([held(0, 'a'), held(2, 'z')], 1, 'z', NOW)).toEqual([2]);
  });

  it('keeps a bad offset in range', () => {
    expect(claimableSlots([], 2, 'z', NOW, -3)).toEqual([0, 1]);
    expect(claimableSlots([], 2, 'z', NOW, 7)).toEqual([1, 0]);
  });
});
