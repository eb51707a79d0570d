import { computeFallback, computeFallbackReason, failedPhaseOf } from '../../../functions/core/gate/compute-fallback';

describe('computeFallbackReason', () => {
  it('moves a Lambda-compute scan that timed out to EC2 compute, whatever the phase', () => {
    expect(computeFallbackReason({ status: 'TIMED_OUT' }, undefined, true)).toContain('timed out on Lambda compute');
    expect(computeFallbackReason({ status: 'TIMED_OUT', failedPhase: 'BUILD' }, 'scanProject', true)).toContain('15 minutes');
  });

  it('moves a build that FAILED or FAULTed in BUILD or UPLOAD_ARTIFACTS (out of /tmp, memory, a refused upload)', () => {
    expect(computeFallbackReason({ status: 'FAILED', failedPhase: 'BUILD' }, undefined, true)).toContain('FAILED in its BUILD phase');
    expect(computeFallbackReason({ status: 'FAULT', failedPhase: 'BUILD' }, undefined, true)).toContain('FAULT in its BUILD phase');
    expect(computeFallbackReason({ status: 'FAILED', failedPhase: 'UPLOAD_ARTIFACTS' }, undefined, true)).toContain('UPLOAD_ARTIFACTS');
  });

  it('keeps failures EC2 compute would share, or whose phase is unknown, as scan errors', () => {
    for (const failedPhase of ['INSTALL', 'PRE_BUILD', 'PROVISIONING', 'DOWNLOAD_SOURCE', undefined]) {
      expect(computeFallbackReason({ status: 'FAILED', ...(failedPhase ? { failedPhase } : {}) }, undefined, true)).toBeUndefined();
    }
  });

  it('never falls back for a success, a stopped build, a scan already on EC2, or a stack without a fallback project', () => {
    expect(computeFallbackReason({ status: 'SUCCEEDED' }, undefined, true)).toBeUndefined();
    expect(computeFallbackReason({ status: 'STOPPED', failedPhase: 'BUILD' }, undefined, true)).toBeUndefined();
    expect(computeFallbackReason({ status: 'TIMED_OUT' }, 'ec2Fallback', true)).toBeUndefined();
    expect(computeFallbackReason({ status: 'TIMED_OUT' }, undefined, false)).toBeUndefined();
  });
});

describe('computeFallback', () => {
  it.each([
    [{ status: 'TIMED_OUT' }, 'timed-out'],
    [{ status: 'TIMED_OUT', failedPhase: 'BUILD' }, 'timed-out'],
    [{ status: 'FAILED', failedPhase: 'BUILD' }, 'failed-phase'],
    [{ status: 'FAULT', failedPhase: 'UPLOAD_ARTIFACTS' }, 'failed-phase'],
  ] as const)('names the cause of %j: %s (the dimension of ScanComputeFallbacks)', (build, cause) => {
    const fallback = computeFallback(build, undefined, true);
    expect(fallback?.cause).toBe(cause);
    expect(fallback?.reason).toBe(computeFallbackReason(build, undefined, true));
  });

  it('is undefined where no fallback happens', () => {
    expect(computeFallback({ status: 'FAILED', failedPhase: 'INSTALL' }, undefined, true)).toBeUndefined();
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
