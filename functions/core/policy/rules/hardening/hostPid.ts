import { hostNamespaceRule } from './hostNamespace';

export const hostPid = hostNamespaceRule({
  key: 'hostPid',
  field: 'pidMode',
  namespace: 'PID',
  controls: ['Security Hub ECS.3', 'AWS Config ecs-task-definition-pid-mode-check', 'Control Tower CT.ECS.PR.10', 'Checkov CKV_AWS_335'],
  why: 'A container in the host\'s PID namespace sees (and can signal) every process on the host.',
  fix: 'remove `pidMode` or set it to "task"',
});
