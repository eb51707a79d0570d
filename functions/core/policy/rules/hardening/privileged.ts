import { actionField, enabledField, who } from './common';
import { defineRule } from './types';

export const privileged = defineRule({
  key: 'privileged',
  title: 'Privileged container',
  severity: 'critical',
  controls: ['Security Hub ECS.4', 'AWS Config ecs-containers-nonprivileged', 'Control Tower CT.ECS.PR.11', 'Checkov CKV_AWS_334'],
  schema: (z) => z
    .strictObject({ enabled: enabledField(z), action: actionField(z, 'a privileged container') })
    .meta({
      title: 'Privileged',
      description: 'No container sets `privileged: true` (Security Hub ECS.4): a privileged container has root on the host. Fargate refuses it; a task definition for EC2 or ECS Anywhere does not.',
    }),
  check: (_config, { containers }) =>
    containers
      .filter((c) => c.privileged === true)
      .map((c) => ({ container: c.name, message: `${who(c.name)} is privileged (\`privileged: true\`), which gives it root on the host; remove \`privileged\`` })),
});
