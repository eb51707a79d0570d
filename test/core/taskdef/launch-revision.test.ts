import fc from 'fast-check';
import * as z from 'zod';
import { launchFactsFromServiceRevision } from '../../../functions/core/taskdef/launch';
import type { LaunchFacts } from '../../../functions/core/policy/rules/hardening/types';
import { assertProperty } from '../../support/property';
import { jsonish } from '../events/mutate';

/*
 * launchFactsFromServiceRevision reads a service revision without zod (every hook invocation reads one). It gives what
 * the zod schema it replaced gave, held here beside it: the same facts for any value.
 */
const revisionLaunchSchema = z.looseObject({
  platformVersion: z.string().min(1).max(64).nullish().catch(undefined),
  networkConfiguration: z
    .looseObject({ awsvpcConfiguration: z.looseObject({ assignPublicIp: z.enum(['ENABLED', 'DISABLED']).nullish() }).nullish() })
    .nullish()
    .catch(undefined),
});

function bySchema(revision: unknown, origin: string): LaunchFacts {
  const parsed = revisionLaunchSchema.safeParse(revision);
  if (!parsed.success) return {};
  const facts: LaunchFacts = {};
  if (typeof parsed.data.platformVersion === 'string') facts.platformVersion = { value: parsed.data.platformVersion, source: origin };
  const awsvpc = parsed.data.networkConfiguration?.awsvpcConfiguration;
  if (awsvpc) facts.publicIp = { value: awsvpc.assignPublicIp === 'ENABLED', source: origin };
  return facts;
}

const member = fc.constantFrom<unknown>(undefined, null, '', '1.4.0', 'LATEST', 'x'.repeat(64), 'x'.repeat(65), '\u{1F600}'.repeat(64), '\u{1F600}'.repeat(65), 'ENABLED', 'DISABLED', 'enabled', 0, true, [], {});
const revision = fc.oneof(
  jsonish,
  fc.record(
    {
      platformVersion: member,
      networkConfiguration: fc.oneof(member, fc.record({ awsvpcConfiguration: fc.oneof(member, fc.record({ assignPublicIp: member, subnets: fc.constant(['subnet-1']) }, { requiredKeys: [] })) }, { requiredKeys: [] })),
      taskDefinition: fc.constant('arn:aws:ecs:eu-west-1:123456789012:task-definition/web:3'),
    },
    { requiredKeys: [] },
  ),
);

describe('launchFactsFromServiceRevision', () => {
  it('gives the facts the zod schema gave, for any value', () => {
    assertProperty(
      fc.property(revision, (value) => {
        expect(launchFactsFromServiceRevision(value, 'from the revision')).toEqual(bySchema(value, 'from the revision'));
      }),
      { numRuns: 2000 },
    );
  });
});
