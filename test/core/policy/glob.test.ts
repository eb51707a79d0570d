import { clusterNames, compileGlobs, serviceNames } from '../../../functions/core/policy/glob';

describe('compileGlobs', () => {
  it('is undefined for no patterns, so "not given" is not "matches nothing"', () => {
    expect(compileGlobs(undefined)).toBeUndefined();
    expect(compileGlobs([])).toBeUndefined();
  });

  it('matches when any pattern matches any candidate, ignoring missing and empty candidates', () => {
    const match = compileGlobs(['prod-*', 'payments'])!;
    expect(match(['prod-eu'])).toBe(true);
    expect(match([undefined, 'payments'])).toBe(true);
    expect(match(['staging', undefined, ''])).toBe(false);
    expect(match([])).toBe(false);
  });

  it('keeps / as a separator (** crosses it) and matches leading dots', () => {
    const match = compileGlobs(['team/*'])!;
    expect(match(['team/app'])).toBe(true);
    expect(match(['team/app/sub'])).toBe(false);
    expect(compileGlobs(['team/**'])!(['team/app/sub'])).toBe(true);
    expect(compileGlobs(['*'])!(['.hidden'])).toBe(true);
  });

  it('is case-sensitive unless asked', () => {
    expect(compileGlobs(['*.AMAZONAWS.COM'])!(['x.amazonaws.com'])).toBe(false);
    expect(compileGlobs(['*.AMAZONAWS.COM'], { nocase: true })!(['x.amazonaws.com'])).toBe(true);
  });
});

describe('clusterNames / serviceNames', () => {
  it('gives the short name and the ARN of a cluster', () => {
    expect(clusterNames('arn:aws:ecs:eu-west-1:123456789012:cluster/prod')).toEqual(['prod', 'arn:aws:ecs:eu-west-1:123456789012:cluster/prod']);
    expect(clusterNames('arn:aws-cn:ecs:cn-north-1:123456789012:cluster/prod')).toEqual(['prod', 'arn:aws-cn:ecs:cn-north-1:123456789012:cluster/prod']);
    expect(clusterNames('prod')).toEqual(['prod']);
    expect(clusterNames(undefined)).toEqual([]);
  });

  it('gives the service name from a name, a task group, and both ARN formats', () => {
    expect(serviceNames('web')).toEqual(['web']);
    expect(serviceNames('service:web')).toEqual(['web', 'service:web']);
    expect(serviceNames('arn:aws:ecs:eu-west-1:123456789012:service/prod/web')[0]).toBe('web');
    expect(serviceNames('arn:aws:ecs:eu-west-1:123456789012:service/web')[0]).toBe('web');
    expect(serviceNames(undefined)).toEqual([]);
  });
});
