import { actionField, enabledField, who } from './common';
import { defineRule } from './types';

export const resourceLimits = defineRule({
  key: 'resourceLimits',
  title: 'Container resource limits',
  severity: 'low',
  controls: ['Control Tower CT.ECS.PR.7'],
  schema: (z) => z
    .strictObject({
      enabled: enabledField(z),
      action: actionField(z, 'a container without the limits the policy asks for'),
      requireMemory: z.boolean().default(true).meta({ title: 'Require memory', description: 'Every container sets `memory`, a hard limit in MiB (`memoryReservation` is a soft one and does not count). Default true.' }),
      requireCpu: z.boolean().default(false).meta({ title: 'Require CPU', description: 'Every container sets `cpu` units above 0. Default false.' }),
    })
    .meta({
      title: 'Resource limits',
      description:
        'Containers set the limits the policy asks for, so one container cannot starve the others of the task (Control Tower CT.ECS.PR.7 asks for a memory hard limit). ' +
        'On Fargate the task size caps the task as a whole either way.',
    }),
  check: (config, { containers }) =>
    containers.flatMap((c) => {
      const missing: string[] = [];
      if (config.requireMemory && !(c.memory !== undefined && c.memory > 0)) missing.push('memory hard limit (`memory`)');
      if (config.requireCpu && !(c.cpu !== undefined && c.cpu > 0)) missing.push('CPU limit (`cpu`)');
      return missing.length === 0 ? [] : [{ container: c.name, message: `${who(c.name)} has no ${missing.join(' and no ')}; set ${missing.length === 1 ? 'it' : 'them'} in the container definition` }];
    }),
});
