import { buildRuntime } from '../../../functions/handlers/runtime';
import { SCAN_ERROR_MAX_RETRY_MS } from '../../../functions/core/gate/backoff';
import { errorMayBeRetried, isReusable, newScanRecord, scanErrorBackoff, scanFailure, scanTime, verdictLifetimeMs } from '../../../functions/handlers/scans/scan-records';
import { createWorld, policyOf } from '../support/fakes';
import { digestOf } from '../support/scenario';

const world = createWorld();
const rt = buildRuntime(world.deps(policyOf({ maxScanAge: '7d' })));
const hoursAgo = (hours: number) => new Date(world.clock.now().getTime() - hours * 3_600_000).toISOString();
const record = (startedAt: string, digest = digestOf('x')) => ({ ...newScanRecord(rt, digest, 'nginx@sha256:x'), state: 'done' as const, startedAt });

describe('newScanRecord', () => {
  it('claims a queued scan with a start lease and a deadline for getting started', () => {
    expect(newScanRecord(rt, digestOf('x'), 'ref')).toMatchObject({
      state: 'queued',
      attempts: 0,
      startedAt: '2026-01-05T09:00:00.000Z',
      retryAt: '2026-01-05T09:02:00.000Z',
      deadline: '2026-01-05T11:00:00.000Z',
    });
  });

  it('carries the failures of the error record it replaces, and only of an error record', () => {
    const failed = { ...newScanRecord(rt, digestOf('x'), 'ref'), state: 'error' as const, attempts: 3 };
    expect(newScanRecord(rt, digestOf('x'), 'ref', failed).attempts).toBe(3);
    expect(newScanRecord(rt, digestOf('x'), 'ref', { ...failed, state: 'done' }).attempts).toBe(0);
    expect(newScanRecord(rt, digestOf('x'), 'ref', { ...failed, attempts: -2 }).attempts).toBe(0);
    expect(newScanRecord(rt, digestOf('x'), 'ref', { ...failed, attempts: Number.NaN }).attempts).toBe(0);
  });
});

describe('scanFailure', () => {
  const running = (attempts: number) => ({ ...newScanRecord(rt, digestOf('x'), 'ref'), state: 'running' as const, attempts });
  const waitMinutes = (attempts: number) => (Date.parse(scanFailure(rt, running(attempts), 'boom').retryAt as string) - world.clock.now().getTime()) / 60_000;

  it('marks the scan failed with one more attempt and the error text', () => {
    expect(scanFailure(rt, running(0), 'pull denied')).toMatchObject({ state: 'error', error: 'pull denied', attempts: 1 });
    expect(scanFailure(rt, running(4), 'pull denied').attempts).toBe(5);
  });

  it('backs off from ten minutes, doubling per failure in a row, up to six hours (jitter 0.5 of a quarter: 87.5 %)', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 40].map(waitMinutes)).toEqual([8.75, 17.5, 35, 70, 140, 280, 315, 315, 315]);
  });

  it('starts from scanErrorRetryMinutes, and never caps below it', () => {
    const quick = buildRuntime(world.deps(policyOf(), { scanErrorRetryMinutes: 0 }));
    expect(scanFailure(quick, running(5), 'boom').retryAt).toBe(world.clock.now().toISOString());
    const slow = buildRuntime(world.deps(policyOf(), { scanErrorRetryMinutes: 12 * 60 }));
    expect(scanErrorBackoff(slow)).toMatchObject({ baseMs: 12 * 3_600_000, maxMs: 12 * 3_600_000 });
    expect(scanErrorBackoff(rt)).toMatchObject({ baseMs: 10 * 60_000, maxMs: SCAN_ERROR_MAX_RETRY_MS });
  });
});

describe('verdict lifetimes', () => {
  it('keeps digest verdicts for days and tag-reference verdicts far shorter, but past the scan deadline and a sweep', () => {
    expect(verdictLifetimeMs(rt, digestOf('x'))).toBe(30 * 86_400_000);
    // Default deadline 30 min + longest sweep interval 60 min + 10 min of use: longer than the configured hour.
    expect(verdictLifetimeMs(rt, `ref-${'a'.repeat(64)}`)).toBe(100 * 60_000);
    const deployed = buildRuntime(world.deps(policyOf(), { scanTimeoutMinutes: 55, sweepIntervalMinutes: 5 }));
    expect(verdictLifetimeMs(deployed, `ref-${'a'.repeat(64)}`)).toBeGreaterThan((55 + 5) * 60_000);
  });
});

describe('scanTime', () => {
  const started = '2026-01-05T09:00:00.000Z';
  const now = Date.parse('2026-01-05T09:40:00Z');

  it('is the report\'s own time, not when the build was requested', () => {
    expect(new Date(scanTime('2026-01-05T09:35:00Z', started, '2026-01-05T09:38:00Z', now)).toISOString()).toBe('2026-01-05T09:35:00.000Z');
  });

  it('falls back to when the build ended, then to now', () => {
    expect(new Date(scanTime(undefined, started, '2026-01-05T09:38:00Z', now)).toISOString()).toBe('2026-01-05T09:38:00.000Z');
    expect(new Date(scanTime('not a time', started, undefined, now)).toISOString()).toBe('2026-01-05T09:40:00.000Z');
  });

  it('never predates the scan\'s start nor passes now, whatever the report claims', () => {
    expect(new Date(scanTime('2026-01-05T08:00:00Z', started, undefined, now)).toISOString()).toBe(started);
    expect(new Date(scanTime('2027-01-01T00:00:00Z', started, undefined, now)).toISOString()).toBe('2026-01-05T09:40:00.000Z');
    expect(new Date(scanTime('2026-01-05T09:10:00Z', 'garbage', undefined, now)).toISOString()).toBe('2026-01-05T09:10:00.000Z');
  });

  it('reuses a finished scan for another policy only while it is younger than both its lifetime and maxScanAge', () => {
    expect(isReusable(rt, record(hoursAgo(24)))).toBe(true);
    expect(isReusable(rt, record(hoursAgo(24 * 8)))).toBe(false);
    expect(isReusable(rt, record(hoursAgo(2), `ref-${'a'.repeat(64)}`))).toBe(false);
    expect(isReusable(rt, record('not a time'))).toBe(false);
  });
});

describe('errorMayBeRetried', () => {
  it('lets a failed scan be retried once its retry time passed, or at once without one', () => {
    const failed = { ...record(hoursAgo(1)), state: 'error' as const };
    expect(errorMayBeRetried(rt, { ...failed, retryAt: '2026-01-05T09:05:00Z' })).toBe(false);
    expect(errorMayBeRetried(rt, { ...failed, retryAt: '2026-01-05T09:00:00Z' })).toBe(true);
    expect(errorMayBeRetried(rt, { ...failed, retryAt: undefined })).toBe(true);
  });
});
