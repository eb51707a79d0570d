import type { ZodNamespace } from '../../../zod-on-demand';

/*
 * The config pieces every hardening rule shares. Kept here rather than imported from ../../schema, which imports
 * the rules: the policy schema is assembled from them.
 */

export const enabledField = (z: ZodNamespace) =>
  z.boolean().default(true).meta({ title: 'Enabled', description: 'Set to false to keep the rule in the file without applying it. Default true.' });

export const actionField = (z: ZodNamespace, what: string) =>
  z.enum(['deny', 'warn']).meta({
    title: 'Action',
    description: `What ${what} gets. "deny" fails the evaluation (and blocks in enforce mode); "warn" only reports.`,
  });

export const whenUnknownField = (z: ZodNamespace, fact: string) =>
  z
    .enum(['note', 'warn'])
    .default('note')
    .meta({
      title: 'When unknown',
      description:
        `What the result says when ${fact} is not known (e.g. the CLI given only a task definition): "note" (default) lists the rule as not judged in the result's notes; ` +
        '"warn" reports a warning. The rule never counts an unknown fact as compliant.',
    });

/** `container app`, for messages. */
export const who = (name: string) => `container ${name}`;

/** Where a launch fact came from, for messages: "(from the RunTask call)". */
export const from = (source: string) => `(${source})`;
