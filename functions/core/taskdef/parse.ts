import { InputError } from '../errors';
import { definedOnly } from '../policy/clean';
import { parseJsonText } from '../json-text';
import { describeJsonValue, formatJsonPath, parseWithSchema } from '../validation/issues';
import { toEnvVars, toEnvironmentFiles } from './convert';
import type { ContainerSpec, TaskDefinitionSpec } from './model';
import { readResourceTags } from './tags';
import { plainTaskDefinition, taskDefinitionSchema, type ContainerDefinitionJson, type TaskDefinitionJson } from './schema';

export { applyOverrides } from './overrides';

const ACCEPTED_SHAPES =
  'DescribeTaskDefinition output ({ "taskDefinition": { ... } }), a task definition, or RegisterTaskDefinition input ({ "family", "containerDefinitions" })';

/**
 * Reads a task definition in any of the shapes people and AWS hand around: `DescribeTaskDefinition` (and
 * `RegisterTaskDefinition`) output `{ taskDefinition, tags? }`, a bare task definition, or the
 * `RegisterTaskDefinition` input a pipeline keeps in its repository (`aws ecs register-task-definition
 * --cli-input-json`). A string is read as JSON text. Keys the gate does not use are ignored; a shape the gate
 * cannot trust (a container without name or image, a list that is not a list, two containers with one name)
 * is an `InputError` naming `source` and the JSON path.
 */
export function parseTaskDefinition(json: unknown, source: string): TaskDefinitionSpec {
  const document = typeof json === 'string' ? parseJsonText(json, { source, what: 'task definition', expected: ACCEPTED_SHAPES }) : json;
  const { value, prefix } = locateTaskDefinition(document, source);

  const taskDefinition = plainTaskDefinition(value) ?? parseWithSchema(taskDefinitionSchema(), value, { source, prefix });

  rejectDuplicateNames(taskDefinition, source, prefix);
  // Tags sit beside the task definition (DescribeTaskDefinition output, RegisterTaskDefinition input), never in it.
  const tags = isPlainObject(document) ? readResourceTags(document.tags) : undefined;
  return {
    arn: revisionArn(taskDefinition),
    family: taskDefinition.family ?? undefined,
    revision: taskDefinition.revision ?? undefined,
    ...definedOnly({ networkMode: taskDefinition.networkMode ?? undefined, pidMode: taskDefinition.pidMode ?? undefined, ipcMode: taskDefinition.ipcMode ?? undefined }),
    ...definedOnly({ operatingSystemFamily: taskDefinition.runtimePlatform?.operatingSystemFamily ?? undefined }),
    ...(tags ? { tags } : {}),
    containers: taskDefinition.containerDefinitions.map(toContainerSpec),
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function locateTaskDefinition(document: unknown, source: string): { value: unknown; prefix: string[] } {
  if (!isPlainObject(document)) {
    throw new InputError(`expected ${ACCEPTED_SHAPES}, got ${describeJsonValue(document)}`, { source });
  }
  if ('containerDefinitions' in document) return { value: document, prefix: [] };
  if ('taskDefinition' in document) {
    const inner = document.taskDefinition;
    if (typeof inner === 'string') {
      throw new InputError(
        `is a reference to a task definition (${JSON.stringify(inner)}), not the task definition itself: pass the output of DescribeTaskDefinition`,
        { source, path: 'taskDefinition' },
      );
    }
    if (!isPlainObject(inner)) {
      throw new InputError(`expected a task definition object, got ${describeJsonValue(inner)}`, { source, path: 'taskDefinition' });
    }
    return { value: inner, prefix: ['taskDefinition'] };
  }
  if ('ContainerDefinitions' in document || 'Properties' in document) {
    throw new InputError(
      `looks like a CloudFormation AWS::ECS::TaskDefinition (PascalCase keys); expected the ECS API shape: ${ACCEPTED_SHAPES}`,
      { source },
    );
  }
  throw new InputError(`has no "containerDefinitions"; expected ${ACCEPTED_SHAPES}`, { source });
}

function rejectDuplicateNames(taskDefinition: TaskDefinitionJson, source: string, prefix: string[]): void {
  const firstIndex = new Map<string, number>();
  taskDefinition.containerDefinitions.forEach((container, index) => {
    const earlier = firstIndex.get(container.name);
    if (earlier !== undefined) {
      throw new InputError(
        `duplicate container name ${JSON.stringify(container.name)} (also at ${formatJsonPath([...prefix, 'containerDefinitions', earlier, 'name'])}); container names must be unique in a task definition`,
        { source, path: formatJsonPath([...prefix, 'containerDefinitions', index, 'name']) },
      );
    }
    firstIndex.set(container.name, index);
  });
}

function revisionArn(taskDefinition: TaskDefinitionJson): string | undefined {
  if (taskDefinition.taskDefinitionArn) return taskDefinition.taskDefinitionArn;
  if (taskDefinition.family && taskDefinition.revision) return `${taskDefinition.family}:${taskDefinition.revision}`;
  return undefined;
}

function toContainerSpec(container: ContainerDefinitionJson): ContainerSpec {
  return {
    name: container.name,
    image: container.image,
    // Docker treats an empty user as "use the image's USER", so an empty string is no override at all.
    user: container.user && container.user.trim() !== '' ? container.user : undefined,
    environment: toEnvVars(container.environment),
    overrideEnvironment: [],
    secretNames: unique((container.secrets ?? []).map((secret) => secret.name)),
    readonlyRootFilesystem: container.readonlyRootFilesystem ?? undefined,
    addedCapabilities: unique(container.linuxParameters?.capabilities?.add ?? []),
    ...definedOnly({
      droppedCapabilities: container.linuxParameters?.capabilities?.drop ? unique(container.linuxParameters.capabilities.drop) : undefined,
      privileged: container.privileged ?? undefined,
      logDriver: container.logConfiguration?.logDriver ?? undefined,
      cpu: container.cpu ?? undefined,
      memory: container.memory ?? undefined,
      memoryReservation: container.memoryReservation ?? undefined,
    }),
    // ECS treats a container whose definition omits `essential` as essential (API_ContainerDefinition).
    essential: container.essential ?? true,
    environmentFiles: toEnvironmentFiles(container.environmentFiles, 'taskDefinition'),
  };
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}
