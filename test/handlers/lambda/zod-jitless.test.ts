import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import { FUNCTION_ZOD_JITLESS_BANNER } from '../../../infra/function-bundling';

const EVENTS = join(__dirname, '../../fixtures/events');

/** Every event fixture, and malformed copies of each (the details' fields of the wrong type, or gone). */
function eventsAndMalformedCopies(): unknown[] {
  const events = readdirSync(EVENTS).filter((name) => name.endsWith('.json')).map((name) => JSON.parse(readFileSync(join(EVENTS, name), 'utf8')) as Record<string, any>);
  const broken: unknown[] = [];
  for (const event of events) {
    const detail = event.detail ?? event.executionDetails ?? event;
    for (const key of Object.keys(detail ?? {})) {
      const copy = JSON.parse(JSON.stringify(event));
      const target = copy.detail ?? copy.executionDetails ?? copy;
      broken.push(JSON.parse(JSON.stringify({ ...copy, ...(copy.detail ? { detail: { ...target, [key]: 42 } } : copy.executionDetails ? { executionDetails: { ...target, [key]: 42 } } : { [key]: 42 }) })));
      const without = { ...target };
      delete without[key];
      broken.push(copy.detail ? { ...copy, detail: without } : copy.executionDetails ? { ...copy, executionDetails: without } : without);
    }
  }
  return [...events, ...broken, null, 'text', { detail: [] }];
}

/** What the event readers make of every input, with the core modules loaded afresh under the current zod setting. */
function readAll(inputs: unknown[]): unknown[] {
  let out: unknown[] = [];
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const events = require('../../../functions/core/events') as typeof import('../../../functions/core/events');
    out = inputs.flatMap((input) => {
      const attempt = (fn: () => unknown) => {
        try {
          return fn();
        } catch (error) {
          return { threw: (error as Error).message };
        }
      };
      return [attempt(() => events.classifyGateEvent(input)), attempt(() => events.readLifecycleHook(input))];
    });
  });
  return out;
}

// loadZod (functions/io/zod-loader.ts) sets it where the gate and hook load zod: test/io/zod-loader.test.ts.
describe('zod without its compiler (the Lambda functions set jitless)', () => {
  afterEach(() => z.config({ jitless: false }));

  it("the bundles' banner sets it where zod reads it, before zod loads or after", () => {
    expect((globalThis as { __zod_globalConfig?: unknown }).__zod_globalConfig).toBe(z.config());
    new Function(FUNCTION_ZOD_JITLESS_BANNER)();
    expect(z.config().jitless).toBe(true);
  });

  it('reads every event, and every malformed copy of one, exactly as the compiled parsers do: results and messages', () => {
    const inputs = eventsAndMalformedCopies();
    expect(inputs.length).toBeGreaterThan(100);
    z.config({ jitless: false });
    const compiled = readAll(inputs);
    z.config({ jitless: true });
    const interpreted = readAll(inputs);
    expect(interpreted).toEqual(compiled);
    expect(JSON.stringify(compiled)).toContain('"malformed":true');
  });
});
