import * as z from 'zod';
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
 * default) always satisfies it. A pinned version passes when it is at least `minimum`.
 */
export const platformVersion = defineRule({
  key: 'platformVersion',
  title: 'Fargate platform version',
  severity: 'medium',
  controls: ['Security Hub ECS.10', 'AWS Config ecs-fargate-latest-platform-version', 'Control Tower CT.ECS.PR.1', 'Checkov CKV_AWS_332'],
  schema: z
    .strictObject({
      enabled: enabledField(),
      action: actionField('a task pinned to a Fargate platform version older than minimum'),
      minimum: z
        .string()
        .regex(VERSION, { message: 'expected a platform version such as "1.4.0"' })
        .default('1.4.0')
        .meta({ title: 'Minimum', description: 'The oldest pinned platform version allowed. Default "1.4.0", the latest Linux version. "LATEST" always passes.', examples: ['1.4.0'] }),
      whenUnknown: whenUnknownField('the platform version'),
    })
    .meta({
      title: 'Fargate platform version',
      description:
        'A Fargate task runs on "LATEST" or a platform version at least `minimum` (Security Hub ECS.10). A launch setting (RunTask, the service, the task event), not a task-definition one.',
    }),
  check: (config, { launch }) => {
    const fact = launch.platformVersion;
    if (!fact) return { notJudged: 'the Fargate platform version is unknown (it is a RunTask, service or task setting, not in the task definition)' };
    const version = fact.value.trim();
    if (version.toUpperCase() === 'LATEST') return [];
    if (!VERSION.test(version)) {
      return [{ message: `the task's platform version ${JSON.stringify(version)} ${from(fact.source)} is not a version the gate can compare with the minimum ${config.minimum}; use "LATEST" or a version such as "1.4.0"`, details: { platformVersion: version, source: fact.source } }];
    }
    return compareVersions(version, config.minimum) < 0
      ? [{ message: `the task runs on Fargate platform version ${version} ${from(fact.source)}, older than the policy's minimum ${config.minimum}; use "LATEST" or ${config.minimum}`, details: { platformVersion: version, minimum: config.minimum, source: fact.source } }]
      : [];
  },
});
