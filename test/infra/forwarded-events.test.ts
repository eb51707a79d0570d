import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { fargateTaskStoppedPattern, inspectorImageFindingPattern } from '../../infra/event-patterns';
import { forwardedEvents } from '../../infra/forwarded-events';
import { FargateGateMemberStack } from '../../infra/member-stack';
import { synthGate } from '../support/gate-stack';

type Resource = { Type: string; Properties: Record<string, any> };

/** The detail-types and sources of a template's rules, as `source|detail-type|lastStatus` lines (STOPPED apart from starting). */
function kindsOf(rules: Resource[]): string[] {
  return rules
    .map((rule) => {
      const pattern = rule.Properties.EventPattern;
      const stopped = JSON.stringify(pattern.detail?.lastStatus ?? []).includes('STOPPED') ? '|STOPPED' : '';
      return `${pattern.source[0]}|${pattern['detail-type'][0]}${stopped}`;
    })
    .sort();
}

describe('the events an organisation forwards', () => {
  it('are built from the central stack\'s own patterns (STOPPED tasks and Inspector findings included)', () => {
    const clusters = { kind: 'all' as const, clusterArnPrefix: 'arn:aws:ecs:' };
    const byKind = new Map(forwardedEvents(clusters).map((event) => [event.kind, event.pattern]));
    expect(byKind.get('taskStopped')).toEqual(fargateTaskStoppedPattern(clusters));
    expect(byKind.get('inspectorFinding')).toEqual(inspectorImageFindingPattern());
  });

  it('are the same kinds on both sides: every member rule has a rule on the organisation bus, and no bus rule lacks a member rule', () => {
    const member = Template.fromStack(new FargateGateMemberStack(new App(), 'Member')).toJSON();
    const memberRules = Object.values(member.Resources as Record<string, Resource>).filter((r) => r.Type === 'AWS::Events::Rule');
    const central = synthGate({ organizationId: 'o-a1b2c3d4e5', runTaskHints: true, prescanOnPush: true }).template.toJSON();
    const resources = Object.entries(central.Resources as Record<string, Resource>);
    const busId = resources.find(([, r]) => r.Type === 'AWS::Events::EventBus')![0];
    const busRules = resources.filter(([, r]) => r.Type === 'AWS::Events::Rule' && JSON.stringify(r.Properties.EventBusName ?? '').includes(busId)).map(([, r]) => r);
    expect(kindsOf(busRules)).toEqual(kindsOf(memberRules));
    expect(kindsOf(memberRules)).toEqual(
      ['aws.ecs|ECS Task State Change', 'aws.ecs|ECS Task State Change|STOPPED', 'aws.ecs|ECS Hook State Change', 'aws.ecs|AWS API Call via CloudTrail', 'aws.ecr|ECR Image Action', 'aws.inspector2|Inspector2 Finding'].sort(),
    );
  });

  it('are the central stack\'s default-bus patterns too: the bus rules match the gate\'s own rules on the default bus', () => {
    const central = synthGate({ organizationId: 'o-a1b2c3d4e5', runTaskHints: true, prescanOnPush: true }).template.toJSON();
    const rules = Object.values(central.Resources as Record<string, Resource>).filter((r) => r.Type === 'AWS::Events::Rule' && r.Properties.EventPattern);
    const own = rules.filter((r) => r.Properties.EventBusName === undefined);
    const ownKinds = new Set(kindsOf(own));
    for (const kind of kindsOf(rules.filter((r) => r.Properties.EventBusName !== undefined))) expect({ kind, onDefaultBus: ownKinds.has(kind) }).toEqual({ kind, onDefaultBus: true });
  });
});
