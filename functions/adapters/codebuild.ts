import { createHash } from 'node:crypto';
import { BatchGetBuildsCommand, StartBuildCommand, type Build, type CodeBuildClient } from '@aws-sdk/client-codebuild';
import { InputError } from '../core/errors';
import { exitStatusOfFailedPhase, failedPhaseOf, type BuildPhaseType, type PhaseReading } from '../core/gate/compute-fallback';
import { parseImageReference } from '../core/image/reference';
import { ScanCapacityError, type BuildStatus, type ScanRequest, type ScannerPort } from '../core/ports';
import { awsErrorMessage, awsErrorName, hasAwsErrorName, isThrottlingError } from './aws-errors';
import { SCAN_BUILD_ENV } from './scan-build-env';

export { SCAN_BUILD_ENV } from './scan-build-env';

/** BatchGetBuilds takes at most 100 ids per call. */
export const BATCH_GET_BUILDS_MAX = 100;

const BUILD_STATUSES: readonly BuildStatus[] = ['IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'FAULT', 'TIMED_OUT', 'STOPPED'];
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

export interface CodeBuildScannerOptions {
  client: CodeBuildClient;
  /** The scan project the construct created (its buildspec reads `SCAN_BUILD_ENV`). */
  projectName: string;
  /**
   * The EC2 fallback project, when the scan project runs on Lambda compute: requests with `compute: 'ec2Fallback'`
   * start there. A second project rather than StartBuild's `environmentTypeOverride` / `computeTypeOverride`: the API
   * Reference (StartBuild) documents those overrides without saying that a Lambda project's build may be moved to EC2,
   * and the EC2 build also needs its own timeouts, cache and buildspec (runtime-versions), which a project states.
   */
  fallbackProjectName?: string;
}

/**
 * `ScannerPort` on CodeBuild: one build of the scan project per scan. StartBuild is made idempotent with the
 * scan id as token, so a Lambda retry within CodeBuild's 5-minute token window gets the same build back
 * instead of a second one. CodeBuild refusing for capacity is a `ScanCapacityError`: the caller queues the scan.
 */
export class CodeBuildScanner implements ScannerPort {
  private readonly client: CodeBuildClient;
  private readonly projectName: string;
  private readonly fallbackProjectName: string | undefined;

  constructor(options: CodeBuildScannerOptions) {
    if (!options.projectName) throw new Error('CodeBuildScanner: projectName is required');
    this.client = options.client;
    this.projectName = options.projectName;
    this.fallbackProjectName = options.fallbackProjectName || undefined;
  }

  async startScan(request: ScanRequest): Promise<{ buildId: string }> {
    validateScanRequest(request);
    const projectName = this.projectFor(request);
    let build: Build | undefined;
    try {
      const result = await this.client.send(
        new StartBuildCommand({
          projectName,
          // One token per scan and project: a scan CodeBuild refused on the Lambda project for capacity starts on the EC2
          // fallback at once with the same scan id, and a token repeated with another parameter is an error ("If you
          // repeat the StartBuild request with the same token, but change a parameter, CodeBuild returns a parameter
          // mismatch error", StartBuildRequest.idempotencyToken, CodeBuild API Reference).
          idempotencyToken: idempotencyTokenFor(projectName === this.projectName ? request.scanId : `${request.scanId}:ec2`),
          environmentVariablesOverride: [
            { name: SCAN_BUILD_ENV.imageReference, value: request.imageReference, type: 'PLAINTEXT' },
            { name: SCAN_BUILD_ENV.imageDigest, value: request.digest, type: 'PLAINTEXT' },
            { name: SCAN_BUILD_ENV.reportKey, value: request.reportKey, type: 'PLAINTEXT' },
            { name: SCAN_BUILD_ENV.scanId, value: request.scanId, type: 'PLAINTEXT' },
            ...(request.mode === 'sbom'
              ? [
                  { name: SCAN_BUILD_ENV.scanMode, value: 'sbom', type: 'PLAINTEXT' as const },
                  { name: SCAN_BUILD_ENV.sbomKey, value: request.sbomKey ?? '', type: 'PLAINTEXT' as const },
                ]
              : []),
          ],
        }),
      );
      build = result.build;
    } catch (error) {
      if (isThrottlingError(error) || hasAwsErrorName(error, 'AccountLimitExceededException')) {
        throw new ScanCapacityError(
          `CodeBuild refused to start scan ${request.scanId} on project ${projectName} for capacity (${awsErrorName(error)}: ${awsErrorMessage(error)}); retry later`,
          { cause: error },
        );
      }
      throw error;
    }
    if (!build?.id) throw new Error(`CodeBuild StartBuild for scan ${request.scanId} returned no build id`);
    return { buildId: build.id };
  }

  /** The project a request runs on; a fallback request on a scanner without a fallback project is refused, never run on the scan project. */
  private projectFor(request: ScanRequest): string {
    if (request.compute === undefined || request.compute === 'scanProject') return this.projectName;
    if (request.compute === 'ec2Fallback' && this.fallbackProjectName) return this.fallbackProjectName;
    throw new InputError(
      request.compute === 'ec2Fallback' ? 'the scan asks for the EC2 fallback project, and this gate has none' : `compute must be "scanProject" or "ec2Fallback", got ${JSON.stringify(request.compute)}`,
      { source: `scan ${JSON.stringify(request.scanId)}` },
    );
  }

  async getBuildStatuses(buildIds: string[]): Promise<{ buildId: string; status: BuildStatus; failedPhase?: BuildPhaseType; failedPhaseExitStatus?: number }[]> {
    // Callers may hold the build id (`project:uuid`, from StartBuild) or the build ARN (from the Build State
    // Change event); both resolve to the id, and the answer uses the caller's own string.
    const byId = new Map<string, string[]>();
    for (const buildId of buildIds) {
      const id = buildIdFromArn(buildId);
      byId.set(id, [...(byId.get(id) ?? []), buildId]);
    }
    const ids = [...byId.keys()];
    const statuses: { buildId: string; status: BuildStatus; failedPhase?: BuildPhaseType; failedPhaseExitStatus?: number }[] = [];
    for (let start = 0; start < ids.length; start += BATCH_GET_BUILDS_MAX) {
      const result = await this.client.send(new BatchGetBuildsCommand({ ids: ids.slice(start, start + BATCH_GET_BUILDS_MAX) }));
      // Unknown ids come back in `buildsNotFound` and are simply absent from the answer.
      for (const build of result.builds ?? []) {
        if (!build.id) continue;
        const status = toBuildStatus(build);
        // BatchGetBuilds' Build.phases (phaseType, phaseStatus, contexts[] of { statusCode, message }: API_BuildPhase,
        // API_PhaseContext): the phase a failed build failed in, and the exit status its failing command reported.
        const ended = status !== 'SUCCEEDED' && status !== 'IN_PROGRESS';
        const phases: PhaseReading[] = ended
          ? (build.phases ?? []).map((phase) => ({
              type: phase.phaseType,
              status: phase.phaseStatus,
              contexts: (phase.contexts ?? []).map((context) => ({ ...(context.statusCode !== undefined ? { statusCode: context.statusCode } : {}), ...(context.message !== undefined ? { message: context.message } : {}) })),
            }))
          : [];
        const failedPhase = ended ? failedPhaseOf(phases) : undefined;
        const failedPhaseExitStatus = failedPhase ? exitStatusOfFailedPhase(phases) : undefined;
        for (const asked of byId.get(build.id) ?? []) {
          statuses.push({ buildId: asked, status, ...(failedPhase ? { failedPhase } : {}), ...(failedPhaseExitStatus !== undefined ? { failedPhaseExitStatus } : {}) });
        }
      }
    }
    return statuses;
  }
}

/** `arn:aws:codebuild:<region>:<account>:build/<project>:<uuid>` → `<project>:<uuid>`; an id is returned as is. */
export function buildIdFromArn(buildIdOrArn: string): string {
  const match = /^arn:aws[a-z-]*:codebuild:[^:]*:\d*:build\/(.+)$/.exec(buildIdOrArn);
  return match ? match[1] : buildIdOrArn;
}

/**
 * CodeBuild documents the token only as "a unique, case sensitive identifier"; AWS client tokens are safest as
 * at most 64 printable ASCII characters, so a scan id outside that form is replaced by its SHA-256 (still
 * one token per scan id).
 */
export function idempotencyTokenFor(scanId: string): string {
  return /^[A-Za-z0-9._:-]{1,64}$/.test(scanId) ? scanId : createHash('sha256').update(scanId, 'utf8').digest('hex');
}

/** A build's status as the gate names it; a status this code does not know counts as FAULT once the build is complete. */
export function toBuildStatus(build: Build): BuildStatus {
  const status = build.buildStatus as BuildStatus | undefined;
  if (status && BUILD_STATUSES.includes(status)) return status;
  // A status this code does not know yet: a build CodeBuild calls complete did not succeed; otherwise it still runs.
  return build.buildComplete ? 'FAULT' : 'IN_PROGRESS';
}

function validateScanRequest(request: ScanRequest): void {
  const source = `scan ${JSON.stringify(request.scanId)}`;
  if (typeof request.scanId !== 'string' || request.scanId === '' || CONTROL_CHARACTERS.test(request.scanId)) {
    throw new InputError('scanId must be a non-empty string without control characters', { source: 'scan request' });
  }
  // Re-checked here because the value ends up in a build's environment: nothing that is not an OCI reference gets there.
  parseImageReference(request.imageReference);
  if (typeof request.digest !== 'string' || CONTROL_CHARACTERS.test(request.digest)) {
    throw new InputError('digest must be a string without control characters', { source });
  }
  if (
    typeof request.reportKey !== 'string' ||
    request.reportKey === '' ||
    Buffer.byteLength(request.reportKey, 'utf8') > 1024 ||
    CONTROL_CHARACTERS.test(request.reportKey)
  ) {
    throw new InputError('reportKey must be an S3 key: 1 to 1024 bytes, no control characters', { source });
  }
  if (request.mode !== undefined && request.mode !== 'image' && request.mode !== 'sbom') {
    throw new InputError(`mode must be "image" or "sbom", got ${JSON.stringify(request.mode)}`, { source });
  }
  if (request.mode === 'sbom') {
    const key = request.sbomKey;
    if (typeof key !== 'string' || key === '' || Buffer.byteLength(key, 'utf8') > 1024 || CONTROL_CHARACTERS.test(key)) {
      throw new InputError('an sbom scan needs sbomKey, an S3 key: 1 to 1024 bytes, no control characters', { source });
    }
  }
}
