import { ArnFormat, Aws, CfnOutput, CfnParameter, DefaultStackSynthesizer, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { forwardedEvents } from './forwarded-events';
import { grantWithReasons, type ReasonedStatement } from './nag-suppressions';
import { memberRoleName } from './organisation';
import * as permissions from './permissions';
import { clusterArnOf, repositoryArnOf, type GateScope } from './scope';

/**
 * The member stack of an organisation deployment (docs/organisation.md): deployed by a CloudFormation StackSet with
 * service-managed permissions into every account (and region) of the organisational units it targets.
 *
 * - EventBridge rules that forward exactly what the central gate's rules listen to (infra/forwarded-events.ts, made of
 *   infra/event-patterns.ts: tasks starting and stopped, RunTask calls, PAUSE hooks, pushes, Inspector findings) to the
 *   central bus, through a forwarder role ("the sending event bus must have IAM roles attached to them when sending
 *   events to another account", https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cross-account.html).
 * - One role with a fixed name per region (`fargate-gate-member-<region>`) that only the central gate's roles may assume, granting only what the
 *   gate does in the account: stop tasks and roll back or continue service deployments in the clusters in scope, read
 *   tasks, task definitions, service revisions, resolve ECR tags, and let the central scan pull this account's images.
 *
 * The template is standalone: everything that differs per organisation is a parameter (one StackSet serves every
 * account), it has no assets (a StackSet cannot publish them to a bucket per account and region), no
 * `Fn::ImportValue`, no bootstrap-version rule (member accounts are not bootstrapped) and no CDK metadata.
 */

export const MEMBER_PARAMETERS = {
  centralEventBusArn: 'CentralEventBusArn',
  centralRoleArns: 'CentralRoleArns',
  clusterNamePattern: 'ClusterNamePattern',
  repositoryNamePattern: 'RepositoryNamePattern',
} as const;

export type FargateGateMemberStackProps = Omit<StackProps, 'synthesizer' | 'analyticsReporting'>;

export class FargateGateMemberStack extends Stack {
  readonly memberRole: iam.Role;
  readonly forwarderRole: iam.Role;
  readonly rules: events.Rule[] = [];

  constructor(scope: Construct, id: string, props: FargateGateMemberStackProps = {}) {
    super(scope, id, {
      description: 'fargate-gate member: forwards the gate\'s events to the central bus and lets the central gate act on the clusters in scope',
      ...props,
      synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }),
      analyticsReporting: false,
    });

    const busArn = new CfnParameter(this, MEMBER_PARAMETERS.centralEventBusArn, {
      type: 'String',
      description: 'ARN of the central gate\'s organisation bus (output OrganisationBusArn of the central stack)',
      allowedPattern: '^arn:aws[a-z-]*:events:[a-z0-9-]+:\\d{12}:event-bus/[A-Za-z0-9._\\-/]{1,256}$',
      constraintDescription: 'an EventBridge event bus ARN',
    }).valueAsString;
    const centralRoleArns = new CfnParameter(this, MEMBER_PARAMETERS.centralRoleArns, {
      type: 'CommaDelimitedList',
      description: 'ARNs of the central gate\'s roles allowed to assume the member role (output MemberTrustedRoleArns of the central stack)',
    }).valueAsList;
    const clusterPattern = new CfnParameter(this, MEMBER_PARAMETERS.clusterNamePattern, {
      type: 'String',
      default: '*',
      description: 'Clusters in scope in this account and region: a cluster name, or a pattern with * (e.g. prod-*); * is every cluster',
      allowedPattern: '^[A-Za-z0-9_*-]{1,255}$',
      constraintDescription: 'a cluster name, or a pattern of letters, digits, _ - and *',
    }).valueAsString;
    const repositoryPattern = new CfnParameter(this, MEMBER_PARAMETERS.repositoryNamePattern, {
      type: 'String',
      default: '*',
      description: 'ECR repositories of this account the gate resolves tags in and prescans on push: a name or a pattern with * (e.g. team-a/*)',
      allowedPattern: '^[a-z0-9*]+(?:[._/-][a-z0-9*]+)*$',
      constraintDescription: 'an ECR repository name, or a pattern with *',
    }).valueAsString;

    // ---------- forwarding ----------
    this.forwarderRole = new iam.Role(this, 'ForwarderRole', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
      description: 'fargate-gate member: EventBridge puts the gate\'s events on the central bus with this role',
    });
    const centralBus = events.EventBus.fromEventBusArn(this, 'CentralBus', busArn);
    // targets.EventBus grants events:PutEvents on the central bus (and nothing else) to the role it is given.
    const forward = new targets.EventBus(centralBus, { role: this.forwarderRole });
    const clusterArnPattern = clusterArnOf(this, clusterPattern);
    const rule = (ruleId: string, description: string, eventPattern: events.EventPattern) => {
      const created = new events.Rule(this, ruleId, { description, eventPattern, targets: [forward] });
      this.rules.push(created);
    };
    for (const forwarded of forwardedEvents({ kind: 'pattern', clusterArnPattern })) {
      let pattern = forwarded.pattern;
      if (forwarded.kind === 'runTaskCall') pattern = runTaskCallInScope(pattern, clusterArnPattern);
      if (forwarded.kind === 'hookAwaitingAction') pattern = hookInScope(pattern, this.formatArn({ service: 'ecs', resource: 'service', arnFormat: ArnFormat.NO_RESOURCE_NAME }), this.formatArn({ service: 'ecs', resource: 'service-deployment', arnFormat: ArnFormat.NO_RESOURCE_NAME }), clusterPattern);
      if (forwarded.kind === 'imagePush') {
        // The pattern is a parameter, so whether it holds a `*` is unknown at synth: a wildcard matcher without one is an
        // exact match (EventBridge "Wildcard matching"), so it serves both.
        pattern = { ...pattern, detail: { ...pattern.detail, 'repository-name': [{ wildcard: repositoryPattern }] } };
      }
      rule(forwarded.id, `fargate-gate member: ${forwarded.what}, to the central bus`, pattern);
    }

    // ---------- the role the central gate assumes ----------
    const centralAccount = Fn.select(4, Fn.split(':', busArn));
    this.memberRole = new iam.Role(this, 'MemberRole', {
      roleName: memberRoleName(Aws.REGION),
      description: 'fargate-gate member: assumed by the central gate\'s roles only, to act on the clusters in scope of this account',
      // The central account, narrowed to the gate's own roles by aws:PrincipalArn: "Principal" cannot name a list
      // parameter's roles before they exist, and a role principal deleted and re-created would silently stop matching
      // (IAM trust policies store role principals by unique id); aws:PrincipalArn compares the ARN at call time.
      assumedBy: new iam.PrincipalWithConditions(new iam.ArnPrincipal(`arn:${Aws.PARTITION}:iam::${centralAccount}:root`), {
        ArnEquals: { 'aws:PrincipalArn': centralRoleArns },
      }),
    });
    const inScope: GateScope = {
      clusters: [{ name: clusterPattern, arn: clusterArnPattern }],
      clusterPattern: { kind: 'pattern', clusterArnPattern },
      repositoryArns: [repositoryArnOf(this, repositoryPattern)],
      pushRepositoryNames: [repositoryPattern],
      mirrorRepositoryArns: [],
    };
    grantWithReasons(this.memberRole, [
      permissions.stopTasks(this, inScope),
      permissions.describeTasks(this, inScope),
      // The central reconciliation lists the tasks of member clusters with open uses (handlers/posture/reconcile.ts).
      permissions.listTasks(this, inScope),
      ...permissions.rollBackServices(this, inScope),
      permissions.describeTaskDefinitions(),
      permissions.resolveImageTags(inScope),
      ...pullForTheCentralScan(this),
    ]);

    // A new StackSet instance must not forward an event before the central gate can act on it: an AssumeRole refused
    // while the role or its policy is not there yet is permanent for that event (handlers/failures.ts), and cached.
    for (const created of this.rules) {
      created.node.addDependency(this.memberRole);
    }

    new CfnOutput(this, 'MemberRoleArn', { description: 'The role the central gate assumes in this account', value: this.memberRole.roleArn });
  }
}

/**
 * The central gate answers for every member cluster (functions/core/organisation/cluster-scope.ts): the member's
 * ClusterNamePattern scopes it only through what the member forwards. So the RunTask hint is forwarded only for tasks
 * started in a cluster in scope: the CloudTrail record's `responseElements.tasks[].clusterArn` (RunTask response,
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html; an event array matches when one element
 * does). A record without the response (CloudTrail omits large ones) is not forwarded: it is only an early hint, and the
 * task's own state change event (filtered by cluster too) still reaches the gate.
 */
function runTaskCallInScope(pattern: events.EventPattern, clusterArnPattern: string): events.EventPattern {
  return { ...pattern, detail: { ...pattern.detail, responseElements: { tasks: { clusterArn: [{ wildcard: clusterArnPattern }] } } } };
}

/**
 * A PAUSE hook event (a PAUSE hook at PRE_SCALE_UP: the central pattern's own filters) is forwarded only for a service
 * in a cluster in scope. AWS's published example of the event ("Amazon ECS service deployment hook state change
 * events", https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_hook_state_change_events.html) names the
 * deployment in `resources` and the service and deployment in `detail.serviceArn` / `detail.serviceDeploymentArn`; it is
 * matched wherever the handler looks for its deployment (a service or service-deployment ARN,
 * `service/<cluster>/<service>` or `service-deployment/<cluster>/<service>/<id>`, in any of the three), so an event
 * that names its deployment in one place only is still scoped. An event naming none of them is one the handler cannot
 * act on anyway. Out of scope, the member role may neither describe nor continue it.
 */
function hookInScope(pattern: events.EventPattern, servicePrefix: string, deploymentPrefix: string, clusterPattern: string): events.EventPattern {
  const service = [{ wildcard: `${servicePrefix}/${clusterPattern}/*` }];
  const deployment = [{ wildcard: `${deploymentPrefix}/${clusterPattern}/*` }];
  // `$or` may sit at the top of a pattern and mix top-level and detail fields (EventBridge "Or matching",
  // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html#eb-filtering-complex-example-or);
  // CDK renders a pattern's keys as they are (aws-events renderEventPattern), its EventPattern type just does not name it.
  const anywhere: Record<string, unknown> = {
    ...pattern,
    $or: [
      { resources: [...service, ...deployment] },
      { detail: { serviceArn: service } },
      { detail: { serviceDeploymentArn: deployment } },
    ],
  };
  return anywhere as events.EventPattern;
}

/**
 * The central scan build pulls a member image with this role (buildspecs/inline-scan.yml), so no repository policy per
 * member repository is needed: the pull actions of "Private repository policy examples"
 * (https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-policy-examples.html) on this account's and
 * region's repositories only (the repository pattern scopes tag resolution and prescans; a task may run an image from any
 * repository of the account, and the gate must scan it), and the registry token, which has no resource-level permission
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerregistry.html).
 */
function pullForTheCentralScan(stack: Stack): ReasonedStatement[] {
  return [
    {
      statement: new iam.PolicyStatement({
        sid: 'PullForTheCentralScan',
        actions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
        resources: [stack.formatArn({ service: 'ecr', resource: 'repository', resourceName: '*' })],
      }),
      wildcardReason: 'The central scan pulls whatever image a task of this account runs, from any repository of this account and region (the ARN has the stack\'s own account and region); nothing outside it.',
    },
    {
      statement: new iam.PolicyStatement({
        sid: 'EcrAuthorizationTokenForTheCentralScan',
        actions: ['ecr:GetAuthorizationToken'],
        resources: ['*'],
      }),
      wildcardReason: 'ecr:GetAuthorizationToken supports no resource-level permission: the token only lets the scan pull what PullForTheCentralScan allows.',
    },
  ];
}
