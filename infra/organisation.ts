import { Aws } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, type IConstruct } from 'constructs';
import { forwardedEvents } from './forwarded-events';
import { grantWithReasons } from './nag-suppressions';
import { ORGANIZATION_ID, memberRoleArn } from '../functions/core/organisation/account';

/**
 * The central side of an organisation deployment (docs/organisation.md): one event bus that member accounts forward the
 * gate's events to, admitting PutEvents from accounts of the organisation only, the gate's rules on that bus, and the
 * right of the gate's own roles to assume the member role in accounts of the organisation.
 */

// One definition for the construct's setting and the simulator's scenario format (functions/core/organisation/account.ts).
export { ORGANIZATION_ID };

export function assertOrganizationId(value: string): string {
  if (!ORGANIZATION_ID.test(value)) throw new Error(`organizationId is not an AWS Organizations id (o- and 10 to 32 lower-case letters or digits): ${JSON.stringify(value)}`);
  return value;
}

// The runtime builds the member role's ARN from the account and region of each event: one definition for both sides.
export { MEMBER_ROLE_NAME_PREFIX, memberRoleArn, memberRoleName } from '../functions/core/organisation/account';

export interface OrganisationBusProps {
  readonly organizationId: string;
  /** The gate function's rule target (the same DLQ and retries as the gate's own rules). */
  readonly target: events.IRuleTarget;
  /** The gate's roles that act in member accounts (the gate and the hook function). */
  readonly memberRoleAssumers: (iam.IGrantable & IConstruct)[];
  readonly runTaskHints: boolean;
  readonly prescanOnPush: boolean;
  /** Inspector findings forwarded by members are taken only when the gate acts on findings. @default true */
  readonly inspectorFindings?: boolean;
}

export class OrganisationBus extends Construct {
  readonly bus: events.EventBus;
  readonly rules: events.Rule[] = [];
  /** The roles that may assume the member role: the member StackSet's CentralRoleArns (output MemberTrustedRoleArns). */
  readonly memberRoleAssumerArns: string[];

  constructor(scope: Construct, id: string, props: OrganisationBusProps) {
    super(scope, id);
    const organizationId = assertOrganizationId(props.organizationId);
    this.bus = new events.EventBus(this, 'Bus', { description: 'fargate-gate: events forwarded by the member stacks of the organisation' });
    // "If all the accounts are members of the same AWS organization, you can run PutPermission once specifying Principal
    // as "*" and specifying the AWS organization ID in Condition" (AWS::Events::EventBusPolicy,
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-events-eventbuspolicy.html).
    // The member rules then need a RoleArn (same page); the member stack's forwarder role is that role.
    this.bus.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'PutEventsFromTheOrganisationOnly',
        principals: [new iam.AnyPrincipal()],
        actions: ['events:PutEvents'],
        resources: [this.bus.eventBusArn],
        conditions: { StringEquals: { 'aws:PrincipalOrgID': organizationId } },
      }),
    );

    // The member rules already filter on the clusters in scope there; here any ECS cluster of the partition is taken.
    const rule = (ruleId: string, description: string, eventPattern: events.EventPattern) => {
      const created = new events.Rule(this, ruleId, { eventBus: this.bus, description, eventPattern, targets: [props.target] });
      this.rules.push(created);
      return created;
    };
    // The same list the member stack forwards (infra/forwarded-events.ts); RunTask hints and prescans follow the settings.
    for (const forwarded of forwardedEvents({ kind: 'all', clusterArnPrefix: `arn:${Aws.PARTITION}:ecs:` })) {
      if (forwarded.kind === 'runTaskCall' && !props.runTaskHints) continue;
      if (forwarded.kind === 'imagePush' && !props.prescanOnPush) continue;
      if (forwarded.kind === 'inspectorFinding' && props.inspectorFindings === false) continue;
      rule(`Member${forwarded.id}`, `fargate-gate: ${forwarded.what} in member accounts`, forwarded.pattern);
    }

    this.memberRoleAssumerArns = props.memberRoleAssumers.map((assumer) => {
      const role = assumer.grantPrincipal as Partial<iam.IRole>;
      if (typeof role.roleArn !== 'string') throw new Error(`OrganisationBus: ${assumer.node.path} has no role to be trusted by the member role`);
      return role.roleArn;
    });
    for (const assumer of props.memberRoleAssumers) {
      grantWithReasons(assumer, [
        {
          statement: new iam.PolicyStatement({
            sid: 'AssumeTheMemberRoleInTheOrganisation',
            actions: ['sts:AssumeRole'],
            resources: [memberRoleArn(Aws.PARTITION, '*', '*')],
            // aws:ResourceOrgID: the role assumed must belong to an account of this organisation (global condition keys,
            // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-resourceorgid).
            conditions: { StringEquals: { 'aws:ResourceOrgID': organizationId } },
          }),
          wildcardReason:
            'The member account is known only from the event (its task or cluster ARN), so the role ARN has a wildcard account (and region, which ends the role name); the role name prefix is fixed and aws:ResourceOrgID holds the grant to accounts of this organisation. The member role trusts only these roles.',
        },
      ]);
    }
  }
}
