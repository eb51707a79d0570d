import { BatchGetBuildsCommand, CodeBuildClient, StartBuildCommand } from '@aws-sdk/client-codebuild';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { RefreshBuilds } from '../../functions/adapters/codebuild-refresh';

const codeBuildMock = mockClient(CodeBuildClient);
const builds = new RefreshBuilds(new CodeBuildClient({ region: 'eu-west-1' }));

beforeEach(() => codeBuildMock.reset());

describe('RefreshBuilds', () => {
  it('starts the project as defined: project name and idempotency token, no override at all', async () => {
    codeBuildMock.on(StartBuildCommand).resolves({ build: { id: 'refresh:1' } });
    expect(await builds.start('refresh', 'a6bd2f1c-3c44-4a5e-9d45-3f1d2b3c4d5e')).toBe('refresh:1');
    expect(codeBuildMock.commandCalls(StartBuildCommand)[0].args[0].input).toEqual({ projectName: 'refresh', idempotencyToken: 'a6bd2f1c-3c44-4a5e-9d45-3f1d2b3c4d5e' });
  });

  it('hashes a token CodeBuild may not accept as is, and fails when StartBuild names no build', async () => {
    codeBuildMock.on(StartBuildCommand).resolves({});
    await expect(builds.start('refresh', 'x'.repeat(80))).rejects.toThrow(/returned no build id/);
    expect(codeBuildMock.commandCalls(StartBuildCommand)[0].args[0].input.idempotencyToken).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reads one build\'s status; an unknown id is undefined; an unknown status of a complete build is FAULT', async () => {
    codeBuildMock.on(BatchGetBuildsCommand, { ids: ['refresh:1'] }).resolves({ builds: [{ id: 'refresh:1', buildStatus: 'IN_PROGRESS' }] });
    codeBuildMock.on(BatchGetBuildsCommand, { ids: ['refresh:2'] }).resolves({ builds: [], buildsNotFound: ['refresh:2'] });
    codeBuildMock.on(BatchGetBuildsCommand, { ids: ['refresh:3'] }).resolves({ builds: [{ id: 'refresh:3', buildStatus: 'SOMETHING_NEW' as never, buildComplete: true }] });
    expect(await builds.status('refresh:1')).toBe('IN_PROGRESS');
    expect(await builds.status('refresh:2')).toBeUndefined();
    expect(await builds.status('refresh:3')).toBe('FAULT');
  });

  it('lets a CodeBuild error through (the provider then fails the resource with its message)', async () => {
    codeBuildMock.on(StartBuildCommand).rejects(Object.assign(new Error('no such project'), { name: 'ResourceNotFoundException' }));
    await expect(builds.start('refresh', 'token')).rejects.toThrow(/no such project/);
  });
});
