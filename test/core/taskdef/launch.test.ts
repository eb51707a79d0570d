import fc from 'fast-check';
import { z } from 'zod';
import { InputError } from '../../../functions/core/errors';
import { assertProperty } from '../../support/property';
import { join } from 'node:path';
import { launchFactsFromRecordedRequest, launchFactsFromRequest, launchFactsFromServiceRevision, launchFactsFromTask } from '../../../functions/core/taskdef/launch';
import { CONFORMANCE_DIR, describeWithConformance, readConformanceJson, type JsonObject } from '../../support/conformance';

const ORIGIN = 'from the RunTask request run.json';

describe('launchFactsFromRequest', () => {
  it('reads ECS Exec, the platform version and the public IP, each with its source', () => {
    const request = {
      cluster: 'prod',
      taskDefinition: 'web:3',
      launchType: 'FARGATE',
      enableExecuteCommand: true,
      platformVersion: '1.3.0',
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'], assignPublicIp: 'ENABLED' } },
    };
    expect(launchFactsFromRequest(request, 'run.json', ORIGIN)).toEqual({
      execCommand: { value: true, source: ORIGIN },
      platformVersion: { value: '1.3.0', source: ORIGIN },
      publicIp: { value: true, source: ORIGIN },
    });
  });

  it('fills what the request leaves out with the documented RunTask defaults, saying so: Exec off, LATEST, no public IP', () => {
    const defaulted = `${ORIGIN} (RunTask default)`;
    expect(launchFactsFromRequest('{"taskDefinition": "web:3"}', 'run.json', ORIGIN)).toEqual({
      execCommand: { value: false, source: defaulted },
      platformVersion: { value: 'LATEST', source: defaulted },
      publicIp: { value: false, source: defaulted },
    });
  });

  it('refuses an empty object and a response (service, services, tasks) instead of reading API defaults as facts', () => {
    expect(() => launchFactsFromRequest({}, 'run.json', ORIGIN)).toThrow(/run\.json.*not a RunTask request.*none of taskDefinition/s);
    for (const member of ['service', 'services', 'tasks']) {
      expect(() => launchFactsFromRequest({ [member]: {}, taskDefinition: 'web:3' }, 'run.json', ORIGIN)).toThrow(
        new RegExp(`run\\.json.*not a RunTask request.*top-level "${member}"`, 's'),
      );
    }
  });

  it('refuses a document that is not an object and a field of the wrong type, naming the file and path', () => {
    expect(() => launchFactsFromRequest([], 'run.json', ORIGIN)).toThrow(InputError);
    expect(() => launchFactsFromRequest({ networkConfiguration: { awsvpcConfiguration: { assignPublicIp: 'YES' } } }, 'run.json', ORIGIN)).toThrow(
      /run\.json.*networkConfiguration\.awsvpcConfiguration\.assignPublicIp/s,
    );
  });
});

describeWithConformance('launchFactsFromRequest on real ECS API responses', () => {
  it.each(['awscli-example-create-service-fargate.json', 'awscli-example-update-service-fargate.json', 'awscli-example-run-task-fargate-provisioning.json'])(
    'refuses %s: a response, not a request',
    (file) => {
      expect(() => launchFactsFromRequest(readConformanceJson(join(CONFORMANCE_DIR, 'ecs-api', file)), file, ORIGIN)).toThrow(/not a RunTask request.*top-level/s);
    },
  );
});

describe('launchFactsFromRecordedRequest (a CloudTrail RunTask requestParameters)', () => {
  it('reads the request as launchFactsFromRequest does, API defaults included', () => {
    const request = { cluster: 'prod', taskDefinition: 'web:3', networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'], assignPublicIp: 'ENABLED' } } };
    expect(launchFactsFromRecordedRequest(request, 'from the RunTask call')).toEqual({
      execCommand: { value: false, source: 'from the RunTask call' },
      platformVersion: { value: 'LATEST', source: 'from the RunTask call' },
      publicIp: { value: true, source: 'from the RunTask call' },
    });
  });

  it('gives no fact at all for a record it cannot read, instead of throwing or guessing', () => {
    for (const unreadable of [null, 'text', [], { enableExecuteCommand: 'yes' }, { networkConfiguration: { awsvpcConfiguration: { assignPublicIp: 'SOMETIMES' } } }]) {
      expect(launchFactsFromRecordedRequest(unreadable, 'from the RunTask call')).toEqual({});
    }
  });
});

describe('launchFactsFromTask', () => {
  it('takes only what the task states: a missing enableExecuteCommand stays unknown, and a task never gives a public IP', () => {
    expect(launchFactsFromTask({ platformVersion: '1.4.0' }, 'from the ECS task event')).toEqual({ platformVersion: { value: '1.4.0', source: 'from the ECS task event' } });
    expect(launchFactsFromTask({ enableExecuteCommand: false, platformVersion: '1.4.0', attachments: [] }, 'x')).toEqual({
      execCommand: { value: false, source: 'x' },
      platformVersion: { value: '1.4.0', source: 'x' },
    });
    expect(launchFactsFromTask({ enableExecuteCommand: 'true', platformVersion: 7 }, 'x')).toEqual({});
    expect(launchFactsFromTask(null, 'x')).toEqual({});
  });

  it('a platform version is a fact up to 64 characters, counted as code points (as zod counts them)', () => {
    expect(launchFactsFromTask({ platformVersion: '' }, 'x')).toEqual({});
    expect(launchFactsFromTask({ platformVersion: 'v'.repeat(64) }, 'x')).toEqual({ platformVersion: { value: 'v'.repeat(64), source: 'x' } });
    expect(launchFactsFromTask({ platformVersion: 'v'.repeat(65) }, 'x')).toEqual({});
    expect(launchFactsFromTask({ platformVersion: '\u{1F600}'.repeat(64) }, 'x')).toEqual({ platformVersion: { value: '\u{1F600}'.repeat(64), source: 'x' } });
    expect(launchFactsFromTask({ platformVersion: '\u{1F600}'.repeat(65) }, 'x')).toEqual({});
  });

  it('reads a task as the zod schema it replaced did (read without zod since: every task event reads it)', () => {
    const former = z.looseObject({
      enableExecuteCommand: z.boolean().nullish().catch(undefined),
      platformVersion: z.string().min(1).max(64).nullish().catch(undefined),
    });
    const formerFacts = (task: unknown) => {
      const parsed = former.safeParse(task);
      if (!parsed.success) return {};
      const facts: Record<string, unknown> = {};
      if (typeof parsed.data.enableExecuteCommand === 'boolean') facts.execCommand = { value: parsed.data.enableExecuteCommand, source: 'x' };
      if (typeof parsed.data.platformVersion === 'string') facts.platformVersion = { value: parsed.data.platformVersion, source: 'x' };
      return facts;
    };
    const member = fc.oneof(fc.jsonValue(), fc.string({ unit: 'binary', maxLength: 70 }), fc.constantFrom('v'.repeat(64), 'v'.repeat(65), '\u{1F600}'.repeat(40)));
    assertProperty(
      fc.property(fc.oneof(fc.jsonValue(), fc.record({ enableExecuteCommand: member, platformVersion: member }, { requiredKeys: [] })), (task) => {
        expect(launchFactsFromTask(task, 'x')).toEqual(formerFacts(task));
      }),
      { numRuns: 1000 },
    );
  });
});

describeWithConformance('launchFactsFromTask on real ECS Task State Change events (../shared/conformance/events)', () => {
  const detail = (file: string) => (readConformanceJson(join(CONFORMANCE_DIR, 'events', file)) as { detail: JsonObject }).detail;

  it('fivexl sample: ECS Exec enabled and platform version 1.4.0, no public IP among its ENI details', () => {
    const event = detail('ecs-task-state-change-fargate-stopped-two-containers-fivexl.json');
    expect(launchFactsFromTask(event, 'e')).toEqual({ execCommand: { value: true, source: 'e' }, platformVersion: { value: '1.4.0', source: 'e' } });
    // The ENI attachment names no public address: the reason launchFactsFromTask never sets publicIp.
    const names = (event.attachments as { details: { name: string }[] }[]).flatMap((a) => a.details.map((d) => d.name));
    expect(names.filter((name) => /public/i.test(name))).toEqual([]);
    expect(names).toContain('privateIPv4Address');
  });

  it('AWS documentation sample: platform version 1.3.0 only (it predates enableExecuteCommand, so ECS Exec stays unknown)', () => {
    expect(launchFactsFromTask(detail('ecs-task-state-change-fargate-running-awsdocs.json'), 'e')).toEqual({ platformVersion: { value: '1.3.0', source: 'e' } });
  });
});

describe('launchFactsFromServiceRevision', () => {
  const S = 'from the service revision';
  it('reads the platform version and the public IP; an awsvpc configuration without assignPublicIp is the API default, DISABLED', () => {
    expect(launchFactsFromServiceRevision({ platformVersion: 'LATEST', networkConfiguration: { awsvpcConfiguration: { subnets: ['s'], assignPublicIp: 'ENABLED' } } })).toEqual({
      platformVersion: { value: 'LATEST', source: S },
      publicIp: { value: true, source: S },
    });
    expect(launchFactsFromServiceRevision({ platformVersion: '1.3.0', networkConfiguration: { awsvpcConfiguration: { subnets: ['s'] } } })).toEqual({
      platformVersion: { value: '1.3.0', source: S },
      publicIp: { value: false, source: S },
    });
  });

  it('never gives ECS Exec (a service revision has no enableExecuteCommand), and leaves out what the revision does not state or states wrongly', () => {
    expect(launchFactsFromServiceRevision({ enableExecuteCommand: true })).toEqual({});
    expect(launchFactsFromServiceRevision({ networkConfiguration: { awsvpcConfiguration: { assignPublicIp: 'MAYBE' } }, platformVersion: 3 })).toEqual({});
    expect(launchFactsFromServiceRevision('revision')).toEqual({});
  });
});
