import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const STUB = join(ROOT, 'test/fixtures/infra/handler-stub.ts');

/**
 * Entry files for template tests that skip bundling: the shipped handlers when they exist, else a stub, so the
 * construct's template can be tested on its own. The bundling test always uses the shipped handlers.
 */
export function templateTestEntries(): { gate: string; hook: string } {
  const pick = (relative: string) => (existsSync(join(ROOT, relative)) ? join(ROOT, relative) : STUB);
  return { gate: pick('functions/handlers/lambda/gate.ts'), hook: pick('functions/handlers/lambda/hook.ts') };
}
