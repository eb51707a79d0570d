import {
  SCAN_OUTGREW_COMPUTE_EXIT_STATUS,
  computeFallback,
  computeFallbackReason,
  exitStatusOfFailedPhase,
  exitStatusOfPhaseContext,
  failedPhaseOf,
  phaseContextOfEventString,
} from '../../../functions/core/gate/compute-fallback';

describe('computeFallbackReason', () => {
  it('moves a Lambda-compute scan that timed out to EC2 compute, whatever the phase', () => {
    expect(computeFallbackReason({ status: 'TIMED_OUT' }, undefined, true)).toContain('timed out on Lambda compute');
    expect(computeFallbackReason({ status: 'TIMED_OUT', failedPhase: 'BUILD' }, 'scanProject', true)).toContain('15 minutes');
  });

  it('moves a build that FAILED or FAULTed in BUILD with the reserved exit status 75 (Trivy out of memory, /tmp or time)', () => {
    expect(SCAN_OUTGREW_COMPUTE_EXIT_STATUS).toBe(75);
    expect(computeFallbackReason({ status: 'FAILED', failedPhase: 'BUILD', failedPhaseExitStatus: 75 }, undefined, true)).toContain('FAILED in its BUILD phase on Lambda compute with exit status 75');
    expect(computeFallbackReason({ status: 'FAULT', failedPhase: 'BUILD', failedPhaseExitStatus: 75 }, 'scanProject', true)).toContain('FAULT in its BUILD phase');
  });

  // Review of issue 9, item 4: every BUILD failure moved, so a missing image, a refused pull, a 429 or a report over the
  // size limit ran twice, and its waiters waited for the EC2 build before onScanError decided.
  it.each<[string, number | undefined]>([
    ['an ordinary scan failure (Trivy exits 1: image missing, pull refused, 429)', 1],
    ['the evaluator refusing the report (exit 2)', 2],
    ['AssumeRole refused (the AWS CLI exits 254)', 254],
    ['a killed command outside the scan step\'s mapping (137)', 137],
    ['a phase context with no exit status', undefined],
  ])('keeps a BUILD failure with %s a scan error', (_what, failedPhaseExitStatus) => {
    for (const status of ['FAILED', 'FAULT'] as const) {
      expect(computeFallbackReason({ status, failedPhase: 'BUILD', ...(failedPhaseExitStatus !== undefined ? { failedPhaseExitStatus } : {}) }, undefined, true)).toBeUndefined();
    }
  });

  it('moves a build that FAILED or FAULTed in UPLOAD_ARTIFACTS (a refused report upload), whatever its exit status', () => {
    expect(computeFallbackReason({ status: 'FAILED', failedPhase: 'UPLOAD_ARTIFACTS' }, undefined, true)).toContain('UPLOAD_ARTIFACTS');
    expect(computeFallbackReason({ status: 'FAULT', failedPhase: 'UPLOAD_ARTIFACTS', failedPhaseExitStatus: 1 }, undefined, true)).toContain('UPLOAD_ARTIFACTS');
  });

  it('keeps the reserved status outside BUILD a scan error (INSTALL and PRE_BUILD fail on EC2 the same way)', () => {
    for (const failedPhase of ['INSTALL', 'PRE_BUILD', 'POST_BUILD']) {
      expect(computeFallbackReason({ status: 'FAILED', failedPhase, failedPhaseExitStatus: 75 }, undefined, true)).toBeUndefined();
    }
  });

  it('keeps failures EC2 compute would share, or whose phase is unknown, as scan errors', () => {
    for (const failedPhase of ['INSTALL', 'PRE_BUILD', 'PROVISIONING', 'DOWNLOAD_SOURCE', undefined]) {
      expect(computeFallbackReason({ status: 'FAILED', ...(failedPhase ? { failedPhase } : {}) }, undefined, true)).toBeUndefined();
    }
  });

  it('never falls back for a success, a stopped build, a scan already on EC2, or a stack without a fallback project', () => {
    expect(computeFallbackReason({ status: 'SUCCEEDED' }, undefined, true)).toBeUndefined();
    expect(computeFallbackReason({ status: 'STOPPED', failedPhase: 'BUILD' }, undefined, true)).toBeUndefined();
    expect(computeFallbackReason({ status: 'STOPPED', failedPhase: 'BUILD', failedPhaseExitStatus: 75 }, undefined, true)).toBeUndefined();
    expect(computeFallbackReason({ status: 'TIMED_OUT' }, 'ec2Fallback', true)).toBeUndefined();
    expect(computeFallbackReason({ status: 'FAILED', failedPhase: 'BUILD', failedPhaseExitStatus: 75 }, 'ec2Fallback', true)).toBeUndefined();
    expect(computeFallbackReason({ status: 'FAILED', failedPhase: 'BUILD', failedPhaseExitStatus: 75 }, undefined, false)).toBeUndefined();
    expect(computeFallbackReason({ status: 'TIMED_OUT' }, undefined, false)).toBeUndefined();
  });
});

describe('computeFallback', () => {
  it.each([
    [{ status: 'TIMED_OUT' }, 'timed-out'],
    [{ status: 'TIMED_OUT', failedPhase: 'BUILD' }, 'timed-out'],
    [{ status: 'FAILED', failedPhase: 'BUILD', failedPhaseExitStatus: 75 }, 'failed-phase'],
    [{ status: 'FAULT', failedPhase: 'UPLOAD_ARTIFACTS' }, 'failed-phase'],
  ] as const)('names the cause of %j: %s (the dimension of ScanComputeFallbacks)', (build, cause) => {
    const fallback = computeFallback(build, undefined, true);
    expect(fallback?.cause).toBe(cause);
    expect(fallback?.reason).toBe(computeFallbackReason(build, undefined, true));
  });

  it('is undefined where no fallback happens', () => {
    expect(computeFallback({ status: 'FAILED', failedPhase: 'INSTALL' }, undefined, true)).toBeUndefined();
    expect(computeFallback({ status: 'FAILED', failedPhase: 'BUILD', failedPhaseExitStatus: 1 }, undefined, true)).toBeUndefined();
    expect(computeFallback({ status: 'TIMED_OUT' }, 'ec2Fallback', true)).toBeUndefined();
  });
});

describe('failedPhaseOf', () => {
  it('is the first phase whose status is not SUCCEEDED', () => {
    expect(failedPhaseOf([{ type: 'SUBMITTED', status: 'SUCCEEDED' }, { type: 'BUILD', status: 'TIMED_OUT' }, { type: 'UPLOAD_ARTIFACTS', status: 'FAILED' }, { type: 'COMPLETED' }])).toBe('BUILD');
  });

  it('skips entries without a type or a status, and finds none in a build that never failed', () => {
    expect(failedPhaseOf([{ type: 'COMPLETED' }, { status: 'FAILED' }, { type: '', status: 'FAILED' }])).toBeUndefined();
    expect(failedPhaseOf([{ type: 'BUILD', status: 'SUCCEEDED' }])).toBeUndefined();
    expect(failedPhaseOf([])).toBeUndefined();
  });
});

/** CodeBuild's message for a failed buildspec command: its text, then the status (awslabs/aws-deployment-framework#471). */
const failedCommand = (command: string, status: string) => `Error while executing command: ${command}. Reason: exit status ${status}`;
const SCAN_STEP = '(\n  set -euo pipefail\n  mkdir -p "$GATE_OUT_DIR"\n  "$GATE_BIN_DIR/trivy" image -- "$IMAGE_REF"\n)';

describe('exitStatusOfPhaseContext', () => {
  it.each<[string, { statusCode?: string; message?: string }, number | undefined]>([
    ['the reserved status after a multi-line command', { statusCode: 'COMMAND_EXECUTION_ERROR', message: failedCommand(SCAN_STEP, '75') }, 75],
    ['an ordinary failure', { statusCode: 'COMMAND_EXECUTION_ERROR', message: failedCommand('mvn package', '1') }, 1],
    ['status 0 (never a failure, but read as written)', { statusCode: 'COMMAND_EXECUTION_ERROR', message: failedCommand('true', '0') }, 0],
    ['the highest status', { statusCode: 'COMMAND_EXECUTION_ERROR', message: failedCommand('x', '255') }, 255],
    ['a message without a status code (BatchGetBuilds may omit it)', { message: failedCommand('x', '75') }, 75],
    ['trailing ASCII white space', { statusCode: 'COMMAND_EXECUTION_ERROR', message: `${failedCommand('x', '75')} \n` }, 75],
    // Where the status appears: only at the end. The command's text comes first and may hold anything.
    ['"exit status 75" inside the command text (an image name), the real status 1 at the end', { statusCode: 'COMMAND_EXECUTION_ERROR', message: failedCommand('trivy image -- reg.example/exit status 75:1', '1') }, 1],
    ['"Reason: exit status 75" inside the command text, followed by more text', { statusCode: 'COMMAND_EXECUTION_ERROR', message: 'Error while executing command: echo Reason: exit status 75; false. Reason: signal: killed' }, undefined],
    ['a status that is not at the end', { statusCode: 'COMMAND_EXECUTION_ERROR', message: `${failedCommand('x', '75')} (and more)` }, undefined],
    ['another status code (a CodeBuild error, not a command\'s exit)', { statusCode: 'CLIENT_ERROR', message: failedCommand('x', '75') }, undefined],
    ['a status over 255', { statusCode: 'COMMAND_EXECUTION_ERROR', message: failedCommand('x', '375') }, undefined],
    ['a status of four digits', { statusCode: 'COMMAND_EXECUTION_ERROR', message: failedCommand('x', '1075') }, undefined],
    ['a leading zero', { statusCode: 'COMMAND_EXECUTION_ERROR', message: failedCommand('x', '075') }, undefined],
    ['a negative status', { statusCode: 'COMMAND_EXECUTION_ERROR', message: failedCommand('x', '-75') }, undefined],
    ['full-width digits', { statusCode: 'COMMAND_EXECUTION_ERROR', message: failedCommand('x', '\uff17\uff15') }, undefined],
    ['Arabic-Indic digits', { statusCode: 'COMMAND_EXECUTION_ERROR', message: failedCommand('x', '\u0667\u0665') }, undefined],
    ['a right-to-left override after the status', { statusCode: 'COMMAND_EXECUTION_ERROR', message: `${failedCommand('x', '75')}\u202e` }, undefined],
    ['a non-breaking space after the status', { statusCode: 'COMMAND_EXECUTION_ERROR', message: `${failedCommand('x', '75')}\u00a0` }, undefined],
    ['a zero-width space inside the words', { statusCode: 'COMMAND_EXECUTION_ERROR', message: 'Error while executing command: x. Reason: exit\u200bstatus 75' }, undefined],
    ['an empty message', { statusCode: 'COMMAND_EXECUTION_ERROR', message: '' }, undefined],
    ['no message', { statusCode: 'COMMAND_EXECUTION_ERROR' }, undefined],
    ['a succeeded phase\'s empty context', { statusCode: '', message: '' }, undefined],
  ])('%s', (_what, context, expected) => {
    expect(exitStatusOfPhaseContext(context)).toBe(expected);
  });

  it('reads a huge message by its end only, whatever it repeats before', () => {
    const noise = 'exit status 75 Reason: exit status 75 \u{1F4A5}'.repeat(200_000);
    expect(exitStatusOfPhaseContext({ statusCode: 'COMMAND_EXECUTION_ERROR', message: failedCommand(noise, '1') })).toBe(1);
    expect(exitStatusOfPhaseContext({ statusCode: 'COMMAND_EXECUTION_ERROR', message: `${noise}${' '.repeat(1_000_000)}` })).toBeUndefined();
    expect(exitStatusOfPhaseContext({ statusCode: 'COMMAND_EXECUTION_ERROR', message: failedCommand(noise, '75') })).toBe(75);
  });
});

describe('phaseContextOfEventString', () => {
  it('splits the event\'s "<statusCode>: <message>" at the first ": "', () => {
    // A real Build State Change's BUILD phase context (code corpus id 40355135610).
    expect(phaseContextOfEventString('COMMAND_EXECUTION_ERROR: Error while executing command: mvn package. Reason: exit status 1')).toEqual({
      statusCode: 'COMMAND_EXECUTION_ERROR',
      message: 'Error while executing command: mvn package. Reason: exit status 1',
    });
    expect(phaseContextOfEventString(': ')).toEqual({ statusCode: '', message: '' });
    expect(phaseContextOfEventString('no separator')).toEqual({ message: 'no separator' });
  });
});

describe('exitStatusOfFailedPhase', () => {
  const context = (status: string) => ({ statusCode: 'COMMAND_EXECUTION_ERROR', message: failedCommand('x', status) });

  it('is the status the first failed phase\'s context reports, not a later phase\'s', () => {
    expect(
      exitStatusOfFailedPhase([
        { type: 'PRE_BUILD', status: 'SUCCEEDED', contexts: [{ statusCode: '', message: '' }] },
        { type: 'BUILD', status: 'FAILED', contexts: [context('75')] },
        { type: 'POST_BUILD', status: 'FAILED', contexts: [context('1')] },
      ]),
    ).toBe(75);
    expect(exitStatusOfFailedPhase([{ type: 'BUILD', status: 'FAILED', contexts: [context('1')] }, { type: 'UPLOAD_ARTIFACTS', status: 'FAILED', contexts: [context('75')] }])).toBe(1);
  });

  it('knows none when the failed phase has no context, no readable one, or contexts that disagree', () => {
    expect(exitStatusOfFailedPhase([{ type: 'BUILD', status: 'FAILED' }])).toBeUndefined();
    expect(exitStatusOfFailedPhase([{ type: 'BUILD', status: 'FAILED', contexts: [{ statusCode: 'CLIENT_ERROR', message: 'x' }] }])).toBeUndefined();
    expect(exitStatusOfFailedPhase([{ type: 'BUILD', status: 'FAILED', contexts: [context('75'), context('1')] }])).toBeUndefined();
    expect(exitStatusOfFailedPhase([{ type: 'BUILD', status: 'FAILED', contexts: [context('75'), context('75'), { message: 'unrelated' }] }])).toBe(75);
    expect(exitStatusOfFailedPhase([{ type: 'BUILD', status: 'SUCCEEDED', contexts: [context('75')] }])).toBeUndefined();
  });
});
