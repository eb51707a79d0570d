import type * as events from 'aws-cdk-lib/aws-events';
import {
  fargateTaskStartingPattern,
  fargateTaskStoppedPattern,
  hookAwaitingActionPattern,
  imagePushPattern,
  inspectorImageFindingPattern,
  runTaskCallPattern,
  type ClusterScope,
} from './event-patterns';

/**
 * The events an organisation deployment carries from the member accounts to the central gate: one list that the member
 * stack's forwarding rules (infra/member-stack.ts) and the organisation bus's rules (infra/organisation.ts) are both
 * made from, with the very patterns the central stack's own rules use (infra/event-patterns.ts). An event the gate
 * listens to at home but no member forwards would leave the organisation's inventory or admission wrong, so a kind
 * added here reaches both sides at once (test/infra/forwarded-events.test.ts).
 */

export type ForwardedEventKind = 'taskStarting' | 'taskStopped' | 'hookAwaitingAction' | 'runTaskCall' | 'imagePush' | 'inspectorFinding';

export interface ForwardedEvent {
  kind: ForwardedEventKind;
  /** Construct id suffix of the rule (`Member<id>` on the organisation bus, `<id>` in the member stack). */
  id: string;
  /** What the rule carries, for its description. */
  what: string;
  pattern: events.EventPattern;
}

export function forwardedEvents(clusters: ClusterScope): ForwardedEvent[] {
  return [
    { kind: 'taskStarting', id: 'FargateTaskStarting', what: 'Fargate tasks starting', pattern: fargateTaskStartingPattern(clusters) },
    // STOPPED events close the task's uses in the inventory (handlers/posture/record-uses.ts).
    { kind: 'taskStopped', id: 'FargateTaskStopped', what: 'Fargate tasks that stopped (inventory)', pattern: fargateTaskStoppedPattern(clusters) },
    { kind: 'hookAwaitingAction', id: 'HookAwaitingAction', what: 'service deployments paused at a PAUSE lifecycle hook', pattern: hookAwaitingActionPattern() },
    { kind: 'runTaskCall', id: 'RunTaskCall', what: 'successful RunTask calls (CloudTrail; needs a trail)', pattern: runTaskCallPattern() },
    { kind: 'imagePush', id: 'ImagePush', what: 'pushes to the repositories in scope (prescan)', pattern: imagePushPattern(undefined) },
    // "If your account is an Amazon Inspector delegated administrator account, EventBridge publishes events to your
    // account and the member account where the events originated" ("Creating custom responses to Amazon Inspector
    // findings with Amazon EventBridge", https://docs.aws.amazon.com/inspector/latest/user/findings-managing-automating-responses.html):
    // a member's finding reaches the central gate only if the member forwards it, unless the central account is
    // Inspector's delegated administrator too; then it arrives twice, and the second finds the digest already marked
    // (or judged within the hour, or a scan under way: handlers/posture/inspector.ts), so nothing is done twice.
    { kind: 'inspectorFinding', id: 'InspectorFinding', what: 'active Amazon Inspector findings on ECR images (re-judges a digest in use)', pattern: inspectorImageFindingPattern() },
  ];
}
