import { InputError } from '../errors';
import { describeJsonValue, formatJsonPath, parseWithSchema } from '../validation/issues';
import { toEnvVars, toEnvironmentFiles } from './convert';
import type { ContainerSpec, EnvVar, EnvironmentFileRef, TaskDefinitionSpec } from './model';
import { taskOverrideSchema, type ContainerOverrideJson } from './schema';

/**
 * Applies RunTask `overrides` (the API_TaskOverride object, as found in CloudTrail `requestParameters.overrides`
 * and in ECS Task State Change `detail.overrides`) to a parsed task definition. Environment entries of a
 * container override go into that container's `overrideEnvironment`; environment files are noted with origin
 * `overrides`. `null`/`undefined` mean "no overrides". An override for a container the task definition does not
 * have is an `InputError`: judging the wrong task definition silently would hide what actually runs.
 *
 * Pure: the spec passed in is not changed. Applying the same overrides twice gives the same spec as once.
 */
export function applyOverrides(spec: TaskDefinitionSpec, overrides: unknown, source: string): TaskDefinitionSpec {
  if (overrides === undefined || overrides === null) return spec;
  if (typeof overrides !== 'object' || Array.isArray(overrides)) {
    throw new InputError(`expected the RunTask overrides object ({ "containerOverrides": [...] }), got ${describeJsonValue(overrides)}`, { source });
  }
  if (!('containerOverrides' in overrides) && 'overrides' in overrides) {
    throw new InputError('has an "overrides" key but no "containerOverrides": pass the overrides object itself (detail.overrides or requestParameters.overrides), not the object that holds it', {
      source,
    });
  }

  const taskOverride = parseWithSchema(taskOverrideSchema, overrides, { source });

  const byContainer = new Map<string, ContainerOverrideJson[]>();
  (taskOverride.containerOverrides ?? []).forEach((override, index) => {
    const name = override.name;
    if (!name) {
      if (carriesChanges(override)) {
        throw new InputError('is required: a container override that changes anything must name its container', {
          source,
          path: formatJsonPath(['containerOverrides', index, 'name']),
        });
      }
      return;
    }
    if (!spec.containers.some((container) => container.name === name)) {
      const known = spec.containers.map((container) => JSON.stringify(container.name)).join(', ');
      const of = spec.arn ? ` ${spec.arn}` : '';
      throw new InputError(`names container ${JSON.stringify(name)}, which task definition${of} does not have (containers: ${known})`, {
        source,
        path: formatJsonPath(['containerOverrides', index, 'name']),
      });
    }
    byContainer.set(name, [...(byContainer.get(name) ?? []), override]);
  });

  return { ...spec, containers: spec.containers.map((container) => withOverrides(container, byContainer.get(container.name) ?? [])) };
}

function carriesChanges(override: ContainerOverrideJson): boolean {
  const { name: _name, ...rest } = override;
  return Object.values(rest).some((value) => value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0));
}

function withOverrides(container: ContainerSpec, overrides: readonly ContainerOverrideJson[]): ContainerSpec {
  if (overrides.length === 0) return container;
  const environment = overrides.flatMap((override) => toEnvVars(override.environment));
  const files = overrides.flatMap((override) => toEnvironmentFiles(override.environmentFiles, 'overrides'));
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
