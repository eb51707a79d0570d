import { InputError } from '../errors';
import { describeJsonValue, formatJsonPath, parseWithSchema, type JsonPath } from '../validation/issues';
import { toEnvVar, toEnvironmentFiles } from './convert';
import type { ContainerSpec, EnvVar, EnvironmentFileRef, TaskDefinitionSpec } from './model';
import { environmentFileSchema, isPlainEnvironmentFile, isPlainKeyValuePair, keyValuePairSchema } from './schema';

/**
 * Applies RunTask `overrides` (the API_TaskOverride object, as found in CloudTrail `requestParameters.overrides`
 * and in ECS Task State Change `detail.overrides`) to a parsed task definition. Environment entries of a
 * container override go into that container's `overrideEnvironment`; environment files are noted with origin
 * `overrides`. `null`/`undefined` mean "no overrides". An override for a container the task definition does not
 * have is an `InputError`: judging the wrong task definition silently would hide what actually runs.
 *
 * Strict, for people who hand the CLI a file: the first problem is an `InputError` naming `source` and the path.
 * The gate itself uses `applyReadableOverrides`, which keeps what it can read.
 *
 * Pure: the spec passed in is not changed. Applying the same overrides twice gives the same spec as once.
 */
export function applyOverrides(spec: TaskDefinitionSpec, overrides: unknown, source: string): TaskDefinitionSpec {
  const reading = readOverrides(spec, overrides, source);
  if (reading.problems.length > 0) throw reading.problems[0];
  return reading.spec;
}

export interface OverridesReading {
  /** The spec with every readable override applied. */
  spec: TaskDefinitionSpec;
  /** What could not be read, one `InputError` per part left out (a whole container override, or one entry of it). */
  problems: InputError[];
}

/**
 * `applyOverrides` for the gate: each container override, and each environment entry or file of it, is read on its
 * own and kept when readable, so one entry the gate cannot read never takes every other override (and the plaintext
 * credentials they may carry) out of the judgement. What was left out is listed in `problems`.
 */
export function applyReadableOverrides(spec: TaskDefinitionSpec, overrides: unknown, source: string): OverridesReading {
  return readOverrides(spec, overrides, source);
}

interface ReadableOverride {
  environment: EnvVar[];
  environmentFiles: EnvironmentFileRef[];
}

function readOverrides(spec: TaskDefinitionSpec, overrides: unknown, source: string): OverridesReading {
  const problems: InputError[] = [];
  if (overrides === undefined || overrides === null) return { spec, problems };
  if (!isPlainObject(overrides)) {
    problems.push(new InputError(`expected the RunTask overrides object ({ "containerOverrides": [...] }), got ${describeJsonValue(overrides)}`, { source }));
    return { spec, problems };
  }
  if (!('containerOverrides' in overrides) && 'overrides' in overrides) {
    problems.push(
      new InputError('has an "overrides" key but no "containerOverrides": pass the overrides object itself (detail.overrides or requestParameters.overrides), not the object that holds it', {
        source,
      }),
    );
    return { spec, problems };
  }
  const list = overrides.containerOverrides;
  if (list === undefined || list === null) return { spec, problems };
  if (!Array.isArray(list)) {
    problems.push(new InputError(`expected an array, got ${describeJsonValue(list)}`, { source, path: 'containerOverrides' }));
    return { spec, problems };
  }

  const byContainer = new Map<string, ReadableOverride[]>();
  list.forEach((entry: unknown, index) => {
    const at = (...path: JsonPath) => formatJsonPath(['containerOverrides', index, ...path]);
    if (!isPlainObject(entry)) {
      problems.push(new InputError(`expected a container override object, got ${describeJsonValue(entry)}`, { source, path: at() }));
      return;
    }
    const name = entry.name;
    if (name !== undefined && name !== null && typeof name !== 'string') {
      problems.push(new InputError(`expected a container name, got ${describeJsonValue(name)}`, { source, path: at('name') }));
      return;
    }
    // Converted entry by entry, so a placeholder name keeps the entry's own index even when an earlier one was left out.
    const environment = readList(entry.environment, ['containerOverrides', index, 'environment'], source, problems, (item, path, position) =>
      toEnvVar(isPlainKeyValuePair(item) ? item : parseWithSchema(keyValuePairSchema(), item, { source, prefix: path }), position),
    );
    const files = readList(entry.environmentFiles, ['containerOverrides', index, 'environmentFiles'], source, problems, (item, path) =>
      isPlainEnvironmentFile(item) ? item : parseWithSchema(environmentFileSchema(), item, { source, prefix: path }),
    );
    if (!name) {
      if (carriesChanges(entry)) {
        problems.push(new InputError('is required: a container override that changes anything must name its container', { source, path: at('name') }));
      }
      return;
    }
    if (!spec.containers.some((container) => container.name === name)) {
      const known = spec.containers.map((container) => JSON.stringify(container.name)).join(', ');
      const of = spec.arn ? ` ${spec.arn}` : '';
      problems.push(new InputError(`names container ${JSON.stringify(name)}, which task definition${of} does not have (containers: ${known})`, { source, path: at('name') }));
      return;
    }
    byContainer.set(name, [...(byContainer.get(name) ?? []), { environment, environmentFiles: toEnvironmentFiles(files, 'overrides') }]);
  });

  return { spec: { ...spec, containers: spec.containers.map((container) => withOverrides(container, byContainer.get(container.name) ?? [])) }, problems };
}

/** The readable items of an optional list; an unreadable item, or a value that is not a list, is a problem. */
function readList<T>(value: unknown, path: JsonPath, source: string, problems: InputError[], read: (item: unknown, path: JsonPath, index: number) => T): T[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    problems.push(new InputError(`expected an array, got ${describeJsonValue(value)}`, { source, path: formatJsonPath(path) }));
    return [];
  }
  const items: T[] = [];
  value.forEach((item, index) => {
    try {
      items.push(read(item, [...path, index], index));
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      problems.push(error);
    }
  });
  return items;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function carriesChanges(override: Record<string, unknown>): boolean {
  const { name: _name, ...rest } = override;
  return Object.values(rest).some((value) => value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0));
}

function withOverrides(container: ContainerSpec, overrides: readonly ReadableOverride[]): ContainerSpec {
  if (overrides.length === 0) return container;
  const environment = overrides.flatMap((override) => override.environment);
  const files = overrides.flatMap((override) => override.environmentFiles);
  return {
    ...container,
    overrideEnvironment: uniqueEnv([...container.overrideEnvironment, ...environment]),
    environmentFiles: uniqueFiles([...(container.environmentFiles ?? []), ...files]),
  };
}

function uniqueEnv(entries: readonly EnvVar[]): EnvVar[] {
  const seen = new Set<string>();
  return entries.filter((entry) => {
    const key = JSON.stringify([entry.name, entry.value]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function uniqueFiles(entries: readonly EnvironmentFileRef[]): EnvironmentFileRef[] {
  const seen = new Set<string>();
  return entries.filter((entry) => {
    const key = JSON.stringify([entry.origin, entry.type, entry.value]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
