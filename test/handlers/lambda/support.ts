import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GATE_ENV } from '../../../functions/handlers/environment';

/** The variables `readSettings` requires, as the construct writes them, with `overrides` on top. */
export function requiredSettingsEnv(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    [GATE_ENV.tableName]: 'gate-table',
    [GATE_ENV.reportBucket]: 'gate-reports',
    [GATE_ENV.scanProjectName]: 'fargate-gate-scan',
    [GATE_ENV.eventBusName]: 'gate-verdicts',
    [GATE_ENV.policyFile]: 'policy.json',
    ...overrides,
  };
}

/**
 * Sets the environment the CDK construct gives the functions (with a bundled policy file) for the duration of a
 * describe block, so an entry point can be imported and built exactly as Lambda builds it.
 */
export function useGateEnvironment(): void {
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
}

/** Runs `action` with standard output captured; returns the JSON documents written (EMF metric lines). */
export async function capturingStdout(action: () => Promise<void>): Promise<Record<string, unknown>[]> {
  const writes: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (writes.push(String(chunk)), true));
  try {
    await action();
  } finally {
    spy.mockRestore();
  }
  return writes.map((w) => JSON.parse(w) as Record<string, unknown>);
}
