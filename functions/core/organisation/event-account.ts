import type { GateEvent } from '../events/route';
import { accountOf } from './account';

/**
 * Does an event come from the account that owns what it names? In an organisation deployment every member account may
 * put events on the central bus (`aws:PrincipalOrgID`), and EventBridge sets an event's `account` to the account it
 * came from; but what the detail names (task, cluster, task definition, service deployment ARNs) is only as honest as
 * the forwarding rule that delivered it. A member must never make the gate stop a task, roll back a service or record
 * a use in another account, so an event whose resources belong to another account than its own is refused before
 * anything is read or done (docs/organisation.md). Pure: no SDK, no I/O.
 *
 * Events the central account alone produces (scan builds of the gate's own project, the sweep schedule) must carry the
 * central account when one is configured. Inspector findings are not checked: they only make the gate re-judge a
 * digest, which is the same verdict in every account (and Inspector's delegated administrator receives its members'
 * findings under its own account). An event without `account` (not from EventBridge: tests, `simulate`) is not checked.
 */

export interface EventAccountMismatch {
  /** The account the event came from (`account` of the envelope). */
  eventAccount: string;
  /** The account the named resource belongs to ("unknown" when the ARN has none). */
  resourceAccount: string;
  /** The resource whose account differs (an ARN, an image reference, or the event kind for central-only events). */
  resource: string;
  reason: string;
}

export interface EventAccountOptions {
  /** The central account of an organisation deployment; undefined for a single-account gate. */
  centralAccount?: string;
}

export function eventAccountMismatch(event: GateEvent, options: EventAccountOptions = {}): EventAccountMismatch | undefined {
  const eventAccount = event.meta.account;
  if (eventAccount === undefined) return undefined;
  const named = resourcesNamedBy(event);
  if (named === 'central') {
    if (options.centralAccount === undefined || eventAccount === options.centralAccount) return undefined;
    return {
      eventAccount,
      resourceAccount: options.centralAccount,
      resource: event.kind,
      reason: `${event.kind} events come from the central account ${options.centralAccount} only, this one from ${eventAccount}`,
    };
  }
  for (const { resource, account } of named) {
    if (account === eventAccount) continue;
    return {
      eventAccount,
      resourceAccount: account ?? 'unknown',
      resource,
      reason: `the event comes from account ${eventAccount} but names ${resource}${account ? `, of account ${account}` : ', whose account cannot be told'}`,
    };
  }
  return undefined;
}

type Named = { resource: string; account: string | undefined }[] | 'central';

function resourcesNamedBy(event: GateEvent): Named {
  const arns = (...values: (string | undefined)[]) => values.filter((value): value is string => value !== undefined).map((arn) => ({ resource: arn, account: accountOf(arn) }));
  switch (event.kind) {
    case 'taskStateChange':
    case 'taskStopped':
      // A task runs only task definitions of its own account: all three belong to the account that runs the task.
      return arns(event.task.taskArn, event.task.clusterArn, event.task.taskDefinitionArn);
    case 'runTaskCall':
      return event.tasks.flatMap((task) => arns(task.taskArn, task.clusterArn, task.taskDefinitionArn));
    case 'hookAwaitingAction':
      return 'serviceDeploymentArn' in event.target ? arns(event.target.serviceDeploymentArn, event.target.serviceArn) : arns(event.target.serviceArn);
    case 'scanBuildFinished':
    case 'sweep':
      return 'central';
    // A push names its registry by the event's own account and region (core/events/ecr-image-action.ts): nothing to compare.
    case 'imagePushed':
    case 'inspectorFinding':
    case 'ignored':
      return [];
  }
}
