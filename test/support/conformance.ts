import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** `../shared/conformance` beside the checkout: real third-party data, used by path and only when present. */
export const CONFORMANCE_DIR = resolve(__dirname, '../../../shared/conformance');

export function conformanceAvailable(): boolean {
  return existsSync(CONFORMANCE_DIR);
}

/** Absolute paths of the `.json` files in one conformance folder (`trivy`, `grype`, `events`, `ecs-api`); empty when absent. */
export function conformanceFiles(folder: string): string[] {
  const dir = join(CONFORMANCE_DIR, folder);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => join(dir, name));
}

/** `describe` when the conformance data is present, `describe.skip` otherwise (a clone without ../shared still runs the rest). */
export const describeWithConformance: jest.Describe = conformanceAvailable() ? describe : describe.skip;
