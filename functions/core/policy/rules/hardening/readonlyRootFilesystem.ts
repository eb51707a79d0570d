import { actionField, enabledField, who } from './common';
import { defineRule } from './types';

/** Security Hub ECS.5 and its mappings; the NIST and PCI sets are those of the Control Tower metadata for ECS_CONTAINERS_READONLY_ACCESS (anchors §4 [H6]). */
export const readonlyRootFilesystem = defineRule({
  key: 'readonlyRootFilesystem',
  title: 'Read-only root filesystem',
  severity: 'medium',
  controls: [
    'Security Hub ECS.5',
    'AWS Config ecs-containers-readonly-access',
    'Control Tower CT.ECS.PR.6',
    'Checkov CKV_AWS_336',
    'NIST 800-53 r5 AC-2(1), AC-3, AC-3(15), AC-3(7), AC-5, AC-6',
    'PCI DSS 3.2.1 7.1.1, 7.2.1, 7.2.2',
  ],
  schema: (z) => z
    .strictObject({ enabled: enabledField(z), action: actionField(z, 'a container with a writable root filesystem') })
    .meta({
      title: 'Read-only root filesystem',
      description:
        'Every container sets `readonlyRootFilesystem: true` (Security Hub ECS.5). A writable root filesystem lets an intruder change binaries and configuration; ' +
        'the read-only one is the preventive control behind file-integrity monitoring. Note: ECS Exec does not work with a read-only root filesystem.',
    }),
  check: (_config, { containers }) =>
    containers
      .filter((c) => c.readonlyRootFilesystem !== true)
      .map((c) => ({
        container: c.name,
        message:
          `${who(c.name)} has a writable root filesystem (\`readonlyRootFilesystem\` is ${c.readonlyRootFilesystem === false ? 'false' : 'not set'}); ` +
          'set `readonlyRootFilesystem: true` and mount a volume where the application must write',
        details: { readonlyRootFilesystem: c.readonlyRootFilesystem === false ? false : 'unset' },
      })),
});
