import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { InputError } from '../../functions/core/errors';
import { defaultGateFactory } from '../../functions/cli/simulate-gate';
import { runScenario } from '../../functions/cli/simulate-runner';
import { loadScenario, parseScenario } from '../../functions/cli/simulate-scenario';

const REPORTS = resolve(__dirname, '../../examples/reports');
const ECR = '123456789012.dkr.ecr.us-east-1.amazonaws.com';
const FILE = join(mkdtempSync(join(tmpdir(), 'scenario-')), 'scenario.json');

function valid(): Record<string, unknown> {
  return {
    name: 'valid',
    policy: resolve(__dirname, '../../policies/default.json'),
    taskDefinitions: [{ family: 'job', revision: 1, containerDefinitions: [{ name: 'job', image: `${ECR}/batch/job:1` }] }],
    images: { [`${ECR}/batch/job:1`]: { digest: `sha256:${'1'.repeat(64)}`, scan: { report: join(REPORTS, 'distroless-nonroot.trivy.json') } } },
    services: [{ name: 'web', cluster: 'prod', taskDefinition: 'job:1' }],
    steps: [{ runTask: { taskDefinition: 'job:1', as: 'j' } }, { advanceClock: '5m' }],
  };
}

async function problem(document: unknown): Promise<InputError> {
  try {
    await parseScenario(document, FILE);
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('the scenario was accepted');
}

const at = (path: string) => `${FILE} at ${path}: `;

describe('scenario validation', () => {
  it('accepts a valid scenario and fills in the defaults', async () => {
    const scenario = await parseScenario(valid(), FILE);
    expect(scenario).toMatchObject({ account: '123456789012', region: 'us-east-1', start: '2026-01-05T09:00:00Z' });
    expect(scenario.services[0]).toEqual({ name: 'web', cluster: 'prod', taskDefinition: 'job:1', desiredCount: 1, lifecycleHook: false, running: true });
    expect(scenario.steps[0]).toMatchObject({ kind: 'runTask', labels: ['j'], cluster: 'default', cloudTrail: true, until: 'RUNNING' });
    expect(scenario.steps[1]).toMatchObject({ kind: 'advanceClock', milliseconds: 300_000 });
    expect(scenario.images[0].outcome?.report).toContain('"SchemaVersion": 2');
  });

  it('reads a PAUSE hook on a service (timeout 1h and ROLLBACK unless given), and marks a deployment to it as held there', async () => {
    const services = [
      { name: 'web', cluster: 'prod', taskDefinition: 'job:1', pauseHook: { timeout: '20m', timeoutAction: 'CONTINUE' } },
      { name: 'api', cluster: 'prod', taskDefinition: 'job:1', pauseHook: {} },
    ];
    const scenario = await parseScenario({ ...valid(), services, steps: [{ deployService: { service: 'web', taskDefinition: 'job:1' } }] }, FILE);
    expect(scenario.services.map((service) => service.pauseHook)).toEqual([
      { timeoutMs: 1_200_000, timeoutAction: 'CONTINUE' },
      { timeoutMs: 3_600_000, timeoutAction: 'ROLLBACK' },
    ]);
    expect(scenario.steps[0]).toMatchObject({ kind: 'deployService', viaHook: false, viaPauseHook: true });
  });

  it('runs a PAUSE hook to its timeout when the gate cannot decide: ECS takes the timeout action and no task of the held revision starts', async () => {
    const services = [{ name: 'web', cluster: 'prod', taskDefinition: 'job:1', desiredCount: 1, pauseHook: { timeout: '10m', timeoutAction: 'ROLLBACK' } }];
    const images = { [`${ECR}/batch/job:1`]: { digest: `sha256:${'1'.repeat(64)}`, scan: { report: join(REPORTS, 'distroless-nonroot.trivy.json') } }, [`${ECR}/batch/job:2`]: { digest: `sha256:${'2'.repeat(64)}`, scan: { timeout: true } } };
    const taskDefinitions = [...(valid().taskDefinitions as unknown[]), { family: 'job', revision: 2, containerDefinitions: [{ name: 'job', image: `${ECR}/batch/job:2` }] }];
    const scenario = await parseScenario(
      { ...valid(), taskDefinitions, images, services, world: { buildTimeout: '1h' }, steps: [{ deployService: { service: 'web', taskDefinition: 'job:2' } }, { advanceClock: '15m' }] },
      FILE,
    );
    const result = await runScenario(scenario, defaultGateFactory);
    expect(result.actions.filter((action) => action.type === 'continueServiceDeployment')).toEqual([]);
    expect(result.tasks.filter((task) => task.taskDefinition === 'job:2')).toEqual([]);
    expect(result.services.find((service) => service.name === 'web')?.running).toEqual([{ taskDefinition: 'job:1', tasks: 1 }]);
  });

  it('lets a step and an expectation name a service task as "<service>#<n>", as the README documents, but never a label with "#"', async () => {
    const steps = [{ taskState: { task: 'web#1', lastStatus: 'STOPPED' } }];
    const scenario = await parseScenario({ ...valid(), steps, expect: { tasks: { 'web#1': 'STOPPED' } } }, FILE);
    expect(scenario.steps[0]).toMatchObject({ kind: 'taskState', task: 'web#1', lastStatus: 'STOPPED' });
    const clash = await problem({ ...valid(), steps: [{ runTask: { taskDefinition: 'job:1', as: 'web#1' } }] });
    expect(clash.message).toContain(`${at('steps[0].runTask.as')}expected a label of letters, digits, _ . : -`);
  });

  it('moves the service task a "<service>#<n>" step names, and reports it under that name', async () => {
    const scenario = await parseScenario(
      { ...valid(), steps: [{ taskState: { task: 'web#1', lastStatus: 'STOPPED' } }, { advanceClock: '1m' }], expect: { tasks: { 'web#1': 'STOPPED', 'web#2': 'RUNNING' } } },
      FILE,
    );
    const result = await runScenario(scenario, defaultGateFactory);
    expect(result.tasks.find((task) => task.label === 'web#1')).toMatchObject({ lastStatus: 'STOPPED' });
    // ECS replaced the stopped task: the service's second task.
    expect(result.tasks.find((task) => task.label === 'web#2')).toMatchObject({ lastStatus: 'RUNNING' });
    expect(result.expectations.filter((e) => !e.ok)).toEqual([]);
  });

  it('numbers unlabelled tasks past the labels already taken', async () => {
    const scenario = await parseScenario({ ...valid(), steps: [{ runTask: { taskDefinition: 'job:1', as: 'task-1' } }, { runTask: { taskDefinition: 'job:1', count: 2 } }] }, FILE);
    expect(scenario.steps[1]).toMatchObject({ kind: 'runTask', labels: ['task-2', 'task-3'] });
  });

  const HUB_DIGEST = `sha256:${'3'.repeat(64)}`;
  it.each([
    ['a service task numbered from 0', { ...valid(), steps: [{ taskState: { task: 'web#0', lastStatus: 'STOPPED' } }] }, `${at('steps[0].taskState.task')}expected a task label (letters, digits, _ . : -) or "<service>#<n>" (n from 1)`],
    ['a task of a service not declared', { ...valid(), steps: [{ taskState: { task: 'api#1', lastStatus: 'STOPPED' } }] }, `${at('steps[0].taskState.task')}names task "api#1" of service "api", which the scenario does not declare (services: web)`],
    ['an expectation about a task of a service not declared', { ...valid(), expect: { tasks: { 'api#2': 'RUNNING' } } }, `${at('expect.tasks["api#2"]')}names task "api#2" of service "api", which the scenario does not declare`],
    ['a label that is a service name', { ...valid(), steps: [{ runTask: { taskDefinition: 'job:1', as: ['j', 'web'] } }] }, `${at('steps[0].runTask.as')}task label "web" is also the name of a service`],
    [
      'a label that is a declared image reference',
      { ...valid(), images: { ...(valid().images as object), 'etl:latest': { digest: HUB_DIGEST } }, steps: [{ runTask: { taskDefinition: 'job:1', as: 'etl' } }] },
      `${at('steps[0].runTask.as')}task label "etl" is also a reference to the image "etl:latest"`,
    ],
    [
      'a label that is a pushed image reference',
      { ...valid(), steps: [{ runTask: { taskDefinition: 'job:1', as: 'tools:2' } }, { push: { image: 'docker.io/library/tools:2', digest: HUB_DIGEST } }] },
      `${at('steps[0].runTask.as')}task label "tools:2" is also a reference to the image "docker.io/library/tools:2"`,
    ],
  ])('rejects %s, naming where', async (_what, document, message) => {
    expect((await problem(document)).message).toContain(message);
  });

  it('says so when the file is not JSON, naming the file and where it breaks', async () => {
    writeFileSync(FILE, '{ "name": "x", ');
    await expect(loadScenario(FILE)).rejects.toThrow(
      `${FILE}: the scenario is not valid JSON: the text ends at line 1, column 16 (character 15) where a property name in double quotes was expected, so the file is probably truncated`,
    );
  });

  it.each([
    ['a list instead of an object', [], `${FILE}: a scenario is a JSON object with name, policy, taskDefinitions and steps`],
    ['a missing name', { ...valid(), name: undefined }, `${at('name')}is required: expected a string`],
    ['an unknown top-level key', { ...valid(), setps: [] }, `${at('setps')}unknown key; expected one of`],
    ['an unknown step', { ...valid(), steps: [{ runtask: {} }] }, `${at('steps[0]')}has unknown step "runtask"; a step is one of runTask, taskState`],
    ['two steps in one object', { ...valid(), steps: [{ sweep: true, advanceClock: '1m' }] }, `${at('steps[0]')}has 2 steps (sweep, advanceClock); put each in its own object`],
    ['a bad duration', { ...valid(), steps: [{ advanceClock: '5 minutes' }] }, `${at('steps[0].advanceClock')}expected a duration such as "90s"`],
    ['an unknown task definition', { ...valid(), steps: [{ runTask: { taskDefinition: 'jobb:1' } }] }, `${at('steps[0].runTask.taskDefinition')}names task definition "jobb:1", which the scenario does not define (known: job:1)`],
    ['a task state for a task no step launched', { ...valid(), steps: [{ taskState: { task: 'ghost', lastStatus: 'RUNNING' } }] }, `${at('steps[0].taskState.task')}names task "ghost", which no earlier step launches`],
    ['an unknown task status', { ...valid(), steps: [{ runTask: { taskDefinition: 'job:1', as: 'j' } }, { taskState: { task: 'j', lastStatus: 'running' } }] }, `${at('steps[1].taskState.lastStatus')}expected one of "PROVISIONING"`],
    ['sweep: false', { ...valid(), steps: [{ sweep: false }] }, `${at('steps[0].sweep')}expected true, got false`],
    ['a digest that is not sha256', { ...valid(), images: { [`${ECR}/batch/job:1`]: { digest: 'sha256:abc' } } }, `${at(`images["${ECR}/batch/job:1"].digest`)}expected a sha256 digest`],
    ['an invalid image reference', { ...valid(), images: { 'Bad Image': { digest: `sha256:${'1'.repeat(64)}` } } }, `${at('images["Bad Image"]')}invalid image reference`],
    ['a scan outcome with two endings', { ...valid(), images: { [`${ECR}/batch/job:1`]: { digest: `sha256:${'1'.repeat(64)}`, scan: { report: 'x.json', error: 'y' } } } }, `${at(`images["${ECR}/batch/job:1"].scan`)}needs exactly one of report, error, timeout (how the scan ends), got report and error`],
    ['a report file that does not exist', { ...valid(), images: { [`${ECR}/batch/job:1`]: { digest: `sha256:${'1'.repeat(64)}`, scan: { report: 'nowhere.json' } } } }, `${at(`images["${ECR}/batch/job:1"].scan.report`)}cannot read report "nowhere.json" (paths are relative to the scenario file): no such file or directory`],
    ['a policy file that does not exist', { ...valid(), policy: 'no-policy.json' }, `${at('policy')}cannot read policy file "no-policy.json" (paths are relative to the scenario file): no such file or directory`],
    ['an invalid inline policy', { ...valid(), policy: { schemaVersion: '1', name: 'p', mode: 'enforce', onScanError: 'block', rules: {} } }, `${FILE} (inline policy) at onScanError: expected one of "deny", "allow"`],
    ['an invalid task definition', { ...valid(), taskDefinitions: [{ family: 'job', containerDefinitions: [{ name: 'job' }] }] }, `${FILE} at taskDefinitions[0] at containerDefinitions[0].image`],
    ['a clock step inside a burst', { ...valid(), steps: [{ burst: { steps: [{ advanceClock: '1m' }] } }] }, `${at('steps[0].burst.steps[0].advanceClock')}advanceClock cannot be inside burst or hold`],
    ['a release of nothing held', { ...valid(), steps: [{ release: 'late' }] }, `${at('steps[0].release')}releases "late", which no earlier hold step collected`],
    ['a task label used twice', { ...valid(), steps: [{ runTask: { taskDefinition: 'job:1', as: 'j' } }, { runTask: { taskDefinition: 'job:1', as: 'j' } }] }, `${at('steps[1].runTask.as')}task label "j" is used twice`],
    ['count and as disagreeing', { ...valid(), steps: [{ runTask: { taskDefinition: 'job:1', as: ['a', 'b'], count: 3 } }] }, `${at('steps[0].runTask.count')}count is 3 but "as" names 2 tasks`],
    ['an override for a container the task definition lacks', { ...valid(), steps: [{ runTask: { taskDefinition: 'job:1', overrides: { containerOverrides: [{ name: 'web' }] } } }] }, `${at('steps[0].runTask.overrides.containerOverrides[0].name')}names container "web", which job:1 does not have`],
    ['a hook step for a service without a hook', { ...valid(), steps: [{ lifecycleHook: { service: 'web', taskDefinition: 'job:1' } }] }, `${at('steps[0].lifecycleHook.service')}service "web" has no lifecycle hook`],
    ['a service with both a Lambda hook and a PAUSE hook', { ...valid(), services: [{ name: 'web', cluster: 'prod', taskDefinition: 'job:1', lifecycleHook: true, pauseHook: {} }] }, `${at('services[0].pauseHook')}a service has either a Lambda lifecycleHook or a pauseHook, not both`],
    ['a PAUSE hook timeout action ECS does not take', { ...valid(), services: [{ name: 'web', cluster: 'prod', taskDefinition: 'job:1', pauseHook: { timeoutAction: 'FAIL' } }] }, `${at('services[0].pauseHook.timeoutAction')}expected one of "CONTINUE", "ROLLBACK"`],
    ['a Lambda hook step for a service with a PAUSE hook', { ...valid(), services: [{ name: 'web', cluster: 'prod', taskDefinition: 'job:1', pauseHook: {} }], steps: [{ lifecycleHook: { service: 'web', taskDefinition: 'job:1' } }] }, `${at('steps[0].lifecycleHook.service')}service "web" has no lifecycle hook`],
    ['a deployment to an unknown service', { ...valid(), steps: [{ deployService: { service: 'api', taskDefinition: 'job:1' } }] }, `${at('steps[0].deployService.service')}names service "api", which the scenario does not declare`],
    ['a push of a digest reference', { ...valid(), steps: [{ push: { image: `${ECR}/batch/job@sha256:${'2'.repeat(64)}`, digest: `sha256:${'2'.repeat(64)}` } }] }, `${at('steps[0].push.image')}a push names a tag`],
    ['an expectation about a task nobody launches', { ...valid(), expect: { tasks: { ghost: 'STOPPED' } } }, `${at('expect.tasks.ghost')}names task "ghost", which no step launches`],
    ['an unknown expected action', { ...valid(), expect: { actions: { stopTasks: 1 } } }, `${at('expect.actions.stopTasks')}unknown key; expected one of startScan, startScanRefused, stopTask`],
    ['an event step that is not an object', { ...valid(), steps: [{ event: 'ECS Task State Change' }] }, `${at('steps[0].event')}expected an EventBridge event object`],
    ['a principal that is not an IAM ARN', { ...valid(), steps: [{ runTask: { taskDefinition: 'job:1', launchedBy: 'dana' } }] }, `${at('steps[0].runTask.launchedBy')}expected an IAM user or role ARN`],
  ])('rejects %s with the file and the JSON path', async (_what, document, message) => {
    const error = await problem(document);
    expect(error.message).toContain(message);
  });

  it('reports every problem at once, each under its JSON path, when they are in different parts of the file', async () => {
    const error = await problem({
      ...valid(),
      services: [{ name: 'web', cluster: 'prod', taskDefinition: 'web:9' }],
      steps: [{ runTask: { taskDefinition: 'job:1', as: 'j', count: 2 } }, { advanceClock: '5 minutes' }, { taskState: { task: 'ghost', lastStatus: 'STOPPED' } }],
      expect: { services: { api: { desiredCount: 1 } } },
    });
    expect(error.message).toContain(`${FILE}: invalid scenario (5 problems):\n`);
    expect(error.message).toContain('\n  services[0].taskDefinition: names task definition "web:9", which the scenario does not define');
    expect(error.message).toContain('\n  steps[0].runTask.count: count is 2 but "as" names 1 task');
    expect(error.message).toContain('\n  steps[1].advanceClock: expected a duration such as "90s"');
    expect(error.message).toContain('\n  steps[2].taskState.task: names task "ghost", which no earlier step launches');
    expect(error.message).toContain('\n  expect.services.api: names service "api", which the scenario does not declare');
  });

  it('a broken step does not make the steps after it wrong: its labels and task definition still count', async () => {
    const error = await problem({
      ...valid(),
      taskDefinitions: [{ family: 'job', revision: 1, containerDefinitions: [{ name: 'job' }] }],
      steps: [{ runTask: { taskDefinition: 'job:1', as: 'j', until: 'running' } }, { taskState: { task: 'j', lastStatus: 'sleeping' } }],
    });
    // Three problems: the task definition, the runTask status, the taskState status; never "no task j" nor "no job:1".
    expect(error.message).toContain('invalid scenario (3 problems)');
    expect(error.message).toContain(`  ${FILE} at taskDefinitions[0] at containerDefinitions[0].image`);
    expect(error.message).toContain('  steps[0].runTask.until: expected one of');
    expect(error.message).toContain('  steps[1].taskState.lastStatus: expected one of');
    expect(error.message).not.toContain('which no earlier step launches');
    expect(error.message).not.toContain('does not define');
  });

  it('problems inside a burst are listed with the rest', async () => {
    const error = await problem({ ...valid(), steps: [{ burst: { steps: [{ advanceClock: '1m' }, { runTask: { taskDefinition: 'nope:1' } }] } }, { sweep: false }] });
    expect(error.message).toContain('invalid scenario (3 problems)');
    expect(error.message).toContain('  steps[0].burst.steps[0].advanceClock: advanceClock cannot be inside burst or hold');
    expect(error.message).toContain('  steps[0].burst.steps[1].runTask.taskDefinition: names task definition "nope:1"');
    expect(error.message).toContain('  steps[1].sweep: expected true, got false');
  });

  it('lists several problems at once when there are several', async () => {
    const error = await problem({ ...valid(), name: 7, region: 'mars' });
    expect(error.message).toContain('invalid scenario (2 problems)');
    expect(error.message).toContain('  name: expected a string, got the number 7');
    expect(error.message).toContain('  region: expected an AWS region');
  });
});
