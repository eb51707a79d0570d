import { onceAsync } from '../../functions/adapters/once-async';

describe('onceAsync', () => {
  it('runs the load once and gives every caller its result, the callers that came while it ran too', async () => {
    const load = jest.fn(async () => ({ loaded: true }));
    const get = onceAsync(load);
    const [a, b] = await Promise.all([get(), get()]);
    expect(await get()).toBe(a);
    expect(b).toBe(a);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('forgets a failed load, so the next call tries again', async () => {
    const load = jest.fn().mockRejectedValueOnce(new Error('chunk unreadable')).mockResolvedValueOnce('client');
    const get = onceAsync(load as () => Promise<string>);
    await expect(get()).rejects.toThrow('chunk unreadable');
    await expect(get()).resolves.toBe('client');
    await expect(get()).resolves.toBe('client');
    expect(load).toHaveBeenCalledTimes(2);
  });
});
