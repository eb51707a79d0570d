import { actionField, enabledField, from, whenUnknownField } from './common';
import { defineRule } from './types';

/** No published control checks ECS Exec (anchors §4): it gives a shell, as root whatever `user` says [U6]. */
export const execCommand = defineRule({
  key: 'execCommand',
  title: 'ECS Exec',
  severity: 'medium',
  controls: [],
  schema: (z) => z
    .strictObject({
      enabled: enabledField(z),
      action: actionField(z, 'a task launched with ECS Exec enabled'),
      whenUnknown: whenUnknownField(z, 'whether ECS Exec is enabled'),
    })
    .meta({
      title: 'ECS Exec',
      description:
        'The task is not launched with `enableExecuteCommand: true` (RunTask, the service, or the task itself). An Exec session is a shell in the container, as root whatever `user` says. ' +
        'A launch setting, not a task-definition one: judged only when the RunTask call, the service or the task event is known. No published control checks this.',
    }),
  check: (_config, { launch }) => {
    const fact = launch.execCommand;
    if (!fact) return { notJudged: 'whether ECS Exec is enabled is unknown (it is a RunTask, service or task setting, not in the task definition)' };
    return fact.value
      ? [{ message: `ECS Exec is enabled for the task ${from(fact.source)}; set \`enableExecuteCommand\` to false`, details: { source: fact.source } }]
      : [];
  },
});
