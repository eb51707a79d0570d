import { actionField, enabledField, from, whenUnknownField } from './common';
import { defineRule } from './types';

/** ECS.2 is the service control, ECS.16 the task-set one; PCI DSS 1.4.4 is the mapping given for ECS.16 (anchors §4 [H7]). */
export const publicIp = defineRule({
  key: 'publicIp',
  title: 'Public IP',
  severity: 'high',
  controls: ['Security Hub ECS.2', 'Security Hub ECS.16', 'Control Tower CT.ECS.PR.9', 'Checkov CKV_AWS_333', 'PCI DSS 1.4.4 (ECS.16)'],
  schema: (z) => z
    .strictObject({
      enabled: enabledField(z),
      action: actionField(z, 'a task that gets a public IP'),
      whenUnknown: whenUnknownField(z, 'whether the task gets a public IP'),
    })
    .meta({
      title: 'Public IP',
      description:
        'The task is not given a public IP (`networkConfiguration.awsvpcConfiguration.assignPublicIp: "ENABLED"`, Security Hub ECS.2 / ECS.16). A launch setting (RunTask, the service), not a task-definition one.',
    }),
  check: (_config, { launch }) => {
    const fact = launch.publicIp;
    if (!fact) return { notJudged: 'whether the task gets a public IP is unknown (it is a RunTask or service setting, not in the task definition)' };
    return fact.value
      ? [{ message: `the task is assigned a public IP ${from(fact.source)}; set \`assignPublicIp\` to "DISABLED" and reach the internet through a NAT gateway or a load balancer`, details: { source: fact.source } }]
      : [];
  },
});
