import type { EnvVar, EnvironmentFileRef } from './model';

/** Shared by task definitions and overrides: both carry API_KeyValuePair and API_EnvironmentFile lists. */
export function toEnvVars(entries: readonly { name: string; value?: string | null }[] | null | undefined): EnvVar[] {
  return (entries ?? []).map((entry) => ({ name: entry.name, value: entry.value ?? '' }));
}

export function toEnvironmentFiles(
  entries: readonly { value: string; type?: string | null }[] | null | undefined,
  origin: EnvironmentFileRef['origin'],
): EnvironmentFileRef[] {
  return (entries ?? []).map((entry) => ({ value: entry.value, type: entry.type ?? 's3', origin }));
}

