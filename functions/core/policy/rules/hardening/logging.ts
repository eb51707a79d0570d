import * as z from 'zod';
import { actionField, enabledField, who } from './common';
import { defineRule } from './types';

export const logging = defineRule({
  key: 'logging',
  title: 'Log configuration',
  severity: 'low',
  controls: ['Security Hub ECS.9', 'AWS Config ecs-task-definition-log-configuration', 'Control Tower CT.ECS.PR.5', 'cdk-nag ECSTaskDefinitionContainerLogging'],
  schema: z
    .strictObject({ enabled: enabledField(), action: actionField('an essential container without a log configuration') })
    .meta({
      title: 'Logging',
      description: 'Every essential container names a log driver (`logConfiguration.logDriver`, Security Hub ECS.9): without one, what the container prints is lost.',
    }),
  check: (_config, { containers }) =>
    containers
      .filter((c) => c.essential && (c.logDriver === undefined || c.logDriver.trim() === ''))
      .map((c) => ({ container: c.name, message: `essential ${who(c.name)} has no log configuration; set \`logConfiguration\` (e.g. logDriver "awslogs" or "awsfirelens")` })),
});
