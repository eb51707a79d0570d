import type { TaskDefinitionSpec } from '../../../taskdef/model';
import type { TaskSettings } from './types';

/** The task-level settings the hardening rules read, from a parsed task definition (only those it sets). */
export function taskSettingsOf(spec: TaskDefinitionSpec): TaskSettings {
  const settings: TaskSettings = {};
  if (spec.networkMode !== undefined) settings.networkMode = spec.networkMode;
  if (spec.pidMode !== undefined) settings.pidMode = spec.pidMode;
  if (spec.ipcMode !== undefined) settings.ipcMode = spec.ipcMode;
  // A task definition without runtimePlatform runs Linux containers: operatingSystemFamily defaults to LINUX
  // (Amazon ECS Developer Guide, task definition parameters, "Runtime platform":
  // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#runtime-platform).
  settings.operatingSystemFamily =
    spec.operatingSystemFamily !== undefined ? { value: spec.operatingSystemFamily, defaulted: false } : { value: 'LINUX', defaulted: true };
  return settings;
}
