import { buildRuntime } from '../../functions/handlers/runtime';
import { errorMayBeRetried, isReusable, newScanRecord, verdictLifetimeMs } from '../../functions/handlers/scans';
import { createWorld, policyOf } from './support/fakes';
import { digestOf } from './support/scenario';

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
});

describe('verdict lifetimes', () => {
  it('keeps digest verdicts for days and tag-reference verdicts for an hour', () => {
    expect(verdictLifetimeMs(rt, digestOf('x'))).toBe(30 * 86_400_000);
    expect(verdictLifetimeMs(rt, `ref-${'a'.repeat(64)}`)).toBe(3_600_000);
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
