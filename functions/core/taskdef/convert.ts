import type { EnvVar, EnvironmentFileRef } from './model';

/**
 * The name given to an environment entry without one. API_KeyValuePair marks `name` optional, so ECS accepts such
 * an entry; its value still reaches the container's environment (or at least the task's record of it), so it is
 * kept and its value judged like any other. The index is the entry's place in its list.
 */
export function unnamedEnvName(index: number): string {
  return `(unnamed #${index})`;
}

/** Shared by task definitions and overrides: both carry API_KeyValuePair and API_EnvironmentFile lists. */
export function toEnvVars(entries: readonly KeyValuePair[] | null | undefined): EnvVar[] {
  return (entries ?? []).map(toEnvVar);
}

/** One API_KeyValuePair at `index` of its list. */
export function toEnvVar(entry: KeyValuePair, index: number): EnvVar {
  return { name: entry.name ? entry.name : unnamedEnvName(index), value: entry.value ?? '' };
}

interface KeyValuePair {
  name?: string | null;
  value?: string | null;
}

export function toEnvironmentFiles(
  entries: readonly { value: string; type?: string | null }[] | null | undefined,
  origin: EnvironmentFileRef['origin'],
): EnvironmentFileRef[] {
  return (entries ?? []).map((entry) => ({ value: entry.value, type: entry.type ?? 's3', origin }));
}
