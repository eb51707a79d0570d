import { actionField, enabledField, from, whenUnknownField } from './common';
import { defineRule } from './types';

const VERSION = /^\d+\.\d+\.\d+$/;

/** Numeric comparison of "1.4.0"-style versions. */
function compareVersions(a: string, b: string): number {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return 0;
}

/**
 * Security Hub ECS.10 asks for the latest Fargate platform version; "LATEST" (the RunTask and CreateService
 * default) always satisfies it. A pinned version passes when it is at least the minimum of the task's operating
 * system: Fargate's Linux and Windows platform versions are numbered separately (Linux 1.4.0, Windows 1.0.0), as the
 * AWS Config rule ecs-fargate-latest-platform-version takes latestLinuxVersion and latestWindowsVersion
 * (https://docs.aws.amazon.com/config/latest/developerguide/ecs-fargate-latest-platform-version.html,
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/platform-windows-fargate.html).
 * The family is the task definition's runtimePlatform.operatingSystemFamily (WINDOWS_* is Windows), LINUX when the
 * task definition leaves it out (the ECS default); with no task definition at all, a pinned number is not judged:
 * comparing it with the wrong family's minimum would be a guess.
 */
export const platformVersion = defineRule({
  key: 'platformVersion',
  title: 'Fargate platform version',
  severity: 'medium',
  controls: ['Security Hub ECS.10', 'AWS Config ecs-fargate-latest-platform-version', 'Control Tower CT.ECS.PR.1', 'Checkov CKV_AWS_332'],
  schema: (z) => z
    .strictObject({
      enabled: enabledField(z),
      action: actionField(z, 'a task pinned to a Fargate platform version older than minimum'),
      minimum: z
        .string()
        .regex(VERSION, { message: 'expected a platform version such as "1.4.0"' })
        .default('1.4.0')
        .meta({ title: 'Minimum', description: 'The oldest pinned platform version allowed for a Linux task. Default "1.4.0", the latest Linux version. "LATEST" always passes.', examples: ['1.4.0'] }),
      minimumWindows: z
        .string()
        .regex(VERSION, { message: 'expected a platform version such as "1.0.0"' })
        .default('1.0.0')
        .meta({
          title: 'Minimum (Windows)',
          description: 'The oldest pinned platform version allowed for a Windows task (runtimePlatform.operatingSystemFamily WINDOWS_*); Fargate numbers Windows versions separately. Default "1.0.0", the latest Windows version.',
          examples: ['1.0.0'],
        }),
      whenUnknown: whenUnknownField(z, 'the platform version'),
    })
    .meta({
      title: 'Fargate platform version',
      description:
        'A Fargate task runs on "LATEST" or a platform version at least `minimum` (Security Hub ECS.10). A launch setting (RunTask, the service, the task event), not a task-definition one.',
    }),
  check: (config, { launch, task }) => {
    const fact = launch.platformVersion;
    if (!fact) return { notJudged: 'the Fargate platform version is unknown (it is a RunTask, service or task setting, not in the task definition)' };
    const version = fact.value.trim();
    if (version.toUpperCase() === 'LATEST') return [];
    if (!VERSION.test(version)) {
      return [{ message: `the task's platform version ${JSON.stringify(version)} ${from(fact.source)} is not a version the gate can compare with a minimum; use "LATEST" or a version such as "1.4.0" (Linux) or "1.0.0" (Windows)`, details: { platformVersion: version, source: fact.source } }];
    }
    const family = task.operatingSystemFamily;
    if (!family) return { notJudged: `the task's operating system family is unknown (no task definition), so the minimum for platform version ${version} (Linux or Windows) cannot be chosen` };
    const windows = family.value.toUpperCase().startsWith('WINDOWS');
    const minimum = windows ? config.minimumWindows : config.minimum;
    const os = windows ? `Windows (${family.value})` : family.defaulted ? 'Linux (no runtimePlatform: the ECS default LINUX)' : `Linux (${family.value})`;
    return compareVersions(version, minimum) < 0
      ? [{ message: `the task runs on Fargate platform version ${version} ${from(fact.source)}, older than the policy's ${os} minimum ${minimum}; use "LATEST" or ${minimum}`, details: { platformVersion: version, minimum, operatingSystemFamily: family.value, source: fact.source } }]
      : [];
  },
});
