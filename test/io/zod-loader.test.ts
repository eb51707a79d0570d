import * as z from 'zod';
import { forgetZod, providedZod, provideZod, zodProvided, zodSchema, ZodNotLoaded } from '../../functions/core/zod-on-demand';
import { loadZod, withZod } from '../../functions/io/zod-loader';

/** A reader as the gate's are: a plain path without zod, a schema for the rest. */
const countSchema = zodSchema((zod) => zod.number().int().nonnegative());
const readCount = (value: unknown) => (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : countSchema().safeParse(value));

describe('zod on demand', () => {
  afterEach(() => {
    provideZod(z);
    z.config({ jitless: false });
  });

  it('a schema getter without zod provided stops with ZodNotLoaded', () => {
    forgetZod();
    expect(() => providedZod()).toThrow(ZodNotLoaded);
    expect(() => readCount(-1)).toThrow(ZodNotLoaded);
  });

  it('withZod reads a plain value without loading zod', async () => {
    forgetZod();
    expect(await withZod(() => readCount(3))).toBe(3);
    expect(zodProvided()).toBe(false);
  });

  it("withZod loads zod when a reader needs a schema, and reads again: zod's result and message", async () => {
    forgetZod();
    const read = await withZod(() => readCount(-1));
    expect(zodProvided()).toBe(true);
    expect(read).toEqual(z.number().int().nonnegative().safeParse(-1));
    expect(JSON.stringify(read)).toContain('>=0');
  });

  it('withZod passes any other error on as it is', async () => {
    forgetZod();
    const boom = new Error('boom');
    await expect(withZod(() => { throw boom; })).rejects.toBe(boom);
    expect(zodProvided()).toBe(false);
  });

  it('loadZod provides zod without its compiler (jitless), as the bundles do', async () => {
    forgetZod();
    z.config({ jitless: false });
    expect(await loadZod()).toBe(providedZod());
    expect(z.config().jitless).toBe(true);
  });
});
