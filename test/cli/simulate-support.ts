import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSimulate } from '../../functions/cli/simulate';
import { defaultGateFactory } from '../../functions/cli/simulate-gate';
import { DEFAULT_SIMULATION_LIMITS } from '../../functions/cli/simulate-runner';

/** An action of `simulate --format json`, as far as these tests read it. */
export interface SimulatedAction {
  type: string;
  buildId?: string;
  task?: string;
  digest?: string;
  reason?: string;
  event?: { decision: string; taskArn?: string };
}

/** Runs `simulate --format json` on a scenario file in process: its exit code, the actions it printed, its standard error. */
export async function simulateJson(file: string): Promise<{ code: number; actions: SimulatedAction[]; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runSimulate({ scenario: file, format: 'json' }, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) }, defaultGateFactory, DEFAULT_SIMULATION_LIMITS);
  return { code, actions: stdout ? (JSON.parse(stdout) as { actions: SimulatedAction[] }).actions : [], stderr };
}

/** Writes `scenario` to a new temporary folder named after `prefix`; returns the file's path. */
export function writeScenarioCopy(scenario: unknown, prefix: string): string {
  const file = join(mkdtempSync(join(tmpdir(), `${prefix}-`)), 'scenario.json');
  writeFileSync(file, JSON.stringify(scenario));
  return file;
}

/** The CodeBuild project of each scan started, in order (the build id's `project:` part). */
export const scanProjects = (actions: SimulatedAction[]): string[] =>
  actions.filter((a) => a.type === 'startScan' && a.buildId).map((a) => (a.buildId as string).split(':')[0]);
