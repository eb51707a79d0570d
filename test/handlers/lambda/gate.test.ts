import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GATE_ENV } from '../../../functions/handlers/environment';

/** The Lambda entry points: built once from the environment, metrics flushed as EMF after every invocation. */
describe('the gate Lambda entry point', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gate-entry-'));
  const policyFile = join(dir, 'policy.json');
  writeFileSync(policyFile, JSON.stringify({ schemaVersion: '1', name: 'bundled', mode: 'enforce', onScanError: 'allow', rules: { rootUser: { action: 'deny' } } }));
  const saved = { ...process.env };

  beforeAll(() => {
    Object.assign(process.env, {
      [GATE_ENV.tableName]: 'gate-table',
      [GATE_ENV.reportBucket]: 'gate-reports',
      [GATE_ENV.scanProjectName]: 'fargate-gate-scan',
      [GATE_ENV.eventBusName]: 'gate-verdicts',
      [GATE_ENV.policyFile]: policyFile,
      [GATE_ENV.logLevel]: 'silent',
      AWS_REGION: 'eu-west-1',
    });
  });
  afterAll(() => {
    process.env = saved;
  });

  it('handles an event and writes its metrics as an EMF line', async () => {
    const writes: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (writes.push(String(chunk)), true));
    try {
      const { handler } = await import('../../../functions/handlers/lambda/gate');
      await expect(handler({ 'detail-type': 'nothing' })).resolves.toMatchObject({ kind: 'ignored' });
    } finally {
      spy.mockRestore();
    }
    const emf = writes.map((w) => JSON.parse(w)).find((doc) => doc._aws);
    expect(emf).toMatchObject({ kind: 'ignored', Events: 1 });
  });

});
