import { hostNamespaceRule } from './hostNamespace';

/** Security Hub retired ECS.1 in March 2026; ECS.17 checks host network mode now (anchors §4). */
export const hostNetwork = hostNamespaceRule({
  key: 'hostNetwork',
  field: 'networkMode',
  namespace: 'network',
  controls: ['Security Hub ECS.17', 'AWS Config ecs-task-definition-network-mode-not-host', 'Control Tower CT.ECS.PR.4', 'Control Tower CT.ECS.PR.8'],
  why: 'Host networking lets a container bind host ports and see the host\'s interfaces. Fargate requires "awsvpc".',
  fix: 'use `networkMode: "awsvpc"`',
});
