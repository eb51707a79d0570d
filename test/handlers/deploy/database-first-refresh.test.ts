import { BatchGetBuildsCommand, CodeBuildClient, StartBuildCommand, type StatusType } from '@aws-sdk/client-codebuild';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { RefreshBuilds } from '../../../functions/adapters/codebuild-refresh';
import { isComplete, onEvent, type CustomResourceEvent } from '../../../functions/handlers/deploy/database-first-refresh';

const codeBuildMock = mockClient(CodeBuildClient);
const builds = new RefreshBuilds(new CodeBuildClient({ region: 'us-west-2' }));

const properties = { ServiceToken: 'arn:aws:lambda:us-west-2:111122223333:function:provider', ProjectName: 'GateRefresh', RefreshSettings: 'a1' };
const create: CustomResourceEvent = { RequestType: 'Create', RequestId: 'req-create', ResourceProperties: properties };

beforeEach(() => {
  codeBuildMock.reset();
  codeBuildMock.on(StartBuildCommand).resolves({ build: { id: 'GateRefresh:b1' } });
});

describe('onEvent', () => {
  it('on Create starts one build of the refresh project, with the request id as idempotency token, and hands its id on', async () => {
    expect(await onEvent(create, builds)).toEqual({ PhysicalResourceId: 'vulnerability-db-first-refresh/GateRefresh', Data: { BuildId: 'GateRefresh:b1' } });
    expect(codeBuildMock).toHaveReceivedCommandTimes(StartBuildCommand, 1);
    expect(codeBuildMock).toHaveReceivedCommandWith(StartBuildCommand, { projectName: 'GateRefresh', idempotencyToken: 'req-create' });
  });

  it('on Update starts a build when the refresh settings changed, and none when only the provider did', async () => {
    const update = (old: Record<string, unknown>): CustomResourceEvent => ({
      RequestType: 'Update',
      RequestId: 'req-update',
      PhysicalResourceId: 'vulnerability-db-first-refresh/GateRefresh',
      ResourceProperties: properties,
      OldResourceProperties: old,
    });
    expect(await onEvent(update({ ...properties, RefreshSettings: 'a0' }), builds)).toEqual({ PhysicalResourceId: 'vulnerability-db-first-refresh/GateRefresh', Data: { BuildId: 'GateRefresh:b1' } });
    expect(codeBuildMock).toHaveReceivedCommandTimes(StartBuildCommand, 1);
    expect(await onEvent(update({ ...properties, ServiceToken: 'arn:aws:lambda:us-west-2:111122223333:function:older' }), builds)).toEqual({
      PhysicalResourceId: 'vulnerability-db-first-refresh/GateRefresh',
      Data: {},
    });
    expect(codeBuildMock).toHaveReceivedCommandTimes(StartBuildCommand, 1);
  });

  it('on Delete starts nothing and keeps the physical id', async () => {
    expect(await onEvent({ ...create, RequestType: 'Delete', PhysicalResourceId: 'kept' }, builds)).toEqual({ PhysicalResourceId: 'kept', Data: {} });
    expect(codeBuildMock).toHaveReceivedCommandTimes(StartBuildCommand, 0);
  });

  it('refuses an event without a project name, naming the property', async () => {
    await expect(onEvent({ ...create, ResourceProperties: { RefreshSettings: 'a1' } }, builds)).rejects.toThrow(/property ProjectName must be a non-empty string/);
    expect(codeBuildMock).toHaveReceivedCommandTimes(StartBuildCommand, 0);
  });
});

describe('isComplete', () => {
  const waiting: CustomResourceEvent = { ...create, PhysicalResourceId: 'vulnerability-db-first-refresh/GateRefresh', Data: { BuildId: 'GateRefresh:b1' } };
  const withStatus = (buildStatus: StatusType) => codeBuildMock.on(BatchGetBuildsCommand, { ids: ['GateRefresh:b1'] }).resolves({ builds: [{ id: 'GateRefresh:b1', buildStatus }] });

  it('is not complete while the build runs, and complete once it SUCCEEDED', async () => {
    withStatus('IN_PROGRESS');
    expect(await isComplete(waiting, builds)).toEqual({ IsComplete: false });
    withStatus('SUCCEEDED');
    expect(await isComplete(waiting, builds)).toEqual({ IsComplete: true });
  });

  it.each(['FAILED', 'FAULT', 'TIMED_OUT', 'STOPPED'] as StatusType[])('fails the deployment when the build ended %s', async (status) => {
    withStatus(status);
    await expect(isComplete(waiting, builds)).rejects.toThrow(new RegExp(`build GateRefresh:b1\\) ended ${status}: the mirror is empty or stale`));
  });

  it('fails when CodeBuild does not know the build', async () => {
    codeBuildMock.on(BatchGetBuildsCommand).resolves({ builds: [], buildsNotFound: ['GateRefresh:b1'] });
    await expect(isComplete(waiting, builds)).rejects.toThrow(/does not know build GateRefresh:b1/);
  });

  it('has nothing to wait for on Delete or after an update that started no build, and reads no build then', async () => {
    expect(await isComplete({ ...waiting, RequestType: 'Delete' }, builds)).toEqual({ IsComplete: true });
    expect(await isComplete({ ...waiting, RequestType: 'Update', Data: {} }, builds)).toEqual({ IsComplete: true });
    expect(codeBuildMock).toHaveReceivedCommandTimes(BatchGetBuildsCommand, 0);
  });
});
