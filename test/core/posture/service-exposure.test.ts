import type { ServiceNetwork } from '../../../functions/core/posture/drift-ports';
import { exposureOfService, exposuresFound, serviceLookups, withServiceExposure } from '../../../functions/core/posture/service-exposure';
import { useContext } from '../../../functions/core/posture/use-context';
import { taskUse } from '../../support/inventory-test-double';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const PROD = 'arn:aws:ecs:eu-west-1:111122223333:cluster/prod';
const STAGE = 'arn:aws:ecs:eu-west-1:111122223333:cluster/stage';
const task = (n: number) => `arn:aws:ecs:eu-west-1:111122223333:task/prod/${String(n).padStart(32, '0')}`;
const network = (service: string, overrides: Partial<ServiceNetwork> = {}): ServiceNetwork => ({ service, loadBalancers: 0, awsvpc: true, assignPublicIp: 'DISABLED', ...overrides });

describe('exposureOfService: what a DescribeServices answer says of a service\'s tasks', () => {
  it('is public with a public IP, naming assignPublicIp as the source', () => {
    expect(exposureOfService(network('web', { assignPublicIp: 'ENABLED' }))).toEqual({ value: 'public', source: 'DescribeServices networkConfiguration.awsvpcConfiguration.assignPublicIp ENABLED' });
  });

  it('is public behind a load balancer even without a public IP (its scheme is not read)', () => {
    expect(exposureOfService(network('web', { loadBalancers: 1 }))).toEqual({ value: 'public', source: 'DescribeServices loadBalancers' });
  });

  it('is internal with no load balancer and assignPublicIp DISABLED or absent (the API default)', () => {
    expect(exposureOfService(network('web'))?.value).toBe('internal');
    expect(exposureOfService({ service: 'web', loadBalancers: 0, awsvpc: true })?.value).toBe('internal');
  });

  it('settles nothing without an awsvpc configuration or with an assignPublicIp it does not know', () => {
    expect(exposureOfService({ service: 'web', loadBalancers: 0, awsvpc: false })).toBeUndefined();
    expect(exposureOfService(network('web', { assignPublicIp: 'SOMETIMES' }))).toBeUndefined();
  });
});

describe('serviceLookups: the DescribeServices calls a finding change needs', () => {
  it('asks once per cluster for the distinct services whose exposure is unknown, never for standalone tasks or known ones', () => {
    const uses = [
      taskUse(DIGEST, { taskArn: task(1), service: 'web' }),
      taskUse(DIGEST, { taskArn: task(2), service: 'web' }),
      taskUse(DIGEST, { taskArn: task(3), service: 'api', exposure: { value: 'public', source: 'RunTask' } }),
      taskUse(DIGEST, { taskArn: task(4), service: undefined }),
      taskUse(DIGEST, { taskArn: task(5), cluster: STAGE, service: 'web' }),
    ];
    expect(serviceLookups(uses)).toEqual({ lookups: [{ cluster: PROD, services: ['web'] }, { cluster: STAGE, services: ['web'] }], left: 0 });
  });

  it('batches 10 services per call and stops at the budget, counting the services left', () => {
    const uses = Array.from({ length: 25 }, (_, n) => taskUse(DIGEST, { taskArn: task(n), service: `svc-${String(n).padStart(2, '0')}` }));
    const { lookups, left } = serviceLookups(uses, 2);
    expect(lookups.map((lookup) => lookup.services.length)).toEqual([10, 10]);
    expect(left).toBe(5);
    expect(serviceLookups(uses).lookups.map((lookup) => lookup.services.length)).toEqual([10, 10, 5]);
  });
});

describe('withServiceExposure: the summary the finding event carries', () => {
  it('turns an unknown service task public and keeps a standalone task unknown, in the counts too', () => {
    const uses = [taskUse(DIGEST, { taskArn: task(1), service: 'web' }), taskUse(DIGEST, { taskArn: task(2), service: undefined })];
    const lookup = { cluster: PROD, services: ['web'] };
    const resolved = withServiceExposure(uses, exposuresFound(lookup, [network('web', { loadBalancers: 2 })]));
    expect(resolved[0].exposure).toEqual({ value: 'public', source: 'DescribeServices loadBalancers' });
    expect(resolved[1].exposure).toBeUndefined();
    expect(useContext(resolved)).toMatchObject({ exposure: 'public', exposureCounts: { public: 1, internal: 0, unknown: 1 } });
    expect(useContext(uses)).toMatchObject({ exposure: 'unknown', exposureCounts: { public: 0, internal: 0, unknown: 2 } });
  });

  it('makes the summary internal only when every service answered internal', () => {
    const uses = [taskUse(DIGEST, { taskArn: task(1), service: 'web' }), taskUse(DIGEST, { taskArn: task(2), service: 'api' })];
    const lookup = { cluster: PROD, services: ['api', 'web'] };
    const both = withServiceExposure(uses, exposuresFound(lookup, [network('web'), network('api')]));
    expect(useContext(both)).toMatchObject({ exposure: 'internal', exposureCounts: { public: 0, internal: 2, unknown: 0 } });
    // A service missing from the answer stays unknown, and so does the summary.
    const one = withServiceExposure(uses, exposuresFound(lookup, [network('web')]));
    expect(useContext(one)).toMatchObject({ exposure: 'unknown', exposureCounts: { public: 0, internal: 1, unknown: 1 } });
  });

  it('ignores an answer for a service it did not ask about, and never overrides a known exposure', () => {
    const known = { value: 'internal' as const, source: 'no public IP (RunTask) and no load balancer' };
    const uses = [taskUse(DIGEST, { taskArn: task(1), service: 'web', exposure: known })];
    const found = exposuresFound({ cluster: PROD, services: ['api'] }, [network('web', { assignPublicIp: 'ENABLED' })]);
    expect(found.size).toBe(0);
    expect(withServiceExposure(uses, new Map([[`${PROD}/web`, { value: 'public', source: 'x' }]]))[0].exposure).toEqual(known);
  });
});
