import { zodSchema } from '../zod-on-demand';
import type { BuildStatus } from '../ports';
import { BUILD_ARN, describeSchemaError } from './common';
import { exitStatusOfFailedPhase, failedPhaseOf, phaseContextOfEventString, type BuildPhaseType, type PhaseReading } from '../gate/compute-fallback';
import { ignoredEvent, type DetailReader, type GateEvent } from './route';

/**
 * CodeBuild Build State Change (https://docs.aws.amazon.com/codebuild/latest/userguide/sample-build-notifications.html).
 * Best effort, so the scheduled sweep also polls builds. `build-status` is open-ended: documented filter values are
 * IN_PROGRESS, SUCCEEDED, FAILED, STOPPED and the API enum adds FAULT and TIMED_OUT; anything else is not an end.
 */
export const buildStateChangeSchema = zodSchema((z) => z.looseObject({
  'build-status': z.string().min(1),
  'project-name': z.string().min(1).max(255),
  'build-id': z.string().regex(BUILD_ARN, 'expected a CodeBuild build ARN'),
}));

export type FinalBuildStatus = Exclude<BuildStatus, 'IN_PROGRESS'>;
export const FINAL_BUILD_STATUSES: readonly FinalBuildStatus[] = ['SUCCEEDED', 'FAILED', 'FAULT', 'TIMED_OUT', 'STOPPED'];

export function isFinalBuildStatus(status: string): status is FinalBuildStatus {
  return (FINAL_BUILD_STATUSES as readonly string[]).includes(status);
}

export type BuildReading =
  | { ok: true; buildId: string; projectName: string; status: FinalBuildStatus; environment?: Record<string, string>; failedPhase?: BuildPhaseType; failedPhaseExitStatus?: number }
  | { ok: false; reason: string; malformed: boolean };

/** One `additional-information.environment.environment-variables` entry; anything else there is skipped, never fatal. */
const environmentVariableSchema = zodSchema((z) => z.looseObject({
  name: z.string().min(1).max(256),
  value: z.string().max(4096).optional(),
  type: z.string().optional(),
}));

/**
 * The build's PLAINTEXT environment variables as the event echoes them (the scan id, digest and report key the gate
 * gave StartBuild), so the scan can be looked up by its key. Best effort: the event may lack them (it is documented
 * only by example), and an entry that does not read is left out. Parameter Store and Secrets Manager variables echo
 * their reference, not a value, so only PLAINTEXT ones are kept.
 */
function buildEnvironment(detail: unknown): Record<string, string> | undefined {
  const info = (detail as { 'additional-information'?: { environment?: { 'environment-variables'?: unknown } } })?.['additional-information'];
  const list = info?.environment?.['environment-variables'];
  if (!Array.isArray(list)) return undefined;
  const environment: Record<string, string> = {};
  for (const entry of list) {
    const parsed = environmentVariableSchema().safeParse(entry);
    if (!parsed.success || (parsed.data.type !== undefined && parsed.data.type !== 'PLAINTEXT')) continue;
    if (!Object.hasOwn(environment, parsed.data.name)) environment[parsed.data.name] = parsed.data.value ?? '';
  }
  return Object.keys(environment).length > 0 ? environment : undefined;
}

/** Phase-context strings read per phase at most: CodeBuild gives one per failed command (a few at most). */
const MAX_PHASE_CONTEXTS = 16;

/**
 * The phase the build failed in and the exit status of the command that failed it, from `additional-information.phases`
 * (`phase-type`, `phase-status`, and `phase-context`: strings "<statusCode>: <message>"; the documented example
 * event, sample-build-notifications.html, lists `phase-context: []`; a failed one reads "COMMAND_EXECUTION_ERROR:
 * Error while executing command: mvn package. Reason: exit status 1" in a real event, code corpus id 40355135610).
 * Best effort like the environment: an event without phases, or with entries that do not read, gives none, and the
 * scan is then judged without a fallback.
 */
function failedPhase(detail: unknown): { phase?: BuildPhaseType; exitStatus?: number } {
  const phases = (detail as { 'additional-information'?: { phases?: unknown } })?.['additional-information']?.phases;
  if (!Array.isArray(phases)) return {};
  const readings: PhaseReading[] = phases.map((entry: unknown) => {
    const phase = (entry !== null && typeof entry === 'object' ? entry : {}) as Record<string, unknown>;
    const type = phase['phase-type'];
    const status = phase['phase-status'];
    const context = phase['phase-context'];
    const contexts = Array.isArray(context)
      ? context.slice(0, MAX_PHASE_CONTEXTS).filter((text): text is string => typeof text === 'string').map(phaseContextOfEventString)
      : [];
    return {
      ...(typeof type === 'string' && type.length <= 64 ? { type } : {}),
      ...(typeof status === 'string' && status.length <= 64 ? { status } : {}),
      ...(contexts.length > 0 ? { contexts } : {}),
    };
  });
  const phase = failedPhaseOf(readings);
  const exitStatus = phase === undefined ? undefined : exitStatusOfFailedPhase(readings);
  return { ...(phase !== undefined ? { phase } : {}), ...(exitStatus !== undefined ? { exitStatus } : {}) };
}

/** `scanProjectNames`: the scan project, and its EC2 fallback project when the stack has one. */
export function readBuildStateChange(detail: unknown, scanProjectNames: string | readonly (string | undefined)[] | undefined): BuildReading {
  const parsed = buildStateChangeSchema().safeParse(detail);
  if (!parsed.success) return { ok: false, reason: describeSchemaError(parsed.error, detail, 'malformed CodeBuild Build State Change'), malformed: true };
  const build = parsed.data;
  const projects = (typeof scanProjectNames === 'string' ? [scanProjectNames] : (scanProjectNames ?? [])).filter((name): name is string => !!name);
  if (!projects.includes(build['project-name'])) {
    return { ok: false, reason: `build of project ${JSON.stringify(build['project-name'])}, not the gate's scan project`, malformed: false };
  }
  const status = build['build-status'];
  if (!isFinalBuildStatus(status)) return { ok: false, reason: `build status ${status} is not an end state`, malformed: false };
  const environment = buildEnvironment(detail);
  const { phase, exitStatus } = status === 'SUCCEEDED' ? {} : failedPhase(detail);
  return {
    ok: true,
    buildId: build['build-id'],
    projectName: build['project-name'],
    status,
    ...(environment ? { environment } : {}),
    ...(phase ? { failedPhase: phase } : {}),
    ...(exitStatus !== undefined ? { failedPhaseExitStatus: exitStatus } : {}),
  };
}

/**
 * CodeBuild names a build `<project>:<uuid>` in StartBuild's `build.id` and by ARN in events and `build.arn`;
 * adapters may store either. Two names are the same build when their `<project>:<uuid>` parts are equal.
 */
export function sameBuild(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  return buildIdPart(a) === buildIdPart(b);
}

function buildIdPart(id: string): string {
  const at = id.indexOf(':build/');
  return at >= 0 ? id.slice(at + ':build/'.length) : id;
}

/** The GateEvent of a CodeBuild Build State Change: a final state of one of the gate's scan builds, anything else ignored. */
export const readBuildFinishedEvent: DetailReader = (event, meta, options) => {
  const reading = readBuildStateChange(event.detail, [options.scanProjectName, options.fallbackScanProjectName]);
  if (!reading.ok) return ignoredEvent(meta, reading.reason, reading.malformed);
  const finished: GateEvent = { kind: 'scanBuildFinished', meta, buildId: reading.buildId, projectName: reading.projectName, status: reading.status };
  if (reading.environment) finished.environment = reading.environment;
  if (reading.failedPhase) finished.failedPhase = reading.failedPhase;
  if (reading.failedPhaseExitStatus !== undefined) finished.failedPhaseExitStatus = reading.failedPhaseExitStatus;
  return finished;
};
