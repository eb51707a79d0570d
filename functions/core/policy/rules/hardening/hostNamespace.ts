import { actionField, enabledField } from './common';
import { defineRule } from './types';

type Field = 'networkMode' | 'pidMode' | 'ipcMode';

/** A task-level `host` namespace setting: the three rules differ only in the field, the words and the controls. */
export function hostNamespaceRule(spec: { key: string; field: Field; namespace: string; controls: readonly string[]; why: string; fix: string }) {
  return defineRule({
    key: spec.key,
    title: `Host ${spec.namespace} namespace`,
    severity: 'high',
    controls: spec.controls,
    schema: (z) => z
      .strictObject({ enabled: enabledField(z), action: actionField(z, `a task that shares the host's ${spec.namespace} namespace`) })
      .meta({
        title: `Host ${spec.namespace} namespace`,
        description: `The task definition's \`${spec.field}\` is not "host". ${spec.why}${spec.controls.length === 0 ? ' No published control checks this.' : ''}`,
      }),
    check: (_config, { task }) =>
      task[spec.field]?.toLowerCase() === 'host'
        ? [{ message: `the task shares the host's ${spec.namespace} namespace (\`${spec.field}: "${task[spec.field]}"\`); ${spec.fix}`, details: { [spec.field]: task[spec.field] } }]
        : [],
  });
}
