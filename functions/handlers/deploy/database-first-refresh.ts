import type { BuildStatus } from '../../core/ports';

/**
 * The deploy-time first refresh of the vulnerability DB mirror, as the two user functions of a CDK custom-resource
 * provider (aws-cdk-lib `custom_resources.Provider`): `onEvent` starts a build of the refresh project when the resource
 * is created, and again when the refresh's settings change; `isComplete` is polled by the provider until that build
 * has SUCCEEDED, and fails the deployment when it ends any other way. Without it the stack would be complete while its
 * mirror is still empty, and every scan would fail until the first scheduled refresh.
 *
 * Event shapes: the CloudFormation custom resource request (RequestType, RequestId, PhysicalResourceId,
 * ResourceProperties, OldResourceProperties; "Custom resource request objects", AWS CloudFormation User Guide), and the
 * provider framework's contract: what onEvent returns (PhysicalResourceId, Data) is merged into the event isComplete
 * receives, and isComplete answers `{ IsComplete }` or throws to fail the resource (aws-cdk-lib custom-resources
 * README, "Provider Framework": "Asynchronous Providers: isComplete").
 */

/** The CodeBuild calls this needs (functions/adapters/codebuild-refresh.ts). */
export interface RefreshBuildsPort {
  start(projectName: string, idempotencyToken: string): Promise<string>;
  status(buildId: string): Promise<BuildStatus | undefined>;
}

/** Properties of the custom resource, as the construct writes them (CloudFormation passes them as strings). */
export const FIRST_REFRESH_PROPERTIES = {
  projectName: 'ProjectName',
  /** A fingerprint of what the refresh copies and how: a change starts a new refresh on update. */
  settings: 'RefreshSettings',
} as const;

/** The `Data` key under which onEvent hands the build id to isComplete. */
export const BUILD_ID_DATA_KEY = 'BuildId';

export interface CustomResourceEvent {
  RequestType: 'Create' | 'Update' | 'Delete';
  RequestId: string;
  PhysicalResourceId?: string;
  ResourceProperties: Record<string, unknown>;
  OldResourceProperties?: Record<string, unknown>;
  /** isComplete only: what onEvent returned. */
  Data?: Record<string, unknown>;
}

export interface OnEventResult {
  PhysicalResourceId: string;
  Data: Record<string, string>;
}

export async function onEvent(event: CustomResourceEvent, builds: RefreshBuildsPort): Promise<OnEventResult> {
  const projectName = stringProperty(event.ResourceProperties, FIRST_REFRESH_PROPERTIES.projectName);
  // Stable across updates: a new physical id would make CloudFormation delete the "old" resource, which means nothing here.
  const physicalResourceId = event.PhysicalResourceId ?? `vulnerability-db-first-refresh/${projectName}`;
  if (event.RequestType === 'Delete') return { PhysicalResourceId: physicalResourceId, Data: {} };
  if (event.RequestType === 'Update' && !refreshChanged(event)) return { PhysicalResourceId: physicalResourceId, Data: {} };
  // One token per CloudFormation request: a repeated invocation for the same request gets the same build back.
  const buildId = await builds.start(projectName, event.RequestId);
  return { PhysicalResourceId: physicalResourceId, Data: { [BUILD_ID_DATA_KEY]: buildId } };
}

export async function isComplete(event: CustomResourceEvent, builds: RefreshBuildsPort): Promise<{ IsComplete: boolean }> {
  const buildId = event.Data?.[BUILD_ID_DATA_KEY];
  // Delete, or an update that started nothing: nothing to wait for.
  if (event.RequestType === 'Delete' || buildId === undefined) return { IsComplete: true };
  if (typeof buildId !== 'string' || buildId === '') throw new Error(`the first refresh: onEvent returned an unusable ${BUILD_ID_DATA_KEY} ${JSON.stringify(buildId)}`);
  const status = await builds.status(buildId);
  if (status === undefined) throw new Error(`the first refresh of the vulnerability DB mirror: CodeBuild does not know build ${buildId}`);
  if (status === 'IN_PROGRESS') return { IsComplete: false };
  if (status === 'SUCCEEDED') return { IsComplete: true };
  throw new Error(
    `the first refresh of the vulnerability DB mirror (build ${buildId}) ended ${status}: the mirror is empty or stale and scans would fail; ` +
      'read the build log in the refresh project, fix the cause and deploy again',
  );
}

function refreshChanged(event: CustomResourceEvent): boolean {
  const key = FIRST_REFRESH_PROPERTIES.settings;
  const old = event.OldResourceProperties ?? {};
  return old[key] !== event.ResourceProperties[key] || old[FIRST_REFRESH_PROPERTIES.projectName] !== event.ResourceProperties[FIRST_REFRESH_PROPERTIES.projectName];
}

function stringProperty(properties: Record<string, unknown>, key: string): string {
  const value = properties[key];
  if (typeof value !== 'string' || value === '') throw new Error(`the first refresh: resource property ${key} must be a non-empty string, got ${JSON.stringify(value)}`);
  return value;
}
