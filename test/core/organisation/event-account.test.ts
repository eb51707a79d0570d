import { classifyGateEvent, type GateEvent } from '../../../functions/core/events';
import { eventAccountMismatch } from '../../../functions/core/organisation/event-account';
import { conformanceFiles, describeWithConformance, readConformanceJson, type JsonObject } from '../../support/conformance';

const CENTRAL = '111122223333';
const MEMBER_A = '444455556666';
const MEMBER_B = '777788889999';

/** A real AWS event (conformance sample), sent by `account`, whose detail's ARNs name `resourceAccount`. */
function sample(name: string, account: string, resourceAccount: string): GateEvent {
  const [file] = conformanceFiles('events').filter((path) => path.endsWith(name));
  const event = readConformanceJson(file) as JsonObject;
  const original = String(event.account);
  const text = JSON.stringify(event).split(original).join(resourceAccount);
  return classifyGateEvent({ ...(JSON.parse(text) as JsonObject), account });
}

describeWithConformance('eventAccountMismatch on real AWS events', () => {
  it.each([
    ['a running Fargate task', 'ecs-task-state-change-fargate-running-awsdocs.json', 'taskStateChange'],
    ['a stopped Fargate task', 'ecs-task-state-change-fargate-stopped-two-containers-fivexl.json', 'taskStopped'],
  ])('passes %s whose ARNs are of the account it came from', (_what, file, kind) => {
    const event = sample(file, MEMBER_A, MEMBER_A);
    expect(event.kind).toBe(kind);
    expect(eventAccountMismatch(event, { centralAccount: CENTRAL })).toBeUndefined();
  });

  it.each([
    ['a running Fargate task', 'ecs-task-state-change-fargate-running-awsdocs.json'],
    ['a stopped Fargate task', 'ecs-task-state-change-fargate-stopped-two-containers-fivexl.json'],
  ])('refuses %s sent by one member that names another member\'s task', (_what, file) => {
    const event = sample(file, MEMBER_A, MEMBER_B);
    expect(eventAccountMismatch(event, { centralAccount: CENTRAL })).toEqual({
      eventAccount: MEMBER_A,
      resourceAccount: MEMBER_B,
      resource: expect.stringMatching(new RegExp(`^arn:aws:ecs:[a-z0-9-]+:${MEMBER_B}:task/`)),
      reason: expect.stringContaining(`comes from account ${MEMBER_A} but names arn:aws:ecs:`),
    });
  });

  it('refuses a task event whose cluster alone belongs to another account (the task ARN agrees with the sender)', () => {
    const event = sample('ecs-task-state-change-fargate-running-awsdocs.json', MEMBER_A, MEMBER_A);
    if (event.kind !== 'taskStateChange') throw new Error(event.kind);
    const forged: GateEvent = { ...event, task: { ...event.task, clusterArn: event.task.clusterArn.replace(MEMBER_A, MEMBER_B) } };
    expect(eventAccountMismatch(forged)).toMatchObject({ resourceAccount: MEMBER_B, resource: forged.task.clusterArn });
  });

  it('refuses a scan build event from another account than the central one, and passes the central one\'s', () => {
    const build = sample('codebuild-build-state-change-awsdocs.json', MEMBER_A, MEMBER_A);
    const fromCentral = sample('codebuild-build-state-change-awsdocs.json', CENTRAL, CENTRAL);
    // The sample's project is not the gate's, so it classifies as ignored; the check reads only the kind and the account.
    const asBuild = (event: GateEvent): GateEvent => ({ kind: 'scanBuildFinished', meta: event.meta, buildId: 'fargate-gate-scan:1', projectName: 'fargate-gate-scan', status: 'SUCCEEDED' });
    expect(eventAccountMismatch(asBuild(build), { centralAccount: CENTRAL })).toMatchObject({ eventAccount: MEMBER_A, resourceAccount: CENTRAL, resource: 'scanBuildFinished' });
    expect(eventAccountMismatch(asBuild(fromCentral), { centralAccount: CENTRAL })).toBeUndefined();
    // A single-account gate has no central account to compare with.
    expect(eventAccountMismatch(asBuild(build))).toBeUndefined();
  });
});

describe('eventAccountMismatch on gate events', () => {
  const meta = (account?: string) => ({ id: 'e', ...(account ? { account } : {}) });
  const arn = (account: string, rest: string) => `arn:aws:ecs:eu-west-1:${account}:${rest}`;

  it('refuses a PAUSE hook event that names another account\'s service deployment', () => {
    const event: GateEvent = { kind: 'hookAwaitingAction', meta: meta(MEMBER_A), hookId: 'ecs-pause-a', target: { serviceDeploymentArn: arn(MEMBER_B, 'service-deployment/prod/api/d1'), serviceArn: arn(MEMBER_A, 'service/prod/api') } };
    expect(eventAccountMismatch(event)).toMatchObject({ resourceAccount: MEMBER_B });
    const own: GateEvent = { ...event, target: { serviceDeploymentArn: arn(MEMBER_A, 'service-deployment/prod/api/d1') } };
    expect(eventAccountMismatch(own)).toBeUndefined();
  });

  it('refuses a RunTask call whose response names a task of another account', () => {
    const task = (account: string) => ({ taskArn: arn(account, 'task/prod/0123456789abcdef'), clusterArn: arn(account, 'cluster/prod'), taskDefinitionArn: arn(account, 'task-definition/api:1'), containers: [], lastStatus: 'PROVISIONING' });
    const event = { kind: 'runTaskCall', meta: meta(MEMBER_A), tasks: [task(MEMBER_A), task(MEMBER_B)] } as unknown as GateEvent;
    expect(eventAccountMismatch(event)).toMatchObject({ resourceAccount: MEMBER_B, resource: arn(MEMBER_B, 'task/prod/0123456789abcdef') });
  });

  it('does not check an event without an account (not from EventBridge), an Inspector finding or a push', () => {
    const task = { taskArn: arn(MEMBER_B, 'task/prod/0123456789abcdef'), clusterArn: arn(MEMBER_B, 'cluster/prod'), taskDefinitionArn: arn(MEMBER_B, 'task-definition/api:1'), containers: [] };
    expect(eventAccountMismatch({ kind: 'taskStopped', meta: meta(), task })).toBeUndefined();
    expect(eventAccountMismatch({ kind: 'inspectorFinding', meta: meta(MEMBER_A), event: {} })).toBeUndefined();
  });
});
