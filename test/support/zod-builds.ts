/**
 * Counts the zod schemas built by modules loaded in `load`: `load` runs in an isolated module registry whose `zod` counts
 * every call of its functions (`z.string()`, `z.strictObject(...)`, `z.enum(...)`: every schema starts with one). The
 * count is read before and after a module's first use, so a test can tell a schema built at module load from one built
 * when it is needed. Not a timing: what is counted is whether a schema was built at all.
 */
export function countingZodBuilds<T>(load: () => T): { modules: T; built: () => number } {
  let calls = 0;
  let modules: T | undefined;
  jest.isolateModules(() => {
    const real = jest.requireActual('zod') as Record<string, unknown>;
    // A copy (zod's module object cannot be proxied: its exports are read-only) whose factories count their calls.
    // Classes (ZodObject, ...) are left as they are, so `instanceof` still holds.
    const counted = Object.fromEntries(
      Object.keys(real).map((key) => {
        const value = real[key];
        if (typeof value !== 'function' || !/^[a-z]/.test(key)) return [key, value];
        const factory = value as (...args: unknown[]) => unknown;
        return [key, (...args: unknown[]) => ((calls += 1), factory(...args))];
      }),
    );
    jest.doMock('zod', () => counted);
    modules = load();
  });
  jest.dontMock('zod');
  return { modules: modules as T, built: () => calls };
}
