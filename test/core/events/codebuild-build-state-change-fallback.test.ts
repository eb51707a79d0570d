import { join } from 'node:path';
import { classifyGateEvent } from '../../../functions/core/events';
import { CONFORMANCE_DIR, describeWithConformance, readConformanceJson } from '../../support/conformance';

type Phase = Record<string, unknown>;
type Event = { detail: Record<string, unknown> & { 'additional-information': { phases: Phase[] } } };

/** AWS's documented Build State Change (sample-build-notifications.html), as a build of `project` that ended `status`, its `failing` phase with it. */
function awsEvent(project: string, status: string, failing?: string, exitStatus = '1'): Event {
  const event = readConformanceJson(join(CONFORMANCE_DIR, 'events/codebuild-build-state-change-awsdocs.json')) as Event;
  event.detail['project-name'] = project;
  event.detail['build-id'] = `arn:aws:codebuild:us-west-2:123456789012:build/${project}:8745a7a9-c340-456a-9166-edf953571bEX`;
  event.detail['build-status'] = status;
  if (failing) {
    const phase = event.detail['additional-information'].phases.find((p) => p['phase-type'] === failing);
    if (!phase) throw new Error(`no ${failing} phase in the sample`);
    phase['phase-status'] = status;
    // The shape of a real failed phase's context (code corpus id 40355135610): "<statusCode>: <message>".
    phase['phase-context'] = [`COMMAND_EXECUTION_ERROR: Error while executing command: (\n  set -euo pipefail\n  trivy image -- "$IMAGE_REF"\n). Reason: exit status ${exitStatus}`];
  }
  return event;
}

const options = { scanProjectName: 'fargate-gate-scan', fallbackScanProjectName: 'fargate-gate-scan-ec2' };

describeWithConformance('CodeBuild Build State Change of a scan that may fall back to EC2 compute', () => {
  it('names the phase a failed build failed in, from the documented phases list', () => {
    expect(classifyGateEvent(awsEvent('fargate-gate-scan', 'TIMED_OUT', 'BUILD'), options)).toMatchObject({ kind: 'scanBuildFinished', status: 'TIMED_OUT', failedPhase: 'BUILD' });
    expect(classifyGateEvent(awsEvent('fargate-gate-scan', 'FAILED', 'PRE_BUILD'), options)).toMatchObject({ status: 'FAILED', failedPhase: 'PRE_BUILD' });
    expect(classifyGateEvent(awsEvent('fargate-gate-scan', 'SUCCEEDED'), options)).not.toHaveProperty('failedPhase');
  });

  // Review of issue 9, item 4: the fallback decision needs the failing command's exit status, from the phase context.
  it('reads the exit status of the command that failed the phase, from its phase context', () => {
    expect(classifyGateEvent(awsEvent('fargate-gate-scan', 'FAILED', 'BUILD', '75'), options)).toMatchObject({ status: 'FAILED', failedPhase: 'BUILD', failedPhaseExitStatus: 75 });
    expect(classifyGateEvent(awsEvent('fargate-gate-scan', 'FAILED', 'BUILD', '1'), options)).toMatchObject({ status: 'FAILED', failedPhase: 'BUILD', failedPhaseExitStatus: 1 });
    expect(classifyGateEvent(awsEvent('fargate-gate-scan', 'SUCCEEDED'), options)).not.toHaveProperty('failedPhaseExitStatus');
    // The documented sample's succeeded phases carry `phase-context: []`: no status for them.
    const timedOut = awsEvent('fargate-gate-scan', 'TIMED_OUT', 'BUILD');
    timedOut.detail['additional-information'].phases.find((p) => p['phase-type'] === 'BUILD')!['phase-context'] = [];
    expect(classifyGateEvent(timedOut, options)).not.toHaveProperty('failedPhaseExitStatus');
  });

  it('reads a damaged or hostile phase context as no exit status, never as an error', () => {
    const contexts: unknown[] = [
      'not a list',
      [42, null, { message: 'Reason: exit status 75' }],
      ['COMMAND_EXECUTION_ERROR: Error while executing command: trivy image -- reg.example/exit status 75:1. Reason: signal: killed'],
      ['CLIENT_ERROR: Reason: exit status 75'],
      ['COMMAND_EXECUTION_ERROR: x. Reason: exit status 75', 'COMMAND_EXECUTION_ERROR: y. Reason: exit status 1'],
      // Beyond the contexts read per phase.
      [...Array.from({ length: 16 }, () => ': '), 'COMMAND_EXECUTION_ERROR: x. Reason: exit status 75'],
      [`COMMAND_EXECUTION_ERROR: ${'\u{1F4A5} exit status 75 '.repeat(100_000)}`],
    ];
    for (const context of contexts) {
      const event = awsEvent('fargate-gate-scan', 'FAILED', 'BUILD');
      event.detail['additional-information'].phases.find((p) => p['phase-type'] === 'BUILD')!['phase-context'] = context;
      const read = classifyGateEvent(event, options);
      expect(read).toMatchObject({ kind: 'scanBuildFinished', status: 'FAILED', failedPhase: 'BUILD' });
      expect(read).not.toHaveProperty('failedPhaseExitStatus');
    }
  });

  it("takes the fallback project's builds as the gate's, and still ignores other projects'", () => {
    expect(classifyGateEvent(awsEvent('fargate-gate-scan-ec2', 'SUCCEEDED'), options)).toMatchObject({ kind: 'scanBuildFinished', projectName: 'fargate-gate-scan-ec2' });
    expect(classifyGateEvent(awsEvent('fargate-gate-scan-ec2', 'SUCCEEDED'), { scanProjectName: 'fargate-gate-scan' })).toMatchObject({ kind: 'ignored', malformed: false });
    expect(classifyGateEvent(awsEvent('someone-else', 'SUCCEEDED'), options)).toMatchObject({ kind: 'ignored', malformed: false });
  });

  it('reads a damaged phases list as no phase, never as an error', () => {
    const damaged: unknown[] = ['BUILD', null, 42, { 'phase-type': 7, 'phase-status': 'FAILED' }, { 'phase-type': 'BUILD', 'phase-status': 'x'.repeat(100) }, { 'phase-type': 'BUILD' }];
    for (const phases of [damaged, 'BUILD', { BUILD: 'FAILED' }, null]) {
      const event = awsEvent('fargate-gate-scan', 'FAILED') as unknown as { detail: { 'additional-information': { phases: unknown } } };
      event.detail['additional-information'].phases = phases;
      const read = classifyGateEvent(event, options);
      expect(read).toMatchObject({ kind: 'scanBuildFinished', status: 'FAILED' });
      expect(read).not.toHaveProperty('failedPhase');
    }
  });
});
