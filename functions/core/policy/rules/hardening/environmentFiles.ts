import { actionField, enabledField, who } from './common';
import { defineRule } from './types';

/** No AWS or IaC control looks at `environmentFiles` (anchors §4, "gaps the gate can fill"). */
export const environmentFiles = defineRule({
  key: 'environmentFiles',
  title: 'Environment files',
  severity: 'low',
  controls: [],
  schema: (z) => z
    .strictObject({ enabled: enabledField(z), action: actionField(z, 'a container that loads environment files') })
    .meta({
      title: 'Environment files',
      description:
        'Reports containers that load `environmentFiles` (S3 objects ECS reads into the environment at start, from the task definition or RunTask overrides). ' +
        'The gate cannot read them, so plaintext credentials in them are not judged: prefer `secrets` with `valueFrom`. No published control checks this.',
    }),
  check: (_config, { containers }) =>
    containers
      .filter((c) => (c.environmentFiles ?? []).length > 0)
      .map((c) => {
        const files = c.environmentFiles ?? [];
        const origins = [...new Set(files.map((f) => (f.origin === 'overrides' ? 'the RunTask overrides' : 'the task definition')))].join(' and ');
        return {
          container: c.name,
          message:
            `${who(c.name)} loads ${files.length} environment file${files.length === 1 ? '' : 's'} from ${origins} (${files.map((f) => f.value).join(', ')}); ` +
            'their contents cannot be seen by the gate, so credentials in them are not judged: move credentials to `secrets` with `valueFrom`',
          details: { files: files.length },
        };
      }),
});
