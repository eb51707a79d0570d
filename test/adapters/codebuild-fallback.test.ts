import { BatchGetBuildsCommand, CodeBuildClient, StartBuildCommand } from '@aws-sdk/client-codebuild';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { CodeBuildScanner } from '../../functions/adapters/codebuild';
import { InputError } from '../../functions/core/errors';
import { SCAN_REQUEST } from './sample-data';

const codeBuildMock = mockClient(CodeBuildClient);
const client = new CodeBuildClient({ region: 'eu-west-1' });
const withFallback = new CodeBuildScanner({ client, projectName: 'fargate-gate-scan', fallbackProjectName: 'fargate-gate-scan-ec2' });
const withoutFallback = new CodeBuildScanner({ client, projectName: 'fargate-gate-scan' });

const request = SCAN_REQUEST;

beforeEach(() => codeBuildMock.reset());

describe('startScan on the EC2 fallback project', () => {
  it('starts a fallback request on the fallback project, with the same variables and no other override', async () => {
    codeBuildMock.on(StartBuildCommand).resolves({ build: { id: 'fargate-gate-scan-ec2:9a1b' } });
    expect(await withFallback.startScan({ ...request, compute: 'ec2Fallback' })).toEqual({ buildId: 'fargate-gate-scan-ec2:9a1b' });
    const input = codeBuildMock.commandCalls(StartBuildCommand)[0].args[0].input;
    expect(input.projectName).toBe('fargate-gate-scan-ec2');
    // The fallback is a project of its own: no compute, image or environment-type override (the IAM grant refuses them).
    expect(Object.keys(input).sort()).toEqual(['environmentVariablesOverride', 'idempotencyToken', 'projectName']);
    expect(input.environmentVariablesOverride?.map((v) => v.name)).toEqual(['IMAGE_REF', 'IMAGE_DIGEST', 'REPORT_KEY', 'SCAN_ID']);
  });

  it('gives one scan a different idempotency token on each project: a scan refused on Lambda compute for capacity starts on EC2 with the same scan id', async () => {
    codeBuildMock.on(StartBuildCommand).rejectsOnce(Object.assign(new Error('Cannot have more than 1 active builds for the account'), { name: 'AccountLimitExceededException' })).resolves({ build: { id: 'fargate-gate-scan-ec2:1' } });
    await expect(withFallback.startScan(request)).rejects.toThrow(/for capacity/);
    await withFallback.startScan({ ...request, compute: 'ec2Fallback' });
    const [lambda, ec2] = codeBuildMock.commandCalls(StartBuildCommand).map((call) => call.args[0].input);
    expect(lambda).toMatchObject({ projectName: 'fargate-gate-scan', idempotencyToken: request.scanId });
    expect(ec2).toMatchObject({ projectName: 'fargate-gate-scan-ec2', idempotencyToken: `${request.scanId}:ec2` });
  });

  it('keeps every other request on the scan project', async () => {
    codeBuildMock.on(StartBuildCommand).resolves({ build: { id: 'fargate-gate-scan:1' } });
    await withFallback.startScan(request);
    await withFallback.startScan({ ...request, scanId: 'second', compute: 'scanProject' });
    expect(codeBuildMock.commandCalls(StartBuildCommand).map((call) => call.args[0].input.projectName)).toEqual(['fargate-gate-scan', 'fargate-gate-scan']);
  });

  it('refuses a fallback request when it has no fallback project, or an unknown compute, without calling CodeBuild', async () => {
    await expect(withoutFallback.startScan({ ...request, compute: 'ec2Fallback' })).rejects.toThrow(InputError);
    await expect(withoutFallback.startScan({ ...request, compute: 'ec2Fallback' })).rejects.toThrow('has none');
    await expect(withFallback.startScan({ ...request, compute: 'gpu' as never })).rejects.toThrow('compute must be "scanProject" or "ec2Fallback", got "gpu"');
    expect(codeBuildMock).toHaveReceivedCommandTimes(StartBuildCommand, 0);
  });
});

describe('getBuildStatuses names the phase a build failed in', () => {
  it('reads BatchGetBuilds phases: the first phase that did not succeed', async () => {
    codeBuildMock.on(BatchGetBuildsCommand).resolves({
      builds: [
        {
          id: 'fargate-gate-scan:a',
          buildStatus: 'TIMED_OUT',
          phases: [
            { phaseType: 'SUBMITTED', phaseStatus: 'SUCCEEDED' },
            { phaseType: 'PRE_BUILD', phaseStatus: 'SUCCEEDED' },
            { phaseType: 'BUILD', phaseStatus: 'TIMED_OUT' },
            { phaseType: 'COMPLETED' },
          ],
        },
        { id: 'fargate-gate-scan:b', buildStatus: 'FAILED', phases: [{ phaseType: 'INSTALL', phaseStatus: 'FAILED' }, { phaseType: 'BUILD', phaseStatus: 'FAILED' }] },
        { id: 'fargate-gate-scan:c', buildStatus: 'FAILED' },
        { id: 'fargate-gate-scan:d', buildStatus: 'SUCCEEDED', phases: [{ phaseType: 'BUILD', phaseStatus: 'SUCCEEDED' }] },
      ],
    });
    expect(await withFallback.getBuildStatuses(['fargate-gate-scan:a', 'fargate-gate-scan:b', 'fargate-gate-scan:c', 'fargate-gate-scan:d'])).toEqual([
      { buildId: 'fargate-gate-scan:a', status: 'TIMED_OUT', failedPhase: 'BUILD' },
      { buildId: 'fargate-gate-scan:b', status: 'FAILED', failedPhase: 'INSTALL' },
      { buildId: 'fargate-gate-scan:c', status: 'FAILED' },
      { buildId: 'fargate-gate-scan:d', status: 'SUCCEEDED' },
    ]);
  });

  // Review of issue 9, item 4: the sweep decides the fallback from the failing command's exit status too.
  it('reads the exit status of the command that failed the phase from BatchGetBuilds phase contexts (statusCode, message)', async () => {
    const failedWith = (status: string) => ({
      statusCode: 'COMMAND_EXECUTION_ERROR',
      message: `Error while executing command: (\n  set -euo pipefail\n  trivy image -- "$IMAGE_REF"\n). Reason: exit status ${status}`,
    });
    codeBuildMock.on(BatchGetBuildsCommand).resolves({
      builds: [
        { id: 'fargate-gate-scan:a', buildStatus: 'FAILED', phases: [{ phaseType: 'PRE_BUILD', phaseStatus: 'SUCCEEDED', contexts: [{ statusCode: '', message: '' }] }, { phaseType: 'BUILD', phaseStatus: 'FAILED', contexts: [failedWith('75')] }] },
        { id: 'fargate-gate-scan:b', buildStatus: 'FAILED', phases: [{ phaseType: 'BUILD', phaseStatus: 'FAILED', contexts: [failedWith('1')] }] },
        { id: 'fargate-gate-scan:c', buildStatus: 'FAILED', phases: [{ phaseType: 'BUILD', phaseStatus: 'FAILED', contexts: [{ statusCode: 'CLIENT_ERROR', message: 'Reason: exit status 75' }] }] },
        // A context on a build still running is not read: it has not ended.
        { id: 'fargate-gate-scan:d', buildStatus: 'IN_PROGRESS', phases: [{ phaseType: 'BUILD', phaseStatus: 'FAILED', contexts: [failedWith('75')] }] },
      ],
    });
    expect(await withFallback.getBuildStatuses(['fargate-gate-scan:a', 'fargate-gate-scan:b', 'fargate-gate-scan:c', 'fargate-gate-scan:d'])).toEqual([
      { buildId: 'fargate-gate-scan:a', status: 'FAILED', failedPhase: 'BUILD', failedPhaseExitStatus: 75 },
      { buildId: 'fargate-gate-scan:b', status: 'FAILED', failedPhase: 'BUILD', failedPhaseExitStatus: 1 },
      { buildId: 'fargate-gate-scan:c', status: 'FAILED', failedPhase: 'BUILD' },
      { buildId: 'fargate-gate-scan:d', status: 'IN_PROGRESS' },
    ]);
  });
});
