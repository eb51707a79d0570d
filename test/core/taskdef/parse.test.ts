import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTaskDefinition } from '../../../functions/core/taskdef/parse';
import { inputErrorOf } from '../../support/input-error';

const FIXTURES = join(__dirname, '../../fixtures/taskdefs');
const fixture = (name: string): unknown => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'));

function minimal(containers: unknown[] = [{ name: 'app', image: 'nginx:1.27' }]): Record<string, unknown> {
  return { family: 'web', containerDefinitions: containers };
}

describe('parseTaskDefinition: shapes', () => {
  it('reads the tags beside the task definition (DescribeTaskDefinition include TAGS, RegisterTaskDefinition input), within ECS\'s limits', () => {
    const containerDefinitions = [{ name: 'app', image: 'app:1' }];
    expect(parseTaskDefinition({ taskDefinition: { family: 'web', containerDefinitions }, tags: [{ key: 'team', value: 'payments' }] }, 'described').tags).toEqual({ team: 'payments' });
    expect(parseTaskDefinition({ family: 'web', containerDefinitions, tags: [{ key: 'team', value: 'search' }, { key: 'empty' }] }, 'register input').tags).toEqual({ team: 'search', empty: '' });
    expect(parseTaskDefinition({ taskDefinition: { family: 'web', containerDefinitions } }, 'untagged').tags).toBeUndefined();
    // Tags never decide admission: a list that does not read is left out, never a reason to refuse the task definition.
    const hostile = [
      { key: '__proto__', value: 'x' },
      { key: 'k'.repeat(129), value: 'too long a key' },
      { key: 'long', value: 'v'.repeat(257) },
      7,
      null,
      ...Array.from({ length: 60 }, (_, i) => ({ key: `t${i}`, value: `${i}` })),
    ];
    const tags = parseTaskDefinition({ family: 'web', containerDefinitions, tags: hostile }, 'hostile').tags ?? {};
    expect(Object.keys(tags)).toHaveLength(50);
    expect(Object.getPrototypeOf(tags)).toBe(Object.prototype);
    expect(Object.hasOwn(tags, '__proto__')).toBe(true);
    expect(tags.long).toBeUndefined();
    expect(parseTaskDefinition({ family: 'web', containerDefinitions, tags: 'team=payments' }, 'not a list').tags).toBeUndefined();
  });

  it('reads DescribeTaskDefinition output with every field the gate uses', () => {
    const spec = parseTaskDefinition(fixture('fargate-web-describe.json'), 'describe.json');
    expect(spec.arn).toBe('arn:aws:ecs:eu-west-1:111122223333:task-definition/web-api:42');
    expect(spec.family).toBe('web-api');
    expect(spec.revision).toBe(42);
    expect(spec.containers.map((c) => c.name)).toEqual(['app', 'log-router']);

    const [app, router] = spec.containers;
    expect(app).toEqual({
      name: 'app',
      image: '111122223333.dkr.ecr.eu-west-1.amazonaws.com/web-api@sha256:0c1f0ed5a9f1b0d4d2b1d4e0e6d88fd2bfcd1ab5a2d1e7b1b0a0f8e3c6d2a4b1',
      user: '1000:1000',
      environment: [
        { name: 'SPRING_PROFILES_ACTIVE', value: 'prod' },
        { name: 'DB_PASSWORD', value: 'hunter2-in-plaintext' },
        { name: 'FEATURE_FLAGS', value: '' },
      ],
      overrideEnvironment: [],
      secretNames: ['DB_URL', 'API_TOKEN'],
      readonlyRootFilesystem: true,
      addedCapabilities: [],
      cpu: 0,
      logDriver: 'awsfirelens',
      essential: true,
      environmentFiles: [{ value: 'arn:aws:s3:::web-api-config/prod.env', type: 's3', origin: 'taskDefinition' }],
    });
    expect(spec.networkMode).toBe('awsvpc');
    expect(router.user).toBe('0');
    expect(router.essential).toBe(false);
    expect(router.addedCapabilities).toEqual(['SYS_PTRACE']);
    expect(router.readonlyRootFilesystem).toBeUndefined();
    expect(router.environmentFiles).toEqual([]);
  });

  it('reads a bare task definition and RegisterTaskDefinition input alike', () => {
    const describe = fixture('fargate-web-describe.json') as { taskDefinition: unknown };
    // The tags sit beside the task definition in DescribeTaskDefinition output, so only the wrapped form has them.
    const { tags, ...wrapped } = parseTaskDefinition(describe, 'wrapped');
    expect(parseTaskDefinition(describe.taskDefinition, 'bare')).toEqual(wrapped);
    expect(tags).toEqual({ team: 'payments' });

    const spec = parseTaskDefinition(fixture('register-input-cli.json'), 'taskdef.json');
    expect(spec.family).toBe('batch-report');
    expect(spec.revision).toBeUndefined();
    expect(spec.arn).toBeUndefined();
    expect(spec.containers).toEqual([
      {
        name: 'report',
        image: 'ghcr.io/example/report:2.3.1',
        user: undefined,
        environment: [
          { name: 'LOG_LEVEL', value: 'info' },
          { name: 'EMPTY_FROM_TEMPLATE', value: '' },
        ],
        overrideEnvironment: [],
        secretNames: [],
        readonlyRootFilesystem: false,
        addedCapabilities: [],
        essential: true,
        environmentFiles: [],
      },
    ]);
  });

  it('names a revision family:revision when the document has no ARN', () => {
    expect(parseTaskDefinition({ ...minimal(), revision: 7 }, 'x').arn).toBe('web:7');
  });

  it('reads JSON text, including text that starts with a byte-order mark', () => {
    const text = `\uFEFF${JSON.stringify(minimal())}`;
    expect(parseTaskDefinition(text, 'taskdef.json').containers[0].image).toBe('nginx:1.27');
  });

  it('treats an empty user as no user, since Docker then runs the image USER', () => {
    const spec = parseTaskDefinition(minimal([{ name: 'app', image: 'nginx', user: '' }]), 'x');
    expect(spec.containers[0].user).toBeUndefined();
  });

  it('keeps secret names and capabilities once each, in their order', () => {
    const spec = parseTaskDefinition(
      minimal([
        {
          name: 'app',
          image: 'nginx',
          secrets: [
            { name: 'B', valueFrom: 'arn:1' },
            { name: 'A', valueFrom: 'arn:2' },
            { name: 'B', valueFrom: 'arn:3' },
          ],
          linuxParameters: { capabilities: { add: ['NET_ADMIN', 'SYS_PTRACE', 'NET_ADMIN'] } },
        },
      ]),
      'x',
    );
    expect(spec.containers[0].secretNames).toEqual(['B', 'A']);
    expect(spec.containers[0].addedCapabilities).toEqual(['NET_ADMIN', 'SYS_PTRACE']);
  });

  it('keeps every environment entry, duplicates included: each value is judged', () => {
    const spec = parseTaskDefinition(
      minimal([
        {
          name: 'app',
          image: 'nginx',
          environment: [
            { name: 'TOKEN', value: 'a' },
            { name: 'TOKEN', value: 'b' },
          ],
        },
      ]),
      'x',
    );
    expect(spec.containers[0].environment).toEqual([
      { name: 'TOKEN', value: 'a' },
      { name: 'TOKEN', value: 'b' },
    ]);
  });

  it('reads environment entries without a name, as ECS accepts them (API_KeyValuePair), keeping their values to judge', () => {
    // DescribeTaskDefinition can return such entries: refusing the task definition would leave the task unjudged.
    const spec = parseTaskDefinition(
      {
        taskDefinition: minimal([
          {
            name: 'app',
            image: 'nginx',
            environment: [{ value: 'AKIAQ3EGRBZ7XN2LUYPW' }, { name: 'MODE', value: 'prod' }, { name: '', value: 'x' }, { name: null, value: null }],
          },
        ]),
      },
      'x',
    );
    expect(spec.containers[0].environment).toEqual([
      { name: '(unnamed #0)', value: 'AKIAQ3EGRBZ7XN2LUYPW' },
      { name: 'MODE', value: 'prod' },
      { name: '(unnamed #2)', value: 'x' },
      { name: '(unnamed #3)', value: '' },
    ]);
  });

  it('ignores keys AWS may add in future', () => {
    const spec = parseTaskDefinition({ ...minimal([{ name: 'app', image: 'nginx', someNewKey: { deep: [1] } }]), anotherNewKey: true }, 'x');
    expect(spec.containers[0].name).toBe('app');
  });
});

describe('parseTaskDefinition: malformed input', () => {
  it.each([
    ['a container without a name', minimal([{ image: 'nginx' }]), 'x at containerDefinitions[0].name: is required: expected a string'],
    ['a container without an image', minimal([{ name: 'app' }]), 'x at containerDefinitions[0].image: is required: expected a string'],
    ['an empty image', minimal([{ name: 'app', image: '' }]), 'x at containerDefinitions[0].image: expected a non-empty string, got an empty string'],
    ['environment that is not a list', minimal([{ name: 'app', image: 'nginx', environment: { A: '1' } }]), 'x at containerDefinitions[0].environment: expected an array, got an object'],
    ['an environment entry whose name is not a string', minimal([{ name: 'app', image: 'nginx', environment: [{ name: 7, value: '1' }] }]), 'x at containerDefinitions[0].environment[0].name: expected a string, got the number 7'],
    ['a numeric environment value', minimal([{ name: 'app', image: 'nginx', environment: [{ name: 'PORT', value: 8080 }] }]), 'x at containerDefinitions[0].environment[0].value: expected a string, got the number 8080'],
    ['essential as a string', minimal([{ name: 'app', image: 'nginx', essential: 'yes' }]), 'x at containerDefinitions[0].essential: expected true or false, got the string "yes"'],
    ['capabilities.add that is a string', minimal([{ name: 'app', image: 'nginx', linuxParameters: { capabilities: { add: 'SYS_ADMIN' } } }]), 'x at containerDefinitions[0].linuxParameters.capabilities.add: expected an array, got the string "SYS_ADMIN"'],
    ['an environment file without a value', minimal([{ name: 'app', image: 'nginx', environmentFiles: [{ type: 's3' }] }]), 'containerDefinitions[0].environmentFiles[0].value: is required'],
    ['no containers', minimal([]), 'x at containerDefinitions: expected at least 1 item, got an empty array'],
    ['containerDefinitions that is not a list', { family: 'web', containerDefinitions: 'app' }, 'x at containerDefinitions: expected an array, got the string "app"'],
    ['a revision that is not a positive integer', { ...minimal(), revision: 0 }, 'x at revision: expected at least 1, got the number 0'],
  ])('rejects %s, naming the JSON path', (_label, input, message) => {
    expect(inputErrorOf(() => parseTaskDefinition(input, 'x')).message).toContain(message);
  });

  it('prefixes paths with taskDefinition for DescribeTaskDefinition output', () => {
    const error = inputErrorOf(() => parseTaskDefinition({ taskDefinition: minimal([{ name: 'app' }]) }, 'describe.json'));
    expect(error.message).toBe('describe.json at taskDefinition.containerDefinitions[0].image: is required: expected a string');
    expect(error.source).toBe('describe.json');
    expect(error.path).toBe('taskDefinition.containerDefinitions[0].image');
  });

  it('says how many more problems there are beyond the first', () => {
    const error = inputErrorOf(() => parseTaskDefinition(minimal([{}, { name: 'b' }]), 'x'));
    expect(error.message).toMatch(/containerDefinitions\[0\]\.name: is required: expected a string \(and 2 more problems\)$/);
  });

  it('rejects duplicate container names, naming both places', () => {
    const error = inputErrorOf(() =>
      parseTaskDefinition(
        minimal([
          { name: 'app', image: 'a' },
          { name: 'sidecar', image: 'b' },
          { name: 'app', image: 'c' },
        ]),
        'x',
      ),
    );
    expect(error.path).toBe('containerDefinitions[2].name');
    expect(error.message).toContain('duplicate container name "app" (also at containerDefinitions[0].name)');
  });

  it.each([
    ['null', null, 'got null'],
    ['an array', [minimal()], 'got an array of 1'],
    ['a number', 42, 'got the number 42'],
    ['an object with no container definitions', { family: 'web' }, 'has no "containerDefinitions"'],
  ])('rejects %s at the top level and says which shapes it accepts', (_label, input, message) => {
    const error = inputErrorOf(() => parseTaskDefinition(input, 'x'));
    expect(error.message).toContain(message);
    expect(error.message).toContain('DescribeTaskDefinition output');
  });

  it('explains that a task definition reference is not a task definition', () => {
    const error = inputErrorOf(() => parseTaskDefinition({ cluster: 'default', taskDefinition: 'sleep360:1' }, 'run-task-input.json'));
    expect(error.path).toBe('taskDefinition');
    expect(error.message).toContain('reference to a task definition ("sleep360:1")');
  });

  it('rejects a taskDefinition that is not an object', () => {
    expect(inputErrorOf(() => parseTaskDefinition({ taskDefinition: [] }, 'x')).message).toBe('x at taskDefinition: expected a task definition object, got an empty array');
  });

  it('recognises a CloudFormation resource and says what it expected instead', () => {
    const error = inputErrorOf(() => parseTaskDefinition({ Type: 'AWS::ECS::TaskDefinition', Properties: { ContainerDefinitions: [] } }, 'template'));
    expect(error.message).toContain('CloudFormation');
  });

  it('rejects JSON text that does not parse with the line and column, never quoting it (it may hold credentials)', () => {
    const error = inputErrorOf(() => parseTaskDefinition('{"family": "web",\n "environment": [{"value": "hunter2-s3cret"} x]}', 'taskdef.json'));
    expect(error.message).toBe(`taskdef.json: the task definition is not valid JSON at line 2, column 46 (character 63): expected ',' or ']'`);
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  it('says empty JSON text is empty, and which shapes it accepts', () => {
    expect(inputErrorOf(() => parseTaskDefinition('\ufeff', 'taskdef.json')).message).toMatch(/^taskdef\.json: the task definition is empty; expected DescribeTaskDefinition output/);
  });
});

describe('parseTaskDefinition: the settings the hardening rules read', () => {
  it('reads host namespaces, privileged, capabilities dropped, the log driver and the container limits', () => {
    const spec = parseTaskDefinition(
      {
        networkMode: 'host',
        pidMode: 'host',
        ipcMode: 'host',
        containerDefinitions: [
          {
            name: 'app',
            image: 'app:1',
            privileged: true,
            cpu: 256,
            memory: 512,
            memoryReservation: 128,
            logConfiguration: { logDriver: 'awslogs', options: {} },
            linuxParameters: { capabilities: { add: ['SYS_PTRACE'], drop: ['ALL', 'ALL'] } },
          },
          { name: 'bare', image: 'bare:1', privileged: null, logConfiguration: null },
        ],
      },
      'hardening.json',
    );
    expect([spec.networkMode, spec.pidMode, spec.ipcMode]).toEqual(['host', 'host', 'host']);
    expect(spec.containers[0]).toMatchObject({ privileged: true, cpu: 256, memory: 512, memoryReservation: 128, logDriver: 'awslogs', addedCapabilities: ['SYS_PTRACE'], droppedCapabilities: ['ALL'] });
    const bare = spec.containers[1];
    expect([bare.privileged, bare.logDriver, bare.memory, bare.cpu, bare.droppedCapabilities]).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });

  it('refuses a privileged flag that is not a boolean, naming its JSON path', () => {
    expect(() => parseTaskDefinition({ containerDefinitions: [{ name: 'a', image: 'a:1', privileged: 'yes' }] }, 'bad.json')).toThrow(/containerDefinitions\[0\]\.privileged/);
  });
});
