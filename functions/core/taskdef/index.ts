export { parseTaskDefinition } from './parse';
export { applyOverrides } from './overrides';
export type { ContainerSpec, EnvVar, EnvironmentFileRef, TaskDefinitionSpec } from './model';
