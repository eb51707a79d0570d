import { latestPausedAnswer } from '../../../functions/core/gate/pause-answer-deadline';

const T0 = Date.parse('2026-01-05T09:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
const limits = { scanTimeoutMinutes: 50, sweepIntervalMinutes: 5 };
const withFallback = { ...limits, fallbackScanTimeoutMinutes: 75 };

describe('the latest answer to a paused deployment waiting on scans', () => {
  it('is a running scan\'s deadline plus one sweep', () => {
    expect(latestPausedAnswer([{ state: 'running', deadline: at(50) }], limits)).toEqual(new Date(at(55)));
  });

  it('adds the EC2 fallback\'s deadline when the gate has one and the scan is not on it yet', () => {
    expect(latestPausedAnswer([{ state: 'running', deadline: at(50) }], withFallback)).toEqual(new Date(at(50 + 75 + 5)));
    expect(latestPausedAnswer([{ state: 'running', deadline: at(75), compute: 'ec2Fallback' }], withFallback)).toEqual(new Date(at(80)));
  });

  it('adds the build\'s own timeout to a queued scan\'s (queue) deadline', () => {
    expect(latestPausedAnswer([{ state: 'queued', deadline: at(120) }], limits)).toEqual(new Date(at(120 + 50 + 5)));
    expect(latestPausedAnswer([{ state: 'queued', deadline: at(30), compute: 'ec2Fallback' }], withFallback)).toEqual(new Date(at(30 + 75 + 5)));
  });

  it('takes the latest over several scans, skips an unreadable deadline, and is undefined for none', () => {
    expect(latestPausedAnswer([{ state: 'running', deadline: at(10) }, { state: 'running', deadline: 'soon' }, { state: 'running', deadline: at(40) }], limits)).toEqual(new Date(at(45)));
    expect(latestPausedAnswer([], limits)).toBeUndefined();
    expect(latestPausedAnswer([{ state: 'running', deadline: '' }], limits)).toBeUndefined();
  });
});
