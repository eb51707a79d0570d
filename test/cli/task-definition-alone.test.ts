import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { EvaluationResult } from '../../functions/core/result/model';
import { conformanceFiles, conformanceTaskDefinitions, describeWithConformance, readConformanceJson } from '../support/conformance';
import { cli, fixture, tempDir, REPO_ROOT } from './harness';

const TASKDEF = fixture('taskdef-payments.json');
const json = (text: string) => JSON.parse(text) as EvaluationResult;
const tmp = tempDir('fargate-gate-hardening-');
afterAll(() => tmp.cleanup());

function writeJson(name: string, value: unknown): string {
  const file = tmp.path(name);
  writeFileSync(file, JSON.stringify(value));
  return file;
}

const PRIVILEGED_HOST_PID = {
  family: 'debug',
  networkMode: 'awsvpc',
  pidMode: 'host',
  containerDefinitions: [{ name: 'app', image: '111122223333.dkr.ecr.eu-west-1.amazonaws.com/app:1', user: '1000', privileged: true }],
};

describe('fargate-gate evaluate --task-definition without --report', () => {
  it('judges the hardening rules, says the image rules were not judged, and exits 1 on a denial', async () => {
    const run = await cli(['evaluate', '-t', writeJson('debug.json', PRIVILEGED_HOST_PID), '-f', 'json']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('no scan report given: the image rules are not judged');
    const result = json(run.stdout);
    expect(result.decision).toBe('fail');
    expect(result.errors).toEqual([]);
    expect(result.violations.map((v) => [v.action, v.rule, v.container ?? '-'])).toEqual([
      ['deny', 'hardening.privileged', 'app'],
      ['deny', 'hardening.hostPid', '-'],
    ]);
    expect(result.notes).toEqual([
      expect.stringMatching(/^image rules not judged: /),
      expect.stringMatching(/^hardening\.execCommand not judged: /),
      expect.stringMatching(/^hardening\.platformVersion not judged: /),
      expect.stringMatching(/^hardening\.publicIp not judged: /),
    ]);
  });

  it('exits 0 when nothing is denied, without the "no report for container" line per container', async () => {
    const run = await cli(['evaluate', '-t', TASKDEF, '-f', 'json']);
    expect(run.stderr).not.toContain('no report for container');
    expect(json(run.stdout).decision).not.toBe('fail');
    expect(run.code).toBe(0);
  });

  it('--run-task gives the launch facts, named by their source in the messages', async () => {
    const request = { taskDefinition: 'debug:1', enableExecuteCommand: true, platformVersion: '1.3.0', networkConfiguration: { awsvpcConfiguration: { assignPublicIp: 'ENABLED' } } };
    const runTask = writeJson('run.json', request);
    const run = await cli(['evaluate', '-t', TASKDEF, '--run-task', runTask, '-p', `${REPO_ROOT}/policies/strict.json`, '-f', 'json']);
    expect(run.code).toBe(1);
    const result = json(run.stdout);
    for (const rule of ['hardening.execCommand', 'hardening.platformVersion', 'hardening.publicIp']) {
      const violation = result.violations.find((v) => v.rule === rule);
      expect([rule, violation?.action, violation?.message.includes(`(from the RunTask request ${runTask})`)]).toEqual([rule, 'deny', true]);
    }
    expect(result.notes).toEqual([expect.stringMatching(/^image rules not judged/)]);
  });

  it('markdown lists the controls each violated rule maps to, and what was not judged', async () => {
    const run = await cli(['evaluate', '-t', writeJson('debug-md.json', PRIVILEGED_HOST_PID), '-f', 'markdown']);
    expect(run.stdout).toMatch(/^### Controls$/m);
    expect(run.stdout).toMatch(/^- hardening\.privileged: Security Hub ECS\.4; AWS Config ecs-containers-nonprivileged; Control Tower CT\.ECS\.PR\.11; Checkov CKV\\_AWS\\_334$/m);
    expect(run.stdout).toMatch(/^### Not judged$/m);
  });

  it('junit names the controls in the failure and skips the rules it could not judge', async () => {
    const run = await cli(['evaluate', '-t', writeJson('debug-junit.json', PRIVILEGED_HOST_PID), '-f', 'junit']);
    expect(run.stdout).toContain('controls: Security Hub ECS.3; AWS Config ecs-task-definition-pid-mode-check; Control Tower CT.ECS.PR.10; Checkov CKV_AWS_335');
    expect(run.stdout).toMatch(/<testcase classname="fargate-gate\.rules" name="hardening\.publicIp"[^>]*>\s*<skipped message="hardening\.publicIp not judged/);
    expect(run.stdout).toMatch(/<testcase classname="fargate-gate\.rules" name="vulnerabilities"[^>]*>\s*<skipped message="image rules not judged/);
  });

  it('refuses a call with neither --report nor --task-definition, and --run-task without a task definition (exit 2)', async () => {
    const none = await cli(['evaluate']);
    expect([none.code, none.stderr]).toEqual([2, expect.stringContaining('nothing to judge')]);
    const alone = await cli(['evaluate', '-r', fixture('trivy-payments-api-nonroot.json'), '--run-task', writeJson('r.json', { taskDefinition: 'payments:1' })]);
    expect([alone.code, alone.stderr]).toEqual([2, expect.stringContaining('--run-task')]);
  });

  it('refuses an empty RunTask file instead of judging the API defaults as its facts (exit 2)', async () => {
    const run = await cli(['evaluate', '-t', TASKDEF, '--run-task', writeJson('empty-run.json', {})]);
    expect([run.code, run.stderr]).toEqual([2, expect.stringMatching(/empty-run\.json.*not a RunTask request/s)]);
  });

  it('refuses a RunTask file with a wrong field, naming file and path (exit 2)', async () => {
    const bad = writeJson('bad-run.json', { enableExecuteCommand: 'yes' });
    const run = await cli(['evaluate', '-t', TASKDEF, '--run-task', bad]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('bad-run.json');
    expect(run.stderr).toContain('enableExecuteCommand');
  });
});

describe('fargate-gate evaluate --run-task: the exposure the request settles', () => {
  const request = (assignPublicIp: string) => writeJson(`run-${assignPublicIp}.json`, { taskDefinition: 'payments:1', networkConfiguration: { awsvpcConfiguration: { assignPublicIp } } });
  const exposureOf = async (args: string[]) => {
    const run = await cli(['evaluate', '-t', TASKDEF, ...args, '-f', 'json']);
    return (json(run.stdout).subject as { exposure?: { value: string; source: string } }).exposure;
  };

  it('is public for a public IP and internal for none (RunTask has no load balancer), without --exposure', async () => {
    const enabled = request('ENABLED');
    expect(await exposureOf(['--run-task', enabled])).toMatchObject({ value: 'public', source: `a public IP is assigned (from the RunTask request ${enabled})` });
    const disabled = request('DISABLED');
    expect(await exposureOf(['--run-task', disabled])).toMatchObject({ value: 'internal', source: `no public IP (from the RunTask request ${disabled}) and no load balancer` });
  });

  it('takes --exposure public over a request without a public IP (stricter), and refuses --exposure internal against a public IP (exit 2)', async () => {
    expect(await exposureOf(['--run-task', request('DISABLED'), '--exposure', 'public'])).toMatchObject({ value: 'public', source: '--exposure' });
    const run = await cli(['evaluate', '-t', TASKDEF, '--run-task', request('ENABLED'), '--exposure', 'internal', '-f', 'json']);
    expect([run.code, run.stdout, run.stderr]).toEqual([2, '', expect.stringMatching(/run-ENABLED\.json.*--exposure internal contradicts the RunTask request: a public IP is assigned/s)]);
  });
});

describe('fargate-gate evaluate --run-task: the platform version minimum of the task\'s operating system', () => {
  const windowsTask = { ...PRIVILEGED_HOST_PID, pidMode: undefined, runtimePlatform: { operatingSystemFamily: 'WINDOWS_SERVER_2022_CORE' }, containerDefinitions: [{ ...PRIVILEGED_HOST_PID.containerDefinitions[0], privileged: false }] };
  const platformViolations = async (task: unknown, name: string) => {
    const run = await cli(['evaluate', '-t', writeJson(`${name}.json`, task), '--run-task', writeJson(`${name}-run.json`, { taskDefinition: 'debug:1', platformVersion: '1.0.0' }), '-p', `${REPO_ROOT}/policies/strict.json`, '-f', 'json']);
    return json(run.stdout).violations.filter((v) => v.rule === 'hardening.platformVersion').map((v) => v.message);
  };

  it('passes Windows platform version 1.0.0 (the latest Windows version), which the Linux minimum 1.4.0 would deny', async () => {
    expect(await platformViolations(windowsTask, 'windows')).toEqual([]);
  });

  it('denies 1.0.0 on a task definition without runtimePlatform: Linux, the ECS default', async () => {
    const linuxTask = { ...windowsTask, runtimePlatform: undefined };
    expect(await platformViolations(linuxTask, 'linux')).toEqual([expect.stringContaining("Linux (no runtimePlatform: the ECS default LINUX) minimum 1.4.0")]);
  });
});

describe("fargate-gate evaluate --run-task: the request's own overrides", () => {
  const KEY = { name: 'AWS_SECRET_ACCESS_KEY', value: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY' };
  const withOverrides = writeJson('run-overrides.json', { taskDefinition: 'payments:1', overrides: { containerOverrides: [{ name: 'api', environment: [KEY] }] } });

  it('judges the environment the request overrides: a plaintext key there is denied under strict', async () => {
    const run = await cli(['evaluate', '-t', TASKDEF, '--run-task', withOverrides, '-p', `${REPO_ROOT}/policies/strict.json`, '-f', 'json']);
    expect(run.code).toBe(1);
    const secrets = json(run.stdout).violations.filter((v) => v.rule === 'secrets');
    expect(secrets.map((v) => [v.action, v.container, v.message.includes('AWS_SECRET_ACCESS_KEY')])).toEqual([['deny', 'api', true]]);
  });

  it('refuses --overrides beside a request that has its own overrides: two sources (exit 2)', async () => {
    const run = await cli(['evaluate', '-t', TASKDEF, '--run-task', withOverrides, '--overrides', fixture('overrides-plaintext-key.json')]);
    expect([run.code, run.stdout, run.stderr]).toEqual([2, '', expect.stringContaining('two sources of overrides')]);
  });

  it('refuses request overrides for a container the task definition does not have, naming the request (exit 2)', async () => {
    const stray = writeJson('run-stray.json', { taskDefinition: 'payments:1', overrides: { containerOverrides: [{ name: 'nope', environment: [KEY] }] } });
    const run = await cli(['evaluate', '-t', TASKDEF, '--run-task', stray]);
    expect([run.code, run.stderr]).toEqual([2, expect.stringContaining('run-stray.json (overrides)')]);
  });
});

describeWithConformance('fargate-gate evaluate --run-task given an ECS API response', () => {
  it.each(['awscli-example-create-service-fargate.json', 'awscli-example-update-service-fargate.json'])('refuses %s (a {"service": ...} response), exit 2', async (name) => {
    const file = conformanceFiles('ecs-api').find((f) => basename(f) === name);
    expect(file).toBeDefined();
    const run = await cli(['evaluate', '-t', TASKDEF, '--run-task', file as string, '-f', 'json']);
    expect([run.code, run.stdout, run.stderr]).toEqual([2, '', expect.stringMatching(new RegExp(`${name.replace(/\./g, '\\.')}.*top-level "service"`, 's'))]);
  });
});

// ---------- conformance: AWS's own task definitions, hand-worked ----------

const ecsApi = conformanceFiles('ecs-api');
const taskDefinitions = conformanceTaskDefinitions();
const botocore = ecsApi.find((file) => basename(file) === 'botocore-ecs-2014-11-13-examples-1.json');

interface Row {
  /** decision, exit code and [action, rule, container] of every violation, sorted */
  default: [string, number, string[]];
  strict: [string, number, string[]];
}

/*
 * Hand-worked from the files (no scan report: the image rules and the root user of a container without `user` are not
 * judged). wordpress/mysql: no networkMode (bridge), no user, no log configuration, no readonlyRootFilesystem, no
 * capabilities, memory 500; mysql sets MYSQL_ROOT_PASSWORD="password" in plaintext. Default: the secret denies; the
 * hardening rules it enables find nothing; the launch rules are noted, not judged. Strict: also the Docker Hub
 * registry and the implied "latest" tag (images, twice per container), a writable root FS, no logs, no drop ALL
 * (per container); the three launch rules warn "not judged" (whenUnknown "warn"). sleep360 (busybox, memory 10):
 * nothing under default; under strict the images rule twice and the three container rules, and with the botocore
 * RunTask example as --run-task (no Exec, LATEST, no public IP: the API defaults) the launch rules pass.
 */
const WORDPRESS: Row = {
  default: ['fail', 1, ['deny secrets mysql']],
  strict: [
    'fail',
    1,
    [
      'deny hardening.capabilities mysql',
      'deny hardening.capabilities wordpress',
      'deny hardening.logging mysql',
      'deny hardening.logging wordpress',
      'deny hardening.readonlyRootFilesystem mysql',
      'deny hardening.readonlyRootFilesystem wordpress',
      'deny images mysql',
      'deny images mysql',
      'deny images wordpress',
      'deny images wordpress',
      'deny secrets mysql',
      'warn hardening.execCommand -',
      'warn hardening.platformVersion -',
      'warn hardening.publicIp -',
    ],
  ],
};
const SLEEP360: Row = {
  default: ['pass', 0, []],
  strict: ['fail', 1, ['deny hardening.capabilities sleep', 'deny hardening.logging sleep', 'deny hardening.readonlyRootFilesystem sleep', 'deny images sleep', 'deny images sleep']],
};
const TABLE: Record<string, Row> = {
  'awscli-example-describe-task-definition-wordpress-mysql.json $.taskDefinition': WORDPRESS,
  'botocore-ecs-2014-11-13-examples-1.json $.examples.DescribeTaskDefinition[0].output.taskDefinition': WORDPRESS,
  'botocore-ecs-2014-11-13-examples-1.json $.examples.RegisterTaskDefinition[0].input': SLEEP360,
  'botocore-ecs-2014-11-13-examples-1.json $.examples.RegisterTaskDefinition[0].output.taskDefinition': SLEEP360,
};

describeWithConformance('hardening decision table over the real task definitions in ../shared/conformance/ecs-api', () => {
  it('has a hand-worked row for every task definition found (a new sample needs a row)', () => {
    expect(taskDefinitions.map((t) => t.label).sort()).toEqual(Object.keys(TABLE).sort());
  });

  describe.each(taskDefinitions.map((t) => [t.label, t] as const))('%s', (label, { json: taskDefinition }) => {
    it.each(['default', 'strict'] as const)('under %s.json', async (policyName) => {
      const file = writeJson(`${policyName}-${label.replace(/[^A-Za-z0-9]+/g, '-')}.json`, taskDefinition);
      // sleep360 is launched by the botocore RunTask example (cluster "default", taskDefinition "sleep360:1").
      const runTask = label.includes('RegisterTaskDefinition') && botocore ? ['--run-task', writeJson('botocore-run-task.json', (readConformanceJson(botocore) as { examples: { RunTask: { input: unknown }[] } }).examples.RunTask[0].input)] : [];
      const run = await cli(['evaluate', '-t', file, ...runTask, '-p', `${REPO_ROOT}/policies/${policyName}.json`, '-f', 'json']);
      const result = json(run.stdout);
      const got = [result.decision, run.code, result.violations.map((v) => `${v.action} ${v.rule} ${v.container ?? '-'}`).sort()];
      expect(got).toEqual(TABLE[label][policyName]);
    });
  });
});
