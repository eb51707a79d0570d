import { actionField, enabledField, who } from './common';
import { defineRule } from './types';

/*
 * Security Hub ECS.9's Config rule, ecs-task-definition-log-configuration, is NON_COMPLIANT when logConfiguration is
 * missing in at least one container definition, essential or not
 * (https://docs.aws.amazon.com/config/latest/developerguide/ecs-task-definition-log-configuration.html). Checking
 * essential containers only would let a workload marked `essential: false` run without logs, so that is an opt-in.
 */
export const logging = defineRule({
  key: 'logging',
  title: 'Log configuration',
  severity: 'low',
  controls: ['Security Hub ECS.9', 'AWS Config ecs-task-definition-log-configuration', 'Control Tower CT.ECS.PR.5', 'cdk-nag ECSTaskDefinitionContainerLogging'],
  schema: (z) => z
    .strictObject({
      enabled: enabledField(z),
      action: actionField(z, 'a container without a log configuration'),
      essentialOnly: z
        .boolean()
        .default(false)
        .meta({
          title: 'Essential containers only',
          description:
            'true: only essential containers need a log configuration. Default false: every container, as Security Hub ECS.9 (Config ecs-task-definition-log-configuration) checks; a container marked essential: false is not exempt.',
        }),
    })
    .meta({
      title: 'Logging',
      description: 'Every container (or every essential one, with `essentialOnly`) names a log driver (`logConfiguration.logDriver`, Security Hub ECS.9): without one, what the container prints is lost.',
    }),
  check: (config, { containers }) =>
    containers
      .filter((c) => (c.essential || !config.essentialOnly) && (c.logDriver === undefined || c.logDriver.trim() === ''))
      .map((c) => ({
        container: c.name,
        message: `${c.essential ? 'essential' : 'non-essential'} ${who(c.name)} has no log configuration; set \`logConfiguration\` (e.g. logDriver "awslogs" or "awsfirelens")`,
      })),
});
