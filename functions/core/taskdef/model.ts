/** What the gate needs from an ECS container definition, after RunTask overrides are applied. */
export interface ContainerSpec {
  name: string;
  image: string;
  /** `containerDefinitions[].user`; undefined when the task definition leaves it to the image. */
  user?: string;
  /** Plain environment from the task definition, with values: plaintext credentials are judged here. */
  environment: EnvVar[];
  /** Environment injected by RunTask `overrides.containerOverrides[].environment`. */
  overrideEnvironment: EnvVar[];
  /** Names of variables filled from Secrets Manager or SSM (`secrets[]`): the right way, never a violation. */
  secretNames: string[];
  readonlyRootFilesystem?: boolean;
  addedCapabilities: string[];
  /** `linuxParameters.capabilities.drop`, as written (ECS accepts "ALL"). Optional: specs stored before it existed. */
  droppedCapabilities?: string[];
  /** `privileged`; undefined when the definition leaves it out (false). */
  privileged?: boolean;
  /** `logConfiguration.logDriver`; undefined when the container has no log configuration. */
  logDriver?: string;
  /** Container `cpu` units, `memory` (hard limit, MiB) and `memoryReservation` (soft limit, MiB), when set. */
  cpu?: number;
  memory?: number;
  memoryReservation?: number;
  essential: boolean;
  /**
   * `environmentFiles[]` of the container definition and of RunTask overrides: S3 objects ECS loads into the
   * environment at start. The gate cannot read them, so they are noted for reports, never judged.
   * Optional only so that specs built before this field existed stay valid; `parseTaskDefinition` always sets it.
   */
  environmentFiles?: EnvironmentFileRef[];
}

export interface EnvironmentFileRef {
  /** Object ARN, e.g. `arn:aws:s3:::bucket/app.env`. */
  value: string;
  /** `s3`, the only type ECS defines. */
  type: string;
  origin: 'taskDefinition' | 'overrides';
}

export interface EnvVar {
  name: string;
  value: string;
}

export interface TaskDefinitionSpec {
  /** Revision ARN when known; `family:revision` otherwise. */
  arn?: string;
  family?: string;
  revision?: number;
  /** Task-level settings the hardening rules judge; undefined when the task definition leaves them out. */
  networkMode?: string;
  pidMode?: string;
  ipcMode?: string;
  /** `runtimePlatform.operatingSystemFamily` as the task definition states it (LINUX, WINDOWS_SERVER_2022_CORE, ...). */
  operatingSystemFamily?: string;
  /**
   * The task definition's own tags (DescribeTaskDefinition with `include: ["TAGS"]`, or RegisterTaskDefinition input):
   * the owners a drift notice names, read with the task definition the gate reads anyway. Absent when it has none.
   */
  tags?: Record<string, string>;
  containers: ContainerSpec[];
}
