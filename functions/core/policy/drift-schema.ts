import * as z from 'zod';
import { lazySchema } from '../lazy-schema';
import { SEVERITIES } from '../severity';
import { DURATION_PATTERN, parseDuration } from './duration';

/**
 * The policy's `drift` part: what happens when an image already running turns failing on new vulnerability data
 * (shared/DESIGN.md "Posture"). Its own module so the policy schema grows by one line; `schema.ts` hands it the
 * match object the mode overrides use, so a drift scope matches containers exactly as a mode override does. Built
 * when the policy schema is, never at module load (../lazy-schema.ts).
 */

const duration = (title: string, description: string) =>
  z
    .string()
    .regex(new RegExp(DURATION_PATTERN), { message: 'expected a duration such as "3d", "12h", "30m" or "1d12h" (units w, d, h, m, s)' })
    .superRefine((text, ctx) => {
      if (!new RegExp(DURATION_PATTERN).test(text)) return;
      const parsed = parseDuration(text);
      if ('error' in parsed) ctx.addIssue({ code: 'custom', message: parsed.error });
    })
    .meta({ title, description, examples: ['3d', '12h'] });

const grace = lazySchema(() => z
  .strictObject(
    Object.fromEntries(
      SEVERITIES.map((severity) => [
        severity,
        duration(`Grace for ${severity}`, `How long new launches of a digest stay allowed after a ${severity} finding drifted in (its new verdict denies it, the previous allowed it).`).optional(),
      ]),
    ) as Record<(typeof SEVERITIES)[number], z.ZodOptional<ReturnType<typeof duration>>>,
  )
  .meta({
    title: 'Grace',
    description:
      'Per severity: how long after a drift finding opened new launches of the digest are still allowed (with a warning). After it they are denied with "drift grace expired". ' +
      'A severity without a grace is denied at once, as without a drift part.',
  }));

const actOnRunning = lazySchema(() => z
  .strictObject({
    stopStandaloneTasks: z
      .boolean()
      .optional()
      .meta({ title: 'Stop standalone tasks', description: 'Stop running standalone tasks (no service) of a digest whose drift grace expired. Default false.' }),
    rollBackServices: z
      .boolean()
      .optional()
      .meta({
        title: 'Roll back services',
        description: 'Roll services running a digest whose drift grace expired back to the revision their deployment replaced, when that revision passes. Default false.',
      }),
    scaleServicesToZero: z
      .boolean()
      .optional()
      .meta({
        title: 'Scale services to zero',
        description:
          'Only with rollBackServices: a service with no passing revision to return to is scaled to zero. A service is never scaled to zero for drift unless this says so. Default false.',
      }),
  })
  .meta({ title: 'Act on running tasks', description: 'What is done to tasks already running once the drift grace expired. Nothing unless a scope opts in.' }));

const settings = lazySchema(() => ({
  notify: z.boolean().optional().meta({ title: 'Notify', description: 'Publish drift findings as "Fargate Gate Finding" events at once. Default true.' }),
  grace: grace().optional(),
  actOnRunning: actOnRunning().optional(),
}));

export function driftSchema<TMatch extends z.ZodType>(match: TMatch) {
  const scope = z
    .strictObject({
      match,
      ...settings(),
      reason: z.string().min(1).optional().meta({ title: 'Reason', description: 'Why this scope has its own drift settings; shown in reports.' }),
    })
    .meta({ title: 'Drift scope', description: 'Drift settings for the containers the match selects; a setting the scope omits is the drift part\'s own.' });
  return z
    .strictObject({
      ...settings(),
      scopes: z
        .array(scope)
        .optional()
        .meta({ title: 'Scopes', description: 'Tried in order, first match wins (as modeOverrides). A container no scope matches gets the drift part\'s own settings.' }),
    })
    .meta({
      title: 'Drift',
      description:
        'What happens when a digest in use turns failing on new vulnerability data: drift findings are notified at once, new launches are denied after a grace per severity, ' +
        'and running tasks are acted on only where a scope opts in.',
    });
}
