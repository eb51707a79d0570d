import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';

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

export type JsonObject = Record<string, unknown>;

/** A conformance file's JSON (some samples start with a byte-order mark). */
export function readConformanceJson(file: string): unknown {
  return JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, '')) as unknown;
}

/** Every object in a document, with its JSON path, depth first. */
export function* jsonObjects(value: unknown, path = '$'): Generator<[string, JsonObject]> {
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) yield* jsonObjects(item, `${path}[${index}]`);
  } else if (value !== null && typeof value === 'object') {
    yield [path, value as JsonObject];
    for (const [key, item] of Object.entries(value)) yield* jsonObjects(item, `${path}.${key}`);
  }
}

/** Task definitions (objects with `containerDefinitions`) in the real ECS API samples, labelled by file and path. */
export function conformanceTaskDefinitions(): { label: string; json: JsonObject }[] {
  return conformanceFiles('ecs-api').flatMap((file) =>
    [...jsonObjects(readConformanceJson(file))]
      .filter(([, o]) => Array.isArray(o.containerDefinitions))
      .map(([path, o]) => ({ label: `${basename(file)} ${path}`, json: o })),
  );
}
