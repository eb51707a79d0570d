import { DescribeServicesCommand, ECSClient, type DescribeServicesCommandOutput } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { join } from 'node:path';
import { EcsServiceExposure } from '../../functions/adapters/ecs-service-exposure';
import { exposureOfService } from '../../functions/core/posture/service-exposure';
import { CONFORMANCE_DIR, describeWithConformance, readConformanceJson } from '../support/conformance';
import { awsError } from './sample-data';

const ecsMock = mockClient(ECSClient);
const port = new EcsServiceExposure({ client: new ECSClient({ region: 'eu-west-1' }) });
const CLUSTER = 'arn:aws:ecs:eu-west-1:123456789012:cluster/prod';
const awsvpc = (assignPublicIp?: 'ENABLED' | 'DISABLED') => ({ awsvpcConfiguration: { subnets: ['subnet-1'], ...(assignPublicIp ? { assignPublicIp } : {}) } });

beforeEach(() => ecsMock.reset());

describe('EcsServiceExposure.describeServiceNetworks', () => {
  it('asks DescribeServices for the cluster\'s services in one call and reads load balancers and assignPublicIp', async () => {
    ecsMock.on(DescribeServicesCommand).resolves({
      services: [
        { serviceName: 'web', status: 'ACTIVE', loadBalancers: [{ targetGroupArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/1', containerName: 'web', containerPort: 80 }], networkConfiguration: awsvpc('DISABLED') },
        { serviceName: 'worker', status: 'ACTIVE', loadBalancers: [], networkConfiguration: awsvpc() },
      ],
      failures: [],
    });
    expect(await port.describeServiceNetworks(CLUSTER, ['web', 'worker'])).toEqual([
      { service: 'web', loadBalancers: 1, awsvpc: true, assignPublicIp: 'DISABLED' },
      { service: 'worker', loadBalancers: 0, awsvpc: true },
    ]);
    expect(ecsMock).toHaveReceivedCommandTimes(DescribeServicesCommand, 1);
    expect(ecsMock).toHaveReceivedCommandWith(DescribeServicesCommand, { cluster: CLUSTER, services: ['web', 'worker'] });
  });

  it('leaves out a service missing from the answer (failures MISSING) and an INACTIVE one', async () => {
    ecsMock.on(DescribeServicesCommand).resolves({
      services: [
        { serviceName: 'web', status: 'ACTIVE', loadBalancers: [], networkConfiguration: awsvpc('ENABLED') },
        { serviceName: 'old', status: 'INACTIVE', loadBalancers: [], networkConfiguration: awsvpc('DISABLED') },
      ],
      failures: [{ arn: 'arn:aws:ecs:eu-west-1:123456789012:service/prod/gone', reason: 'MISSING' }],
    } satisfies Partial<DescribeServicesCommandOutput>);
    expect((await port.describeServiceNetworks(CLUSTER, ['web', 'old', 'gone'])).map((network) => network.service)).toEqual(['web']);
  });

  it('passes a failed call on to the caller (which keeps the exposure unknown)', async () => {
    ecsMock.on(DescribeServicesCommand).rejects(awsError('AccessDeniedException', 'not authorized to perform: ecs:DescribeServices'));
    await expect(port.describeServiceNetworks(CLUSTER, ['web'])).rejects.toThrow(/ecs:DescribeServices/);
  });

  it('refuses more than 10 services in one call and makes no call for none', async () => {
    await expect(port.describeServiceNetworks(CLUSTER, Array.from({ length: 11 }, (_, n) => `svc-${n}`))).rejects.toThrow(RangeError);
    expect(await port.describeServiceNetworks(CLUSTER, [])).toEqual([]);
    expect(ecsMock).toHaveReceivedCommandTimes(DescribeServicesCommand, 0);
  });
});

describeWithConformance('EcsServiceExposure on AWS\'s own service examples', () => {
  it('reads the AWS CLI create-service Fargate example (same Service shape as DescribeServices) as public by its public IP', async () => {
    const created = readConformanceJson(join(CONFORMANCE_DIR, 'ecs-api', 'awscli-example-create-service-fargate.json')) as { service: NonNullable<DescribeServicesCommandOutput['services']>[number] };
    ecsMock.on(DescribeServicesCommand).resolves({ services: [created.service], failures: [] });
    const [network] = await port.describeServiceNetworks('arn:aws:ecs:us-west-2:123456789012:cluster/MyCluster', ['MyService']);
    expect(network).toEqual({ service: 'MyService', loadBalancers: 0, awsvpc: true, assignPublicIp: 'ENABLED' });
    expect(exposureOfService(network)?.value).toBe('public');
  });

  it('reads botocore\'s DescribeServices example (an EC2 service, no awsvpc configuration) as settling nothing', async () => {
    const examples = readConformanceJson(join(CONFORMANCE_DIR, 'ecs-api', 'botocore-ecs-2014-11-13-examples-1.json')) as { examples: { DescribeServices: { output: DescribeServicesCommandOutput }[] } };
    ecsMock.on(DescribeServicesCommand).resolves(examples.examples.DescribeServices[0].output);
    const [network] = await port.describeServiceNetworks('default', ['ecs-simple-service']);
    expect(network).toEqual({ service: 'ecs-simple-service', loadBalancers: 0, awsvpc: false });
    expect(exposureOfService(network)).toBeUndefined();
  });
});
