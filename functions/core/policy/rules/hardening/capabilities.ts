import { actionField, enabledField, who } from './common';
import { defineRule } from './types';

/** No published control checks Linux capabilities (anchors §4): the rule names none. */
export const capabilities = defineRule({
  key: 'capabilities',
  title: 'Linux capabilities',
  severity: 'medium',
  controls: [],
  schema: (z) => z
    .strictObject({
      enabled: enabledField(z),
      action: actionField(z, 'a container that adds Linux capabilities (or does not drop them all, under requireDropAll)'),
      requireDropAll: z
        .boolean()
        .default(false)
        .meta({ title: 'Require drop ALL', description: 'Every container must also list "ALL" in `linuxParameters.capabilities.drop`. Default false.' }),
    })
    .meta({
      title: 'Linux capabilities',
      description:
        'No container adds Linux capabilities (`linuxParameters.capabilities.add`); with requireDropAll, every container drops them all. Fargate allows adding only SYS_PTRACE. No published control checks this.',
    }),
  check: (config, { containers }) =>
    containers.flatMap((c) => {
      const added = c.addedCapabilities;
      const dropsAll = (c.droppedCapabilities ?? []).some((cap) => cap.trim().toUpperCase() === 'ALL');
      const problems: string[] = [];
      const fixes: string[] = [];
      if (added.length > 0) {
        problems.push(`adds Linux capabilities ${added.join(', ')} (\`linuxParameters.capabilities.add\`)`);
        fixes.push('remove the added capabilities');
      }
      if (config.requireDropAll && !dropsAll) {
        problems.push('does not drop all capabilities (`linuxParameters.capabilities.drop` lacks "ALL")');
        fixes.push('set `drop: ["ALL"]`');
      }
      if (problems.length === 0) return [];
      return [
        {
          container: c.name,
          message: `${who(c.name)} ${problems.join(' and ')}; ${fixes.join(' and ')}`,
          details: { added: added.length > 0 ? added.join(',') : undefined, dropsAll },
        },
      ];
    }),
});
