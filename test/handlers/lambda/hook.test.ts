import { ECSClient } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GATE_ENV } from '../../../functions/handlers/environment';
import { answerWithoutGate } from '../../../functions/handlers/lambda/hook';
import { createLogger } from '../../../functions/handlers/logger';
import { FakeMetrics } from '../support/fakes';
import { hookPayload } from '../support/scenario';
import { capturingStdout, useGateEnvironment } from './support';

/** The Lambda entry points: built once from the environment, metrics flushed as EMF after every invocation. */
describe('the lifecycle hook Lambda entry point', () => {
  useGateEnvironment();

  it('answers the lifecycle hook and writes its metrics as an EMF line', async () => {
    const written = await capturingStdout(async () => {
      const { handler } = await import('../../../functions/handlers/lambda/hook');
      // Unreadable payload under onScanError "allow": admitted.
      await expect(handler({})).resolves.toEqual({ hookStatus: 'SUCCEEDED' });
    });
    expect(written.find((doc) => doc._aws && doc.HookResponses)).toMatchObject({ status: 'SUCCEEDED', HookResponses: 1 });
  });

  it('answers IN_PROGRESS without any AWS call when the Lambda context says no time is left', async () => {
    const ecs = mockClient(ECSClient);
    ecs.onAnyCommand().resolves({});
    try {
      const written = await capturingStdout(async () => {
        const { handler } = await import('../../../functions/handlers/lambda/hook');
        // Less than the time kept back to answer.
        const response = await handler(hookPayload(), { getRemainingTimeInMillis: () => 1000 });
        expect(response).toMatchObject({ hookStatus: 'IN_PROGRESS', hookDetails: { fargateGate: { failures: 1 } } });
      });
      expect(ecs.calls()).toHaveLength(0);
      expect(written.find((doc) => doc._aws && doc.HookResponses)).toMatchObject({ status: 'IN_PROGRESS' });
    } finally {
      ecs.restore();
    }
  });

  it('answers by the bundled policy\'s onScanError, and says so, when the gate cannot be built', async () => {
    const saved = process.env[GATE_ENV.tableName];
    delete process.env[GATE_ENV.tableName];
    try {
      const written = await capturingStdout(async () => {
        await jest.isolateModulesAsync(async () => {
          const { handler } = await import('../../../functions/handlers/lambda/hook');
          // The bundled policy says onScanError "allow".
          await expect(handler(hookPayload())).resolves.toEqual({ hookStatus: 'SUCCEEDED' });
        });
      });
      expect(written.find((doc) => doc._aws && doc.GateUnavailable)).toMatchObject({ GateUnavailable: 1 });
    } finally {
      process.env[GATE_ENV.tableName] = saved;
    }
  });
});

describe('answerWithoutGate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gate-hook-'));
  const policy = (onScanError: string) => {
    const file = join(dir, `policy-${onScanError}.json`);
    writeFileSync(file, JSON.stringify({ schemaVersion: '1', name: 'bundled', mode: 'enforce', onScanError, rules: { rootUser: { action: 'deny' } } }));
    return file;
  };
  function outputs() {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({ destination: { write: (line: string) => void lines.push(JSON.parse(line)) } });
    return { lines, logger, metrics: new FakeMetrics() };
  }

  it.each([
    ['deny', 'FAILED'],
    ['allow', 'SUCCEEDED'],
  ])('answers by the bundled policy (onScanError %s: %s)', async (onScanError, status) => {
    const out = outputs();
    expect(await answerWithoutGate(new Error('fargate-gate: environment variable GATE_TABLE_NAME is required'), { [GATE_ENV.policyFile]: policy(onScanError) }, out)).toEqual({ hookStatus: status });
    expect(out.lines[0]).toMatchObject({ level: 'error', hookStatus: status, policyLoaded: true, msg: expect.stringContaining('GATE_TABLE_NAME is required') });
    expect(out.metrics.total('GateUnavailable')).toBe(1);
    expect(out.metrics.total('HookResponses', { status })).toBe(1);
  });

  it('refuses the revision when no policy can be read either, and logs why', async () => {
    const out = outputs();
    expect(await answerWithoutGate(new Error('the policy is invalid'), { [GATE_ENV.policyFile]: join(dir, 'missing.json') }, out)).toEqual({ hookStatus: 'FAILED' });
    expect(out.lines[0]).toMatchObject({ level: 'error', hookStatus: 'FAILED', policyLoaded: false, msg: expect.stringContaining('the policy is invalid') });
    expect(await answerWithoutGate(new Error('no policy setting'), {}, outputs())).toEqual({ hookStatus: 'FAILED' });
  });
});
