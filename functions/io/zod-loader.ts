import { provideZod, providedZod, ZodNotLoaded, zodProvided, type ZodNamespace } from '../core/zod-on-demand';

/*
 * The one place the gate's readers load zod (core/zod-on-demand.ts says why it is not imported): an `import()`, which a
 * split function bundle leaves in its own chunk, loaded by the first event that is not plainly well formed.
 */

/** zod, loaded and provided on first call. */
export async function loadZod(): Promise<ZodNamespace> {
  if (zodProvided()) return providedZod();
  const z = await import('zod');
  // Without zod's per-schema compiler, as the bundles' banner sets it (FUNCTION_ZOD_JITLESS_BANNER): by default zod
  // compiles a parser per object schema (`new Function`) on its first parse, a gain for a schema parsed many times, a
  // loss in a function where each schema parses an event or two. `jitless` is zod's own setting for this (the
  // interpreted parser it uses wherever `eval` is not allowed): same results and issues, no compiling (zod 4:
  // `$ZodObjectJIT` in zod/v4/core/schemas.js reads `globalConfig.jitless` when the schema is built). Set before any
  // schema is built: they are all built with the zod provided here (core/zod-on-demand.ts).
  z.config({ jitless: true });
  provideZod(z);
  return z;
}

/**
 * What `read` (a pure reader) returns; when it needed a schema before zod was loaded, zod is loaded and `read` runs
 * again. Any other error reaches the caller as it is.
 */
export async function withZod<T>(read: () => T): Promise<T> {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof ZodNotLoaded)) throw error;
  }
  await loadZod();
  return read();
}
