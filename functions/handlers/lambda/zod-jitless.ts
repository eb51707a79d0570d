import * as z from 'zod';

/*
 * Imported first by the Lambda entries (gate.ts, hook.ts): zod reads the setting when it builds each object schema.
 * In the bundles, whose chunks (and their schemas) run before the entry's own code, the banner sets it first
 * (FUNCTION_ZOD_JITLESS_BANNER in infra/function-bundling.ts); this import covers the entries run unbundled.
 * By default zod compiles a parser per object schema (`new Function`) on its first parse: a gain for a schema parsed many times, a loss at a cold start, where each schema parses an event or two
 * (the compiling was about a tenth of the gate's cold-start CPU). `jitless` is zod's own setting for this (the
 * interpreted parser it uses wherever `eval` is not allowed): same results and issues, no compiling. (zod 4:
 * `$ZodObjectJIT` in zod/v4/core/schemas.js reads `globalConfig.jitless` when the schema is built.)
 */
z.config({ jitless: true });
