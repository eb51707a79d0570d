import { ContinueServiceDeploymentCommand, DescribeServiceDeploymentsCommand, ECSClient, ListServiceDeploymentsCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { EcsGate } from '../../functions/adapters/ecs';

const ecsMock = mockClient(ECSClient);
const gate = () => new EcsGate({ client: new ECSClient({ region: 'eu-west-1' }) });
const DEPLOYMENT = 'arn:aws:ecs:eu-west-1:123456789012:service-deployment/prod/web/EZe5RNVLH6PPzHXINuP28';
const SERVICE = 'arn:aws:ecs:eu-west-1:123456789012:service/prod/web';
const REVISION = 'arn:aws:ecs:eu-west-1:123456789012:service-revision/prod/web/9313423515462893900';

/**
 * DescribeServiceDeployments output with `lifecycleHookDetails`, in the shape of the example in "Pause hooks for Amazon
 * ECS service deployments" (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/pause-lifecycle-hooks.html) and
 * API_DeploymentLifecycleHookDetail; a Lambda hook beside it (both may sit on one stage, deployment-lifecycle-hooks).
 */
const described = {
  serviceDeployments: [
    {
      serviceDeploymentArn: DEPLOYMENT,
      serviceArn: SERVICE,
      clusterArn: 'arn:aws:ecs:eu-west-1:123456789012:cluster/prod',
      status: 'IN_PROGRESS' as const,
      lifecycleStage: 'PRE_SCALE_UP' as const,
      targetServiceRevision: { arn: REVISION, requestedTaskCount: 2, runningTaskCount: 0, pendingTaskCount: 0 },
      lifecycleHookDetails: [
        { hookId: 'ecs-lambda-abc', targetType: 'AWS_LAMBDA' as const, targetArn: 'arn:aws:lambda:eu-west-1:123456789012:function:other', status: 'SUCCEEDED' as const },
        { hookId: 'ecs-pause-e7tK9G_WRJqNF_EOMjztDXfKenlJuEUVjsNStf4WLKw', targetType: 'PAUSE' as const, status: 'AWAITING_ACTION' as const, expiresAt: new Date('2024-01-15T12:00:00Z'), timeoutAction: 'ROLLBACK' as const },
      ],
    },
  ],
  failures: [],
};

beforeEach(() => ecsMock.reset());

describe('EcsGate PAUSE-hook calls', () => {
  it('reads the PAUSE hooks of a named deployment from lifecycleHookDetails, leaving Lambda hooks out', async () => {
    ecsMock.on(DescribeServiceDeploymentsCommand).resolves(described);
    expect(await gate().describePausedDeployments({ serviceDeploymentArn: DEPLOYMENT })).toEqual([
      {
        serviceDeploymentArn: DEPLOYMENT,
        serviceArn: SERVICE,
        clusterArn: 'arn:aws:ecs:eu-west-1:123456789012:cluster/prod',
        status: 'IN_PROGRESS',
        lifecycleStage: 'PRE_SCALE_UP',
        targetServiceRevisionArn: REVISION,
        pauseHooks: [{ hookId: 'ecs-pause-e7tK9G_WRJqNF_EOMjztDXfKenlJuEUVjsNStf4WLKw', status: 'AWAITING_ACTION', expiresAt: '2024-01-15T12:00:00.000Z', timeoutAction: 'ROLLBACK' }],
      },
    ]);
    expect(ecsMock).toHaveReceivedCommandWith(DescribeServiceDeploymentsCommand, { serviceDeploymentArns: [DEPLOYMENT] });
    expect(ecsMock).not.toHaveReceivedCommand(ListServiceDeploymentsCommand);
  });

  it("lists a service's deployments IN_PROGRESS when the event names only the service", async () => {
    ecsMock.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [{ serviceDeploymentArn: DEPLOYMENT, serviceArn: SERVICE, status: 'IN_PROGRESS' }] });
    ecsMock.on(DescribeServiceDeploymentsCommand).resolves(described);
    expect(await gate().describePausedDeployments({ serviceArn: SERVICE })).toHaveLength(1);
    expect(ecsMock).toHaveReceivedCommandWith(ListServiceDeploymentsCommand, { cluster: 'prod', service: 'web', status: ['IN_PROGRESS'] });
  });

  it('asks nothing more when the service has no deployment in progress', async () => {
    ecsMock.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [] });
    expect(await gate().describePausedDeployments({ serviceArn: SERVICE })).toEqual([]);
    expect(ecsMock).not.toHaveReceivedCommand(DescribeServiceDeploymentsCommand);
  });

  it('leaves out a deployment ECS reports as a failure (not found)', async () => {
    ecsMock.on(DescribeServiceDeploymentsCommand).resolves({ serviceDeployments: [], failures: [{ arn: DEPLOYMENT, reason: 'MISSING' }] });
    expect(await gate().describePausedDeployments({ serviceDeploymentArn: DEPLOYMENT })).toEqual([]);
  });

  it('sends ContinueServiceDeployment with the deployment, the hook and the action', async () => {
    ecsMock.on(ContinueServiceDeploymentCommand).resolves({ serviceDeploymentArn: DEPLOYMENT });
    await gate().continueServiceDeployment(DEPLOYMENT, 'ecs-pause-e7tK9G_WRJqNF_EOMjztDXfKenlJuEUVjsNStf4WLKw', 'ROLLBACK');
    expect(ecsMock).toHaveReceivedCommandWith(ContinueServiceDeploymentCommand, {
      serviceDeploymentArn: DEPLOYMENT,
      hookId: 'ecs-pause-e7tK9G_WRJqNF_EOMjztDXfKenlJuEUVjsNStf4WLKw',
      action: 'ROLLBACK',
    });
  });

  it('lets a refusal through for the caller to classify', async () => {
    ecsMock.on(ContinueServiceDeploymentCommand).rejects(Object.assign(new Error('not awaiting action'), { name: 'InvalidParameterException', $fault: 'client' }));
    await expect(gate().continueServiceDeployment(DEPLOYMENT, 'h', 'CONTINUE')).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });
});
