import { Duration } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { fargateTaskStoppedPattern } from '../../infra/event-patterns';
import { DEFAULT_RECONCILE_INTERVAL, resolveReconcileInterval } from '../../infra/inventory';
import { synthGate } from '../support/gate-stack';
import { SCOPED_PROPS, asList, rolePolicies } from '../support/template-iam';

describe('the inventory infrastructure', () => {
  it('delivers STOPPED Fargate task events of the clusters in scope to the gate function', () => {
    const { template } = synthGate(SCOPED_PROPS);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ 'detail-type': ['ECS Task State Change'], detail: Match.objectLike({ lastStatus: ['STOPPED'] }) }),
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^GateGateFunction'), 'Arn'] } })],
    });
  });

  it('runs the reconciliation every hour by default, and as often as reconcileInterval says', () => {
    expect(DEFAULT_RECONCILE_INTERVAL.toMinutes()).toBe(60);
    synthGate({}).template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 hour)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^GateReconcileFunction'), 'Arn'] } })],
    });
    synthGate({ reconcileInterval: Duration.minutes(15) }).template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(15 minutes)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^GateReconcileFunction'), 'Arn'] } })],
    });
  });

  it.each([
    ['under 5 minutes', Duration.minutes(2)],
    ['over a day', Duration.hours(25)],
    ['not whole minutes', Duration.seconds(330)],
  ])('refuses a reconcileInterval %s', (_why, interval) => {
    expect(() => resolveReconcileInterval(interval)).toThrow(/reconcileInterval must be whole minutes between 5 and 1440/);
  });

  it('grants ListClusters to the reconciliation only when every cluster is in scope', () => {
    const actionsOf = (template: ReturnType<typeof synthGate>['template']) =>
      rolePolicies(template, 'GateReconcileFunctionRole').policies.flatMap(({ policy }) => asList(policy.Statement).flatMap((statement) => asList(statement.Action)));
    expect(actionsOf(synthGate({}).template)).toContain('ecs:ListClusters');
    expect(actionsOf(synthGate(SCOPED_PROPS).template)).not.toContain('ecs:ListClusters');
    expect(actionsOf(synthGate(SCOPED_PROPS).template)).toEqual(expect.arrayContaining(['ecs:ListTasks', 'ecs:DescribeTasks']));
  });

  it('grants ListTasks on "*" (how ECS authorizes a cluster-wide ListTasks), held by ecs:cluster to the clusters in scope', () => {
    // A grant on container-instance ARNs (the Service Authorization Reference's resource type) is refused on AWS with
    // "not authorized to perform: ecs:ListTasks on resource: *" (infra/permissions.ts listTasks cites the reports);
    // the policy simulator cannot tell the two apart, so the statement itself is checked.
    const listTasksOf = (template: ReturnType<typeof synthGate>['template']) =>
      rolePolicies(template, 'GateReconcileFunctionRole').policies.flatMap(({ policy }) => asList(policy.Statement)).filter((statement) => asList(statement.Action).includes('ecs:ListTasks'));
    const [scoped] = listTasksOf(synthGate(SCOPED_PROPS).template);
    expect(scoped).toMatchObject({ Resource: '*', Condition: { ArnEquals: { 'ecs:cluster': expect.arrayContaining([expect.stringMatching(/:cluster\/batch$/)]) } } });
    const [every] = listTasksOf(synthGate({}).template);
    expect(every).toMatchObject({ Resource: '*', Condition: { ArnLike: { 'ecs:cluster': expect.stringMatching(/:cluster\/\*$/) } } });
  });

  it('matches STOPPED Fargate events only, with the starting rule\'s cluster scope', () => {
    expect(fargateTaskStoppedPattern({ kind: 'listed', clusterArns: ['arn:aws:ecs:us-east-1:111122223333:cluster/a'] })).toEqual({
      source: ['aws.ecs'],
      detailType: ['ECS Task State Change'],
      detail: {
        clusterArn: ['arn:aws:ecs:us-east-1:111122223333:cluster/a'],
        lastStatus: ['STOPPED'],
        $or: [{ launchType: ['FARGATE'] }, { capacityProviderName: ['FARGATE', 'FARGATE_SPOT'] }],
      },
    });
  });
});
