import { exposureFromLaunch } from '../../../functions/core/taskdef/exposure';

describe('exposureFromLaunch', () => {
  const ip = (value: boolean) => ({ publicIp: { value, source: 'from the RunTask call' } });

  it('a public IP makes the task public, whatever fronts it, and names the fact', () => {
    expect(exposureFromLaunch(ip(true), 'none')).toEqual({ value: 'public', source: 'a public IP is assigned (from the RunTask call)' });
    expect(exposureFromLaunch(ip(true), 'some')).toEqual({ value: 'public', source: 'a public IP is assigned (from the RunTask call)' });
  });

  it('no public IP and no load balancer make it internal', () => {
    expect(exposureFromLaunch(ip(false), 'none')).toEqual({ value: 'internal', source: 'no public IP (from the RunTask call) and no load balancer' });
  });

  it('is not known when a load balancer may face the internet, when the public IP is unknown, or when load balancing is unknown', () => {
    expect(exposureFromLaunch(ip(false), 'some')).toBeUndefined();
    expect(exposureFromLaunch(ip(false), undefined)).toBeUndefined();
    expect(exposureFromLaunch({ execCommand: { value: true, source: 'x' } }, 'none')).toBeUndefined();
    expect(exposureFromLaunch(undefined, 'none')).toBeUndefined();
  });
});
