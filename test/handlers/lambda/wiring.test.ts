import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GATE_ENV } from '../../../functions/handlers/environment';
import { createLambdaGate, readSettings } from '../../../functions/handlers/lambda/wiring';

const dir = mkdtempSync(join(tmpdir(), 'gate-wiring-'));
const policyPath = join(dir, 'policy.json');
writeFileSync(policyPath, JSON.stringify({ schemaVersion: '1', name: 'bundled', mode: 'enforce', onScanError: 'deny', rules: { rootUser: { action: 'deny' } } }));

const env = (overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> => ({
  [GATE_ENV.tableName]: 'gate-table',
  [GATE_ENV.reportBucket]: 'gate-reports',
  [GATE_ENV.reportPrefix]: 'reports/',
  [GATE_ENV.scanProjectName]: 'fargate-gate-scan',
  [GATE_ENV.eventBusName]: 'gate-verdicts',
  [GATE_ENV.policyFile]: policyPath,
  [GATE_ENV.clusterArns]: ' arn:aws:ecs:eu-west-1:123456789012:cluster/prod , arn:aws:ecs:eu-west-1:123456789012:cluster/staging,',
  [GATE_ENV.verdictTtlDays]: '14',
  [GATE_ENV.scanTimeoutMinutes]: '20',
  [GATE_ENV.sweepMinutes]: '5',
  [GATE_ENV.logLevel]: 'silent',
  AWS_REGION: 'eu-west-1',
  ...overrides,
});

describe('readSettings', () => {
  it('reads every setting the construct sets', () => {
    const settings = readSettings(env());
    expect(settings).toMatchObject({ tableName: 'gate-table', reportBucket: 'gate-reports', scanProjectName: 'fargate-gate-scan', eventBusName: 'gate-verdicts', policyFile: policyPath });
    expect(settings.config).toMatchObject({
      reportPrefix: 'reports/',
      scanProjectName: 'fargate-gate-scan',
      clusterArns: ['arn:aws:ecs:eu-west-1:123456789012:cluster/prod', 'arn:aws:ecs:eu-west-1:123456789012:cluster/staging'],
      verdictTtlDays: 14,
      scanTimeoutMinutes: 20,
      sweepIntervalMinutes: 5,
    });
  });

  it('reads the posture sweep settings the construct sets: rescan interval and re-judgements per run', () => {
    const config = readSettings(env({ [GATE_ENV.rescanIntervalHours]: '12', [GATE_ENV.rejudgeScansPerRun]: '4' })).config;
    expect(config).toMatchObject({ rescanIntervalHours: 12, rejudgeScansPerRun: 4 });
    expect(() => readSettings(env({ [GATE_ENV.rejudgeScansPerRun]: '0' }))).toThrow(/GATE_REJUDGE_SCANS_PER_RUN must be a positive number/);
  });

  it('reads the one window of expiring exceptions (GATE_EXCEPTION_WINDOW_DAYS), and refuses what is not whole days from 0 to 366', () => {
    expect(readSettings(env({ [GATE_ENV.exceptionWindowDays]: '30' })).config.exceptionWindowDays).toBe(30);
    expect(readSettings(env({ [GATE_ENV.exceptionWindowDays]: '0' })).config.exceptionWindowDays).toBe(0);
    expect(readSettings(env()).config.exceptionWindowDays).toBeUndefined();
    for (const bad of ['soon', '1.5', '400', '-1']) expect(() => readSettings(env({ [GATE_ENV.exceptionWindowDays]: bad }))).toThrow(/GATE_EXCEPTION_WINDOW_DAYS must be whole days from 0 to 366/);
  });

  it('gives the gate its own account as the organisation account when an organisation id is set, and none otherwise', () => {
    expect(readSettings(env({ [GATE_ENV.organizationId]: 'o-a1b2c3d4e5', [GATE_ENV.accountId]: '111122223333' })).config.organisationAccount).toBe('111122223333');
    expect(readSettings(env({ [GATE_ENV.accountId]: '111122223333' })).config.organisationAccount).toBeUndefined();
  });

  it('reads the report-size limit the construct sets, in bytes, and leaves the default when it is not set', () => {
    expect(readSettings(env({ [GATE_ENV.maxReportBytes]: '134217728' })).config.maxReportBytes).toBe(128 * 1024 * 1024);
    expect(readSettings(env({ [GATE_ENV.maxReportBytes]: ' 128MiB ' })).config.maxReportBytes).toBe(128 * 1024 * 1024);
    expect(readSettings(env()).config.maxReportBytes).toBeUndefined();
  });

  it('resolves a relative policy path against the function root', () => {
    expect(readSettings(env({ [GATE_ENV.policyFile]: 'policies/default.json', LAMBDA_TASK_ROOT: '/var/task' })).policyFile).toBe('/var/task/policies/default.json');
  });

  it.each([
    [{ [GATE_ENV.tableName]: undefined }, GATE_ENV.tableName],
    [{ [GATE_ENV.scanProjectName]: '  ' }, GATE_ENV.scanProjectName],
    [{ [GATE_ENV.verdictTtlDays]: 'ten' }, GATE_ENV.verdictTtlDays],
    [{ [GATE_ENV.scanTimeoutMinutes]: '-5' }, GATE_ENV.scanTimeoutMinutes],
    [{ [GATE_ENV.clusterArns]: 'prod' }, GATE_ENV.clusterArns],
    [{ [GATE_ENV.maxReportBytes]: 'lots' }, GATE_ENV.maxReportBytes],
    [{ [GATE_ENV.maxReportBytes]: '0' }, GATE_ENV.maxReportBytes],
  ])('fails the cold start naming the bad variable (%o)', (overrides, name) => {
    expect(() => readSettings(env(overrides))).toThrow(name);
  });
});

describe('the bundled policy at cold start', () => {
  it('fails the cold start naming the file when it cannot be read', async () => {
    const missing = join(dir, 'missing.json');
    await expect(createLambdaGate(env({ [GATE_ENV.policyFile]: missing }))).rejects.toThrow(`${missing}: cannot read policy: no such file or directory`);
  });

  it('fails the cold start naming the file and the JSON path when the policy is invalid', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ schemaVersion: '1', name: 'x', mode: 'sometimes', onScanError: 'deny', rules: {} }));
    await expect(createLambdaGate(env({ [GATE_ENV.policyFile]: bad }))).rejects.toThrow(`${bad} at mode: expected one of`);
  });
});

describe('createLambdaGate', () => {
  it('builds the gate on AWS adapters with the bundled policy; unusable events cost nothing', async () => {
    const lambda = await createLambdaGate(env());
    expect(lambda.policy.name).toBe('bundled');
    await expect(lambda.gate.handleEvent({ hello: 'world' })).resolves.toMatchObject({ kind: 'ignored' });
    await expect(lambda.gate.handleHook({ executionId: 'x' })).resolves.toEqual({ hookStatus: 'FAILED' });
  });
});

describe('lambdaGate', () => {
  it('builds the gate once per execution environment, and keeps no failed build: the next invocation tries again', async () => {
    const saved = { ...process.env };
    try {
      await jest.isolateModulesAsync(async () => {
        const { lambdaGate } = await import('../../../functions/handlers/lambda/wiring');
        Object.assign(process.env, env({ [GATE_ENV.tableName]: undefined }));
        delete process.env[GATE_ENV.tableName];
        await expect(lambdaGate()).rejects.toThrow(GATE_ENV.tableName);
        process.env[GATE_ENV.tableName] = 'gate-table';
        const built = await lambdaGate();
        expect(built.policy.name).toBe('bundled');
        await expect(lambdaGate()).resolves.toBe(built);
      });
    } finally {
      process.env = saved;
    }
  });
});
