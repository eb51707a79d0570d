import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { applyOverrides, applyReadableOverrides } from '../../../functions/core/taskdef/overrides';
import { parseTaskDefinition, applyOverrides as reexported } from '../../../functions/core/taskdef/parse';
import type { TaskDefinitionSpec } from '../../../functions/core/taskdef/model';
import { CONFORMANCE_DIR, describeWithConformance } from '../../support/conformance';
import { inputErrorOf } from '../../support/input-error';
import { assertProperty } from '../../support/property';

const FIXTURES = join(__dirname, '../../fixtures/taskdefs');

function webSpec(): TaskDefinitionSpec {
  return parseTaskDefinition(JSON.parse(readFileSync(join(FIXTURES, 'fargate-web-describe.json'), 'utf8')), 'describe.json');
}

describe('applyOverrides', () => {
  it('is also exported from parse.ts', () => {
    expect(reexported).toBe(applyOverrides);
  });

  it('puts override environment into overrideEnvironment of the named container only', () => {
    const spec = webSpec();
    const result = applyOverrides(
      spec,
      {
        containerOverrides: [
          { name: 'app', environment: [{ name: 'AWS_SECRET_ACCESS_KEY', value: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' }], command: ['sh', '-c', 'env'] },
          { name: 'log-router' },
        ],
        inferenceAcceleratorOverrides: [],
        taskRoleArn: 'arn:aws:iam::111122223333:role/other',
      },
      'RunTask overrides',
    );
    const [app, router] = result.containers;
    expect(app.overrideEnvironment).toEqual([{ name: 'AWS_SECRET_ACCESS_KEY', value: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' }]);
    expect(app.environment).toEqual(spec.containers[0].environment);
    expect(router).toEqual(spec.containers[1]);
  });

  it('notes override environment files next to the task definition ones', () => {
    const result = applyOverrides(webSpec(), { containerOverrides: [{ name: 'app', environmentFiles: [{ value: 'arn:aws:s3:::other/run.env', type: 's3' }] }] }, 'x');
    expect(result.containers[0].environmentFiles).toEqual([
      { value: 'arn:aws:s3:::web-api-config/prod.env', type: 's3', origin: 'taskDefinition' },
      { value: 'arn:aws:s3:::other/run.env', type: 's3', origin: 'overrides' },
    ]);
  });

  it('merges two overrides for one container in order', () => {
    const result = applyOverrides(
      webSpec(),
      {
        containerOverrides: [
          { name: 'app', environment: [{ name: 'A', value: '1' }] },
          { name: 'app', environment: [{ name: 'B', value: '2' }] },
        ],
      },
      'x',
    );
    expect(result.containers[0].overrideEnvironment).toEqual([
      { name: 'A', value: '1' },
      { name: 'B', value: '2' },
    ]);
  });

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['no containerOverrides', {}],
    ['an empty list', { containerOverrides: [] }],
    ['name-only overrides (what ECS reports for a plain RunTask)', { containerOverrides: [{ name: 'app' }] }],
    ['a nameless override that changes nothing', { containerOverrides: [{ environment: [] }] }],
  ])('leaves the spec as it was for %s', (_label, overrides) => {
    const spec = webSpec();
    expect(applyOverrides(spec, overrides, 'x')).toEqual(spec);
  });

  it('does not change the spec it is given', () => {
    const spec = webSpec();
    const before = structuredClone(spec);
    applyOverrides(spec, { containerOverrides: [{ name: 'app', environment: [{ name: 'X', value: 'y' }], environmentFiles: [{ value: 'arn:aws:s3:::b/k', type: 's3' }] }] }, 'x');
    expect(spec).toEqual(before);
  });

  it('gives the same spec when the same overrides are applied twice (duplicate events)', () => {
    const arbEnv = fc.array(fc.record({ name: fc.constantFrom('A', 'B', 'TOKEN'), value: fc.string({ maxLength: 5 }) }), { maxLength: 6 });
    assertProperty(
      fc.property(arbEnv, arbEnv, (app, router) => {
        const overrides = { containerOverrides: [{ name: 'app', environment: app }, { name: 'log-router', environment: router }] };
        const once = applyOverrides(webSpec(), overrides, 'x');
        expect(applyOverrides(once, overrides, 'x')).toEqual(once);
        for (const entry of app) expect(once.containers[0].overrideEnvironment).toContainEqual(entry);
      }),
    );
  });

  it('rejects an override naming a container the task definition does not have', () => {
    const error = inputErrorOf(() => applyOverrides(webSpec(), { containerOverrides: [{ name: 'app' }, { name: 'debug', environment: [] }] }, 'event 123'));
    expect(error.path).toBe('containerOverrides[1].name');
    expect(error.message).toBe(
      'event 123 at containerOverrides[1].name: names container "debug", which task definition arn:aws:ecs:eu-west-1:111122223333:task-definition/web-api:42 does not have (containers: "app", "log-router")',
    );
  });

  it('rejects a nameless override that changes something', () => {
    const error = inputErrorOf(() => applyOverrides(webSpec(), { containerOverrides: [{ environment: [{ name: 'A', value: '1' }] }] }, 'x'));
    expect(error.path).toBe('containerOverrides[0].name');
  });

  it.each([
    ['a list', [], 'expected the RunTask overrides object'],
    ['a string', 'app', 'expected the RunTask overrides object'],
    ['containerOverrides that is an object', { containerOverrides: { name: 'app' } }, 'x at containerOverrides: expected an array, got an object'],
    ['environment that is not a list', { containerOverrides: [{ name: 'app', environment: 'A=1' }] }, 'x at containerOverrides[0].environment: expected an array, got the string "A=1"'],
    ['an environment entry with a value that is not a string', { containerOverrides: [{ name: 'app', environment: [{ name: 'PORT', value: 8080 }] }] }, 'x at containerOverrides[0].environment[0].value: expected a string, got the number 8080'],
    ['a container override that is not an object', { containerOverrides: ['app'] }, 'x at containerOverrides[0]: expected a container override object, got the string "app"'],
    ['the object holding the overrides', { overrides: { containerOverrides: [] } }, 'pass the overrides object itself'],
  ])('rejects %s', (_label, overrides, message) => {
    expect(inputErrorOf(() => applyOverrides(webSpec(), overrides, 'x')).message).toContain(message);
  });
});

describe('applyReadableOverrides', () => {
  const KEY_ID = { name: 'AWS_ACCESS_KEY_ID', value: 'AKIAQ3EGRBZ7XN2LUYPW' };
  const SECRET = { name: 'AWS_SECRET_ACCESS_KEY', value: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKQ' };

  it('keeps every readable entry when one is unreadable, and names the one it left out', () => {
    const reading = applyReadableOverrides(
      webSpec(),
      { containerOverrides: [{ name: 'app', environment: [KEY_ID, { name: 'PORT', value: 8080 }, SECRET] }, { name: 'log-router', environment: 'A=1' }] },
      'event 7',
    );
    expect(reading.spec.containers[0].overrideEnvironment).toEqual([KEY_ID, SECRET]);
    expect(reading.problems.map((problem) => problem.message)).toEqual([
      'event 7 at containerOverrides[0].environment[1].value: expected a string, got the number 8080',
      'event 7 at containerOverrides[1].environment: expected an array, got the string "A=1"',
    ]);
  });

  it('keeps the other container overrides when one names a container the task definition lacks, or none at all', () => {
    const reading = applyReadableOverrides(
      webSpec(),
      { containerOverrides: [{ name: 'debug', environment: [KEY_ID] }, { environment: [SECRET] }, 42, { name: 'app', environment: [SECRET] }] },
      'x',
    );
    expect(reading.spec.containers[0].overrideEnvironment).toEqual([SECRET]);
    expect(reading.problems.map((problem) => problem.path)).toEqual(['containerOverrides[0].name', 'containerOverrides[1].name', 'containerOverrides[2]']);
  });

  it('reads a nameless or empty-named entry under a placeholder that keeps its own index', () => {
    const reading = applyReadableOverrides(webSpec(), { containerOverrides: [{ name: 'app', environment: [{ name: 'A', value: 7 }, KEY_ID, { name: '', value: 'x' }, { value: 'y' }] }] }, 'x');
    expect(reading.spec.containers[0].overrideEnvironment).toEqual([KEY_ID, { name: '(unnamed #2)', value: 'x' }, { name: '(unnamed #3)', value: 'y' }]);
    expect(reading.problems).toHaveLength(1);
  });

  it('gives the spec unchanged with one problem for overrides that are not an object at all', () => {
    const spec = webSpec();
    const reading = applyReadableOverrides(spec, ['app'], 'x');
    expect(reading.spec).toEqual(spec);
    expect(reading.problems[0].message).toContain('expected the RunTask overrides object');
  });

  it('agrees with applyOverrides whenever the overrides are readable', () => {
    assertProperty(
      fc.property(fc.array(fc.record({ name: fc.constantFrom('A', 'B', ''), value: fc.string() }), { maxLength: 5 }), (environment) => {
        const overrides = { containerOverrides: [{ name: 'app', environment }] };
        const reading = applyReadableOverrides(webSpec(), overrides, 'x');
        expect(reading.problems).toEqual([]);
        expect(reading.spec).toEqual(applyOverrides(webSpec(), overrides, 'x'));
      }),
    );
  });
});

describeWithConformance('applyOverrides on real override shapes', () => {
  it('applies ECS Task State Change detail.overrides (aws-lambda-dotnet sample, BOM and all)', () => {
    const text = readFileSync(join(CONFORMANCE_DIR, 'events/ecs-task-state-change-fargate-running-env-override-bom-aws-lambda-dotnet.json'), 'utf8');
    const event = JSON.parse(text.replace(/^\uFEFF/, ''));
    const spec = parseTaskDefinition(
      { taskDefinitionArn: event.detail.taskDefinitionArn, containerDefinitions: event.detail.containers.map((c: { name: string; image: string }) => ({ name: c.name, image: c.image })) },
      'built from the event',
    );
    const result = applyOverrides(spec, event.detail.overrides, 'event detail.overrides');
    expect(result.containers[0].name).toBe('FargateApp');
    expect(result.containers[0].overrideEnvironment).toEqual([{ name: 'testname', value: 'testvalue' }]);
  });

  it('applies a CloudTrail RunTask requestParameters.overrides (same API_TaskOverride shape)', () => {
    // CloudTrail records RunTask request parameters as the API received them; built here around the real
    // Fargate RunTask response's container, since the conformance set has no CloudTrail RunTask record.
    const response = JSON.parse(readFileSync(join(CONFORMANCE_DIR, 'ecs-api/awscli-example-run-task-fargate-provisioning.json'), 'utf8'));
    const task = response.tasks[0];
    const spec = parseTaskDefinition({ taskDefinitionArn: task.taskDefinitionArn, containerDefinitions: task.containers.map((c: { name: string; image: string }) => ({ name: c.name, image: c.image })) }, 'x');
    const requestParameters = {
      cluster: 'default',
      taskDefinition: 'mytaskdef:4',
      launchType: 'FARGATE',
      overrides: { containerOverrides: [{ name: 'container-using-ebs', command: ['env'], environment: [{ name: 'MODE', value: 'debug' }] }] },
    };
    expect(applyOverrides(spec, requestParameters.overrides, 'CloudTrail requestParameters.overrides').containers[0].overrideEnvironment).toEqual([{ name: 'MODE', value: 'debug' }]);
    // The response's own overrides name the same container and change nothing.
    expect(applyOverrides(spec, task.overrides, 'RunTask response overrides')).toEqual(spec);
  });
});
