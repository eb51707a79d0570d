import {
  ConflictException,
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  type DescribeTasksCommandOutput,
  type ServiceDeploymentBrief,
  InvalidParameterException,
  ListServiceDeploymentsCommand,
  ServerException,
  StopServiceDeploymentCommand,
  StopTaskCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import 'aws-sdk-client-mock-jest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EcsGate, EcsTaskDefinitions, STOP_REASON_MAX_BYTES, sameTaskDefinition, truncateStopReason } from '../../functions/adapters/ecs';
import { InputError } from '../../functions/core/errors';
import { applyOverrides, parseTaskDefinition } from '../../functions/core/taskdef/parse';
import { CONFORMANCE_DIR, describeWithConformance } from '../support/conformance';
import { awsError } from './sample-data';
import { assertProperty } from '../support/property';

const ecsMock = mockClient(ECSClient);
const client = new ECSClient({ region: 'eu-west-1' });
const gate = new EcsGate({ client });

const CLUSTER = 'arn:aws:ecs:eu-west-1:123456789012:cluster/prod';
const TASK = 'arn:aws:ecs:eu-west-1:123456789012:task/prod/0123456789abcdef0123456789abcdef';
const DEPLOYMENT = 'arn:aws:ecs:eu-west-1:123456789012:service-deployment/prod/web/r9i43YFjvgF_xlg7m2eJ1r';

beforeEach(() => ecsMock.reset());

describe('stopTask', () => {
  it('sends StopTask with the cluster, the task and the reason as given', async () => {
    ecsMock.on(StopTaskCommand).resolves({ task: { taskArn: TASK, lastStatus: 'RUNNING', desiredStatus: 'STOPPED' } });
    await gate.stopTask(CLUSTER, TASK, 'fargate-gate: FAIL policy=prod rules=rootUser build=scan:1');
    expect(ecsMock).toHaveReceivedCommandTimes(StopTaskCommand, 1);
    expect(ecsMock).toHaveReceivedCommandWith(StopTaskCommand, {
      cluster: CLUSTER,
      task: TASK,
      reason: 'fargate-gate: FAIL policy=prod rules=rootUser build=scan:1',
    });
  });

  it('cuts a reason longer than 255 bytes on a character boundary', async () => {
    ecsMock.on(StopTaskCommand).resolves({});
    const reason = `fargate-gate: FAIL policy=${'ü'.repeat(300)}`;
    await gate.stopTask(CLUSTER, TASK, reason);
    const sent = ecsMock.commandCalls(StopTaskCommand)[0].args[0].input.reason!;
    expect(Buffer.byteLength(sent, 'utf8')).toBeLessThanOrEqual(STOP_REASON_MAX_BYTES);
    expect(sent.endsWith('...')).toBe(true);
    expect(reason.startsWith(sent.slice(0, -3))).toBe(true);
    expect(sent).not.toContain('\uFFFD');
  });

  it('treats "The referenced task was not found" (a task stopped long ago) as done', async () => {
    ecsMock.on(StopTaskCommand).rejects(new InvalidParameterException({ message: 'The referenced task was not found.', $metadata: {} }));
    await expect(gate.stopTask(CLUSTER, TASK, 'r')).resolves.toBeUndefined();
  });

  it('passes on other errors, including other InvalidParameterExceptions', async () => {
    ecsMock.on(StopTaskCommand).rejects(new InvalidParameterException({ message: 'Task Identifier is invalid', $metadata: {} }));
    await expect(gate.stopTask(CLUSTER, 'not-a-task', 'r')).rejects.toThrow('Task Identifier is invalid');
    ecsMock.on(StopTaskCommand).rejects(new ServerException({ message: 'internal', $metadata: {} }));
    await expect(gate.stopTask(CLUSTER, TASK, 'r')).rejects.toThrow('internal');
  });

  it('leaves a short reason alone and sends no empty reason', async () => {
    expect(truncateStopReason('x'.repeat(255))).toBe('x'.repeat(255));
    expect(truncateStopReason('x'.repeat(256))).toBe(`${'x'.repeat(252)}...`);
    ecsMock.on(StopTaskCommand).resolves({});
    await gate.stopTask(CLUSTER, TASK, '');
    expect(ecsMock.commandCalls(StopTaskCommand)[0].args[0].input).not.toHaveProperty('reason', '');
  });
});

describe('rollbackDeployment', () => {
  const SERVICE_ARN = 'arn:aws:ecs:eu-west-1:123456789012:service/prod/web';
  const BAD_TD = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:8';
  const OLD_TD = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:7';
  const FIX_TD = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:9';
  const revision = (id: string) => `arn:aws:ecs:eu-west-1:123456789012:service-revision/prod/web/${id}`;
  const BAD_REV = revision('5523974481308674092');
  const OLD_REV = revision('4412863370297563981');
  const CREATED = new Date('2026-01-05T08:50:00Z');
  const task = { cluster: CLUSTER, service: 'web', deploymentId: 'ecs-svc/5523974481308674092', taskDefinitionArn: BAD_TD };
  const OLD_DIGEST = `sha256:${'d'.repeat(64)}`;

  /** ECS as it stands during a rolling deployment of web:8 over web:7 (override any part per test). */
  function ecs(options: {
    deployments?: { id: string; status: string; taskDefinition: string; createdAt?: Date }[];
    serviceDeployment?: { status: string; sources?: { arn: string; requestedTaskCount?: number }[]; target?: string };
    listed?: { serviceDeploymentArn: string; status: string; createdAt: Date; targetServiceRevisionArn?: string }[];
    revisions?: Record<string, string>;
  } = {}) {
    ecsMock.on(DescribeServicesCommand).resolves({
      services: [
        {
          serviceName: 'web',
          serviceArn: SERVICE_ARN,
          status: 'ACTIVE',
          desiredCount: 2,
          deployments: options.deployments ?? [
            { id: task.deploymentId, status: 'PRIMARY', taskDefinition: BAD_TD, createdAt: CREATED },
            { id: 'ecs-svc/4412863370297563981', status: 'ACTIVE', taskDefinition: OLD_TD, createdAt: new Date('2026-01-01T00:00:00Z') },
          ],
        },
      ],
    });
    const serviceDeployment = options.serviceDeployment ?? { status: 'IN_PROGRESS', sources: [{ arn: OLD_REV, requestedTaskCount: 2 }] };
    ecsMock.on(ListServiceDeploymentsCommand).resolves({
      serviceDeployments: (options.listed ?? [{ serviceDeploymentArn: DEPLOYMENT, status: serviceDeployment.status, createdAt: CREATED, targetServiceRevisionArn: serviceDeployment.target ?? BAD_REV }]) as ServiceDeploymentBrief[],
    });
    ecsMock.on(DescribeServiceDeploymentsCommand).callsFake((input: { serviceDeploymentArns: string[] }) => ({
      serviceDeployments: input.serviceDeploymentArns.map((arn) =>
        arn === DEPLOYMENT
          ? { serviceDeploymentArn: arn, status: serviceDeployment.status, targetServiceRevision: { arn: serviceDeployment.target ?? BAD_REV }, sourceServiceRevisions: serviceDeployment.sources ?? [] }
          : { serviceDeploymentArn: arn, status: 'SUCCESSFUL', targetServiceRevision: { arn: revision(arn.slice(-4)) }, sourceServiceRevisions: [] },
      ),
    }));
    const revisions = options.revisions ?? { [BAD_REV]: BAD_TD, [OLD_REV]: OLD_TD };
    ecsMock.on(DescribeServiceRevisionsCommand).callsFake((input: { serviceRevisionArns: string[] }) => ({
      serviceRevisions: input.serviceRevisionArns
        .filter((arn) => revisions[arn])
        .map((arn) => ({
          serviceRevisionArn: arn,
          taskDefinition: revisions[arn],
          containerImages: [{ containerName: 'web', image: `123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/web:${revisions[arn].slice(-1)}`, imageDigest: OLD_DIGEST }],
        })),
      failures: input.serviceRevisionArns.filter((arn) => !revisions[arn]).map((arn) => ({ arn, reason: 'MISSING' })),
    }));
    ecsMock.on(StopServiceDeploymentCommand).resolves({ serviceDeploymentArn: DEPLOYMENT });
  }

  it('rolls back the deployment that started the task, with StopServiceDeployment ROLLBACK, after confirming it', async () => {
    ecs();
    expect(await gate.rollbackDeployment(task, 'image failed policy')).toEqual({ kind: 'rolledBack', deploymentArn: DEPLOYMENT });
    expect(ecsMock).toHaveReceivedCommandWith(DescribeServicesCommand, { cluster: CLUSTER, services: ['web'] });
    // Only service deployments created since the task's own are listed (a little earlier, for clocks).
    expect(ecsMock).toHaveReceivedCommandWith(ListServiceDeploymentsCommand, { cluster: CLUSTER, service: 'web', createdAt: { after: new Date(CREATED.getTime() - 15 * 60_000) } });
    expect(ecsMock).toHaveReceivedCommandWith(StopServiceDeploymentCommand, { serviceDeploymentArn: DEPLOYMENT, stopType: 'ROLLBACK' });
    expect(ecsMock).toHaveReceivedCommandTimes(StopServiceDeploymentCommand, 1);
  });

  it('leaves a newer deployment alone when the task\'s own was superseded (a fix is rolling out): only the task is to stop', async () => {
    ecs({
      deployments: [
        { id: 'ecs-svc/9999999999999999999', status: 'PRIMARY', taskDefinition: FIX_TD, createdAt: new Date('2026-01-05T08:53:00Z') },
        { id: task.deploymentId, status: 'ACTIVE', taskDefinition: BAD_TD, createdAt: CREATED },
      ],
    });
    expect(await gate.rollbackDeployment(task, 'r')).toEqual({ kind: 'superseded', by: 'ecs-svc/9999999999999999999' });
    expect(ecsMock).not.toHaveReceivedCommand(ListServiceDeploymentsCommand);
    expect(ecsMock).not.toHaveReceivedCommand(StopServiceDeploymentCommand);
  });

  it('does not confirm a task whose deployment id is none of the service\'s, or runs another task definition, or whose service does not exist', async () => {
    ecs();
    expect(await gate.rollbackDeployment({ ...task, deploymentId: 'ecs-svc/1' }, 'r')).toEqual({ kind: 'notInService', why: 'service web has no current deployment ecs-svc/1' });
    expect(await gate.rollbackDeployment({ ...task, taskDefinitionArn: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/tool:1' }, 'r')).toMatchObject({ kind: 'notInService' });
    ecsMock.on(DescribeServicesCommand).resolves({ services: [], failures: [{ arn: SERVICE_ARN, reason: 'MISSING' }] });
    expect(await gate.rollbackDeployment(task, 'r')).toMatchObject({ kind: 'notInService' });
    expect(ecsMock).not.toHaveReceivedCommand(ListServiceDeploymentsCommand);
    expect(ecsMock).not.toHaveReceivedCommand(StopServiceDeploymentCommand);
  });

  it('says nothing to roll back for a first deployment (no source revision), with the service\'s desired count', async () => {
    ecs({ serviceDeployment: { status: 'IN_PROGRESS', sources: [] } });
    expect(await gate.rollbackDeployment(task, 'r')).toEqual({ kind: 'nothingToRollBack', deploymentArn: DEPLOYMENT, desiredCount: 2 });
    expect(ecsMock).not.toHaveReceivedCommand(StopServiceDeploymentCommand);
  });

  it('reports a rollback already under way as done, without stopping again (a retried event)', async () => {
    ecs({ serviceDeployment: { status: 'ROLLBACK_IN_PROGRESS', sources: [{ arn: OLD_REV }] } });
    expect(await gate.rollbackDeployment(task, 'r')).toEqual({ kind: 'rolledBack', deploymentArn: DEPLOYMENT, repeated: true });
    expect(ecsMock).not.toHaveReceivedCommand(StopServiceDeploymentCommand);
  });

  it('reports a completed deployment with the revision it replaced: the one of its sources that ran the most tasks on another task definition', async () => {
    const SAME_REV = revision('1111111111111111111');
    const SMALL_REV = revision('2222222222222222222');
    ecs({
      serviceDeployment: { status: 'SUCCESSFUL', sources: [{ arn: SAME_REV, requestedTaskCount: 5 }, { arn: SMALL_REV, requestedTaskCount: 1 }, { arn: OLD_REV, requestedTaskCount: 2 }] },
      revisions: { [BAD_REV]: BAD_TD, [OLD_REV]: OLD_TD, [SAME_REV]: BAD_TD, [SMALL_REV]: FIX_TD },
    });
    expect(await gate.rollbackDeployment(task, 'r')).toEqual({
      kind: 'completed',
      deploymentArn: DEPLOYMENT,
      desiredCount: 2,
      previous: { serviceRevisionArn: OLD_REV, taskDefinitionArn: OLD_TD, containers: [{ name: 'web', image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/web:7', imageDigest: OLD_DIGEST }] },
    });
    expect(ecsMock).not.toHaveReceivedCommand(StopServiceDeploymentCommand);
  });

  it('reports a completed deployment without a previous revision when ECS no longer describes its source', async () => {
    ecs({ serviceDeployment: { status: 'SUCCESSFUL', sources: [{ arn: OLD_REV }] }, revisions: { [BAD_REV]: BAD_TD } });
    expect(await gate.rollbackDeployment(task, 'r')).toEqual({ kind: 'completed', deploymentArn: DEPLOYMENT, desiredCount: 2 });
  });

  it('matches the service deployment by the task definition its target revision runs, not by being the newest', async () => {
    const NEWER = `${DEPLOYMENT.slice(0, -4)}NEWR`;
    ecs({
      listed: [
        { serviceDeploymentArn: NEWER, status: 'IN_PROGRESS', createdAt: new Date('2026-01-05T08:55:00Z') },
        { serviceDeploymentArn: DEPLOYMENT, status: 'IN_PROGRESS', createdAt: CREATED },
      ],
      revisions: { [BAD_REV]: BAD_TD, [OLD_REV]: OLD_TD, [revision('NEWR')]: FIX_TD },
    });
    expect(await gate.rollbackDeployment(task, 'r')).toEqual({ kind: 'rolledBack', deploymentArn: DEPLOYMENT });
    expect(ecsMock).toHaveReceivedCommandWith(StopServiceDeploymentCommand, { serviceDeploymentArn: DEPLOYMENT });
    expect(ecsMock).toHaveReceivedCommandTimes(StopServiceDeploymentCommand, 1);
  });

  it('has nothing to roll back when no service deployment targets the task\'s revision', async () => {
    ecs({ revisions: { [OLD_REV]: OLD_TD } });
    expect(await gate.rollbackDeployment(task, 'r')).toEqual({ kind: 'nothingToRollBack', desiredCount: 2 });
    expect(ecsMock).not.toHaveReceivedCommand(StopServiceDeploymentCommand);
  });

  it('follows ListServiceDeployments pagination', async () => {
    ecs();
    ecsMock
      .on(ListServiceDeploymentsCommand, { nextToken: undefined })
      .resolves({ serviceDeployments: [], nextToken: 'page-2' })
      .on(ListServiceDeploymentsCommand, { nextToken: 'page-2' })
      .resolves({ serviceDeployments: [{ serviceDeploymentArn: DEPLOYMENT, status: 'IN_PROGRESS', createdAt: CREATED }] });
    expect(await gate.rollbackDeployment(task, 'r')).toEqual({ kind: 'rolledBack', deploymentArn: DEPLOYMENT });
    expect(ecsMock).toHaveReceivedCommandTimes(ListServiceDeploymentsCommand, 2);
  });

  it('reads again when the deployment moved on between reading and stopping, and answers from what it finds', async () => {
    ecs();
    ecsMock.on(StopServiceDeploymentCommand).rejects(new ConflictException({ message: 'The service deployment is in SUCCESSFUL state', $metadata: {} }));
    ecsMock.on(DescribeServicesCommand).resolvesOnce({
      services: [{ serviceName: 'web', status: 'ACTIVE', desiredCount: 2, deployments: [{ id: task.deploymentId, status: 'PRIMARY', taskDefinition: BAD_TD, createdAt: CREATED }] }],
    }).resolves({
      services: [
        {
          serviceName: 'web',
          status: 'ACTIVE',
          deployments: [
            { id: 'ecs-svc/9999999999999999999', status: 'PRIMARY', taskDefinition: FIX_TD },
            { id: task.deploymentId, status: 'ACTIVE', taskDefinition: BAD_TD },
          ],
        },
      ],
    });
    expect(await gate.rollbackDeployment(task, 'r')).toEqual({ kind: 'superseded', by: 'ecs-svc/9999999999999999999' });
  });

  it('passes the error on when the deployment is still in progress after a refused stop', async () => {
    ecs();
    ecsMock.on(StopServiceDeploymentCommand).rejects(new InvalidParameterException({ message: 'something else', $metadata: {} }));
    await expect(gate.rollbackDeployment(task, 'r')).rejects.toThrow('something else');
  });

  it('passes throttling on (the SDK already retried it)', async () => {
    ecsMock.on(DescribeServicesCommand).rejects(awsError('ThrottlingException', 'Rate exceeded'));
    await expect(gate.rollbackDeployment(task, 'r')).rejects.toThrow('Rate exceeded');
  });
});

describe('restoreServiceRevision', () => {
  it('updates the service to the task definition only', async () => {
    ecsMock.on(UpdateServiceCommand).resolves({});
    const td = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:7';
    await gate.restoreServiceRevision(CLUSTER, 'web', td, 'denied');
    expect(ecsMock).toHaveReceivedCommandTimes(UpdateServiceCommand, 1);
    expect(ecsMock.commandCalls(UpdateServiceCommand)[0].args[0].input).toEqual({ cluster: CLUSTER, service: 'web', taskDefinition: td });
  });
});

describe('sameTaskDefinition', () => {
  it('compares revisions, whether named by ARN or by family:revision', () => {
    expect(sameTaskDefinition('arn:aws:ecs:eu-west-1:123456789012:task-definition/web:7', 'web:7')).toBe(true);
    expect(sameTaskDefinition('arn:aws:ecs:eu-west-1:123456789012:task-definition/web:7', 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:17')).toBe(false);
  });
});

describe('scaleService', () => {
  it('sets the desired count with UpdateService', async () => {
    ecsMock.on(UpdateServiceCommand).resolves({});
    await gate.scaleService(CLUSTER, 'web', 0);
    expect(ecsMock).toHaveReceivedCommandWith(UpdateServiceCommand, { cluster: CLUSTER, service: 'web', desiredCount: 0 });
  });

  it('rejects a count that is not a non-negative integer', async () => {
    await expect(gate.scaleService(CLUSTER, 'web', -1)).rejects.toThrow('non-negative integer');
    expect(ecsMock).not.toHaveReceivedCommand(UpdateServiceCommand);
  });
});

describe('describeTasks', () => {
  it('maps tasks to RunningTask and chunks by 100', async () => {
    const arns = Array.from({ length: 150 }, (_, n) => `${TASK.slice(0, -4)}${String(n).padStart(4, '0')}`);
    ecsMock.on(DescribeTasksCommand).callsFake((input: { tasks: string[] }) => ({
      tasks: input.tasks
        .filter((arn) => !arn.endsWith('0007'))
        .map((arn) => ({
          taskArn: arn,
          clusterArn: CLUSTER,
          lastStatus: 'RUNNING',
          desiredStatus: 'RUNNING',
          group: 'service:web',
          startedBy: 'ecs-svc/123',
          containers: [
            { name: 'app', image: 'app:1', imageDigest: `sha256:${'a'.repeat(64)}` },
            { name: 'sidecar', image: 'sidecar:2' },
          ],
        })),
      failures: input.tasks.filter((arn) => arn.endsWith('0007')).map((arn) => ({ arn, reason: 'MISSING' })),
    }));
    const tasks = await gate.describeTasks(CLUSTER, [...arns, arns[0]]);
    expect(ecsMock).toHaveReceivedCommandTimes(DescribeTasksCommand, 2);
    expect(ecsMock.commandCalls(DescribeTasksCommand).map((call) => call.args[0].input.tasks!.length)).toEqual([100, 50]);
    expect(tasks).toHaveLength(149);
    expect(tasks[0]).toEqual({
      taskArn: arns[0],
      clusterArn: CLUSTER,
      lastStatus: 'RUNNING',
      desiredStatus: 'RUNNING',
      group: 'service:web',
      startedBy: 'ecs-svc/123',
      containers: [
        { name: 'app', image: 'app:1', imageDigest: `sha256:${'a'.repeat(64)}` },
        { name: 'sidecar', image: 'sidecar:2' },
      ],
    });
  });

  describe('on a realistic Fargate response', () => {
    const FIXTURE = join(__dirname, '..', 'fixtures', 'ecs-api', 'describe-tasks-fargate-service-and-runtask.json');
    const TIMESTAMPS = ['connectivityAt', 'createdAt', 'executionStoppedAt', 'pullStartedAt', 'pullStoppedAt', 'startedAt', 'stoppedAt', 'stoppingAt'];
    /** The CLI-shaped fixture as the SDK hands it over: the same members, timestamps as Dates. */
    const sdkOutput = (): DescribeTasksCommandOutput => {
      const json = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { tasks: Record<string, unknown>[]; failures: unknown[] };
      for (const task of json.tasks) for (const field of TIMESTAMPS) if (typeof task[field] === 'string') task[field] = new Date(task[field] as string);
      return { ...(json as unknown as DescribeTasksCommandOutput), $metadata: { httpStatusCode: 200 } };
    };
    const prodCluster = 'arn:aws:ecs:eu-west-1:111122223333:cluster/prod';
    const serviceTask = 'arn:aws:ecs:eu-west-1:111122223333:task/prod/7c2f9e4b1a6d4e0f8b3c5a7d9e1f2a3b';
    const runTask = 'arn:aws:ecs:eu-west-1:111122223333:task/prod/0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b';
    const gone = 'arn:aws:ecs:eu-west-1:111122223333:task/prod/ffffeeeeddddccccbbbbaaaa99998888';

    it('fills the task definition revision and the overrides as ECS returned them', async () => {
      const output = sdkOutput();
      ecsMock.on(DescribeTasksCommand).resolves(output);
      const tasks = await gate.describeTasks(prodCluster, [serviceTask, runTask, gone]);

      expect(tasks.map((task) => task.taskArn)).toEqual([serviceTask, runTask]);
      expect(tasks[0]).toEqual({
        taskArn: serviceTask,
        clusterArn: prodCluster,
        lastStatus: 'RUNNING',
        desiredStatus: 'RUNNING',
        group: 'service:web-api',
        startedBy: 'ecs-svc/4412863370297563981',
        taskDefinitionArn: 'arn:aws:ecs:eu-west-1:111122223333:task-definition/web-api:42',
        overrides: { containerOverrides: [{ name: 'app' }, { name: 'log-router' }], inferenceAcceleratorOverrides: [] },
        // The evidence a tag the gate resolves must match: when the task was created and began to pull.
        createdAt: '2026-01-05T08:59:58.204Z',
        pullStartedAt: '2026-01-05T09:00:05.381Z',
        // DescribeTasks enableExecuteCommand and platformVersion, as launch facts naming their source.
        launch: { execCommand: { value: false, source: 'from DescribeTasks' }, platformVersion: { value: '1.4.0', source: 'from DescribeTasks' } },
        containers: [
          {
            name: 'app',
            image: '111122223333.dkr.ecr.eu-west-1.amazonaws.com/web-api:2.4.1',
            imageDigest: 'sha256:4d7a1c9e3b5f2a8d6c0e4b7f1a3d5c9e2b6f8a0d4c7e1b3f5a9d2c6e8b0f4a71',
          },
          { name: 'log-router', image: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:stable' },
        ],
      });
      expect(tasks[1]).toMatchObject({ group: 'family:web-api', startedBy: 'release-pipeline', lastStatus: 'PENDING', taskDefinitionArn: 'arn:aws:ecs:eu-west-1:111122223333:task-definition/web-api:42' });
      expect(tasks[1].overrides).toEqual(output.tasks![1].overrides);
    });

    it('hands over overrides the task-definition parser applies: RunTask environment is judged after a scan', async () => {
      ecsMock.on(DescribeTasksCommand).resolves(sdkOutput());
      const [, task] = await gate.describeTasks(prodCluster, [serviceTask, runTask]);
      const definition = parseTaskDefinition(JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'taskdefs', 'fargate-web-describe.json'), 'utf8')), 'fixture');
      const applied = applyOverrides(definition, task.overrides, 'DescribeTasks overrides');
      expect(applied.containers.find((container) => container.name === 'app')?.overrideEnvironment).toEqual([
        { name: 'MIGRATION_TARGET', value: 'latest' },
        { name: 'ADMIN_PASSWORD', value: 'changeme-2026' },
      ]);
      expect(applied.containers.find((container) => container.name === 'log-router')?.overrideEnvironment).toEqual([]);
    });

    it('leaves both out when ECS does not report them', async () => {
      const output = sdkOutput();
      for (const task of output.tasks!) {
        delete task.overrides;
        delete task.taskDefinitionArn;
      }
      ecsMock.on(DescribeTasksCommand).resolves(output);
      const tasks = await gate.describeTasks(prodCluster, [serviceTask, runTask]);
      expect(tasks).toHaveLength(2);
      for (const task of tasks) {
        expect(task).not.toHaveProperty('overrides');
        expect(task).not.toHaveProperty('taskDefinitionArn');
      }
    });
  });

  it('makes no call for no tasks', async () => {
    expect(await gate.describeTasks(CLUSTER, [])).toEqual([]);
    expect(ecsMock).not.toHaveReceivedCommand(DescribeTasksCommand);
  });
});

describe('describeServiceRevision', () => {
  const REVISION = 'arn:aws:ecs:eu-west-1:123456789012:service-revision/prod/web/4980306466373577095';

  it('returns cluster, service name, task definition and container digests', async () => {
    ecsMock.on(DescribeServiceRevisionsCommand).resolves({
      serviceRevisions: [
        {
          serviceRevisionArn: REVISION,
          serviceArn: 'arn:aws:ecs:eu-west-1:123456789012:service/prod/web',
          clusterArn: CLUSTER,
          taskDefinition: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:12',
          containerImages: [
            { containerName: 'app', image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1', imageDigest: `sha256:${'b'.repeat(64)}` },
            { containerName: 'log', image: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:stable' },
          ],
        },
      ],
    });
    expect(await gate.describeServiceRevision(REVISION)).toEqual({
      cluster: CLUSTER,
      service: 'web',
      taskDefinitionArn: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:12',
      containers: [
        { name: 'app', image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1', imageDigest: `sha256:${'b'.repeat(64)}` },
        { name: 'log', image: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:stable' },
      ],
      // A revision with no loadBalancers has none; it states no platform version or network configuration, so no launch facts.
      loadBalancing: 'none',
    });
    expect(ecsMock).toHaveReceivedCommandWith(DescribeServiceRevisionsCommand, { serviceRevisionArns: [REVISION] });
  });

  it('reads the launch facts the revision states (API_ServiceRevision platformVersion, networkConfiguration, loadBalancers) from the same one call', async () => {
    ecsMock.on(DescribeServiceRevisionsCommand).resolves({
      serviceRevisions: [
        {
          serviceRevisionArn: REVISION,
          clusterArn: CLUSTER,
          serviceArn: 'arn:aws:ecs:eu-west-1:123456789012:service/prod/web',
          taskDefinition: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:12',
          launchType: 'FARGATE',
          platformVersion: '1.3.0',
          networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'], assignPublicIp: 'ENABLED' } },
          loadBalancers: [{ targetGroupArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/0123456789abcdef', containerName: 'app', containerPort: 8080 }],
          containerImages: [{ containerName: 'app', image: 'app:1' }],
        },
      ],
    });
    const revision = await gate.describeServiceRevision(REVISION);
    expect(revision.launch).toEqual({
      platformVersion: { value: '1.3.0', source: 'from the service revision' },
      publicIp: { value: true, source: 'from the service revision' },
    });
    expect(revision.loadBalancing).toBe('some');
    expect(ecsMock.calls()).toHaveLength(1);
  });

  it('says which revision was not found', async () => {
    ecsMock.on(DescribeServiceRevisionsCommand).resolves({ serviceRevisions: [], failures: [{ arn: REVISION, reason: 'MISSING' }] });
    await expect(gate.describeServiceRevision(REVISION)).rejects.toThrow(`service revision ${REVISION} not found (MISSING)`);
  });
});

describe('EcsTaskDefinitions', () => {
  const ARN = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:12';
  const taskDefinition = {
    taskDefinitionArn: ARN,
    family: 'web',
    revision: 12,
    registeredAt: new Date('2026-01-01T00:00:00Z'),
    containerDefinitions: [{ name: 'app', image: 'app:1', user: '1000', essential: true, environment: [{ name: 'MODE', value: 'prod' }] }],
  };

  it('parses DescribeTaskDefinition and caches each revision', async () => {
    ecsMock.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition });
    const definitions = new EcsTaskDefinitions({ client });
    const [first, second] = await Promise.all([definitions.get(ARN), definitions.get(ARN)]);
    const third = await definitions.get(ARN);
    expect(first).toEqual(third);
    expect(second).toBe(first);
    expect(first).toMatchObject({ arn: ARN, family: 'web', revision: 12, containers: [{ name: 'app', image: 'app:1', user: '1000', environment: [{ name: 'MODE', value: 'prod' }] }] });
    expect(ecsMock).toHaveReceivedCommandTimes(DescribeTaskDefinitionCommand, 1);
    expect(ecsMock).toHaveReceivedCommandWith(DescribeTaskDefinitionCommand, { taskDefinition: ARN });
  });

  it('asks for the task definition\'s tags in the same call (include TAGS) and keeps them as its owner tags', async () => {
    ecsMock.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition, tags: [{ key: 'team', value: 'payments' }, { key: 'cost-centre', value: '42' }] });
    const spec = await new EcsTaskDefinitions({ client }).get(ARN);
    expect(ecsMock).toHaveReceivedCommandWith(DescribeTaskDefinitionCommand, { taskDefinition: ARN, include: ['TAGS'] });
    expect(ecsMock).toHaveReceivedCommandTimes(DescribeTaskDefinitionCommand, 1);
    expect(spec.tags).toEqual({ team: 'payments', 'cost-centre': '42' });
  });

  it('does not cache a family name without a revision (it names whatever is latest)', async () => {
    ecsMock.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition });
    const definitions = new EcsTaskDefinitions({ client });
    await definitions.get('web');
    await definitions.get('web');
    expect(ecsMock).toHaveReceivedCommandTimes(DescribeTaskDefinitionCommand, 2);
  });

  it('does not keep a failure in the cache', async () => {
    ecsMock
      .on(DescribeTaskDefinitionCommand)
      .rejectsOnce(awsError('ThrottlingException', 'Rate exceeded'))
      .resolves({ taskDefinition });
    const definitions = new EcsTaskDefinitions({ client });
    await expect(definitions.get(ARN)).rejects.toThrow('Rate exceeded');
    await expect(definitions.get(ARN)).resolves.toMatchObject({ arn: ARN });
  });

  it('drops the oldest revision when the cache is full', async () => {
    ecsMock.on(DescribeTaskDefinitionCommand).callsFake((input: { taskDefinition: string }) => ({ taskDefinition: { ...taskDefinition, taskDefinitionArn: input.taskDefinition } }));
    const definitions = new EcsTaskDefinitions({ client, cacheSize: 2 });
    await definitions.get(`${ARN.slice(0, -2)}1`);
    await definitions.get(`${ARN.slice(0, -2)}2`);
    await definitions.get(`${ARN.slice(0, -2)}3`);
    await definitions.get(`${ARN.slice(0, -2)}3`);
    await definitions.get(`${ARN.slice(0, -2)}1`);
    expect(ecsMock).toHaveReceivedCommandTimes(DescribeTaskDefinitionCommand, 4);
  });

  it('reports an unusable task definition as an InputError naming it', async () => {
    ecsMock.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: ARN, containerDefinitions: [{ name: 'app' }] } });
    const definitions = new EcsTaskDefinitions({ client });
    const failure = definitions.get(ARN);
    await expect(failure).rejects.toThrow(InputError);
    await expect(failure).rejects.toThrow(`DescribeTaskDefinition ${ARN}`);
  });

  it('reports a response without a task definition', async () => {
    ecsMock.on(DescribeTaskDefinitionCommand).resolves({});
    await expect(new EcsTaskDefinitions({ client }).get(ARN)).rejects.toThrow('the response has no taskDefinition');
  });
});

describeWithConformance('EcsTaskDefinitions with real DescribeTaskDefinition output', () => {
  it('parses the AWS CLI example (wordpress + mysql)', async () => {
    const output = JSON.parse(readFileSync(join(CONFORMANCE_DIR, 'ecs-api', 'awscli-example-describe-task-definition-wordpress-mysql.json'), 'utf8'));
    ecsMock.on(DescribeTaskDefinitionCommand).resolves(output);
    const spec = await new EcsTaskDefinitions({ client }).get('hello_world:8');
    expect(spec.containers.map((container) => container.name).sort()).toEqual(
      (output.taskDefinition.containerDefinitions as { name: string }[]).map((container) => container.name).sort(),
    );
  });
});

describeWithConformance('describeTasks with real DescribeTasks output', () => {
  it('maps the AWS CLI example (several Fargate nginx service tasks) with revision, deployment and overrides', async () => {
    const output = JSON.parse(readFileSync(join(CONFORMANCE_DIR, 'ecs-api', 'awscli-example-describe-tasks-multiple-fargate-nginx.json'), 'utf8')) as {
      tasks: { taskArn: string; clusterArn: string; taskDefinitionArn: string; startedBy: string; overrides: unknown }[];
    };
    ecsMock.on(DescribeTasksCommand).resolves(output as never);
    const cluster = output.tasks[0].clusterArn;
    const tasks = await gate.describeTasks(cluster, output.tasks.map((task) => task.taskArn));
    expect(tasks).toHaveLength(output.tasks.length);
    tasks.forEach((task, index) => {
      const source = output.tasks[index];
      expect(task).toMatchObject({ taskArn: source.taskArn, taskDefinitionArn: source.taskDefinitionArn, startedBy: source.startedBy, overrides: source.overrides });
    });
  });
});

describe('truncateStopReason (property)', () => {
  it('always fits 255 UTF-8 bytes and keeps a prefix of the reason', () => {
    assertProperty(
      fc.property(fc.string({ unit: 'binary', maxLength: 600 }), (reason) => {
        const sent = truncateStopReason(reason);
        expect(Buffer.byteLength(sent, 'utf8')).toBeLessThanOrEqual(STOP_REASON_MAX_BYTES);
        if (sent !== reason) {
          expect(sent.endsWith('...')).toBe(true);
          expect(reason.startsWith(sent.slice(0, -3))).toBe(true);
        }
      }),
    );
  });
});
