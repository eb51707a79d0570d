import { InputError } from '../core/errors';
import { defaultGateFactory } from './simulate-gate';
import { renderJson, renderLogs, renderTimeline } from './simulate-output';
import { DEFAULT_SIMULATION_LIMITS, SimulationLimitError, runScenario, type GateFactory, type SimulationLimits } from './simulate-runner';
import { loadScenario } from './simulate-scenario';
import { inUseReportOfSimulation } from './simulate-in-use';
import type { InUseReport } from '../core/posture/in-use-report-schema';

export interface SimulateOptions {
  scenario: string;
  format: 'timeline' | 'json';
  /** Print the gate's own log stream (JSON log lines and EMF metrics, in simulated time) instead of the timeline. */
  logs?: boolean;
  /** List routine ignored events one by one (the timeline), debug lines too (the logs). */
  verbose?: boolean;
}

export interface SimulateIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Terminal width, given only when stdout is a terminal: the timeline wraps to it. Absent, lines are written whole. */
  columns?: number;
}

/**
 * `fargate-gate simulate`: runs the real gate handlers over a scenario on the in-memory backend.
 * Exit codes: 0 the scenario ran and every expectation it states was met; 1 it ran but an expectation
 * was not met (or the gate threw where none was expected); 2 the scenario itself is bad (unreadable,
 * invalid, or asks the world for something impossible), or it reached a bound of `SimulationLimits`
 * (a message starting "stopped at a bound"). `makeGate` and `limits` are for tests.
 */
export async function runSimulate(
  options: SimulateOptions,
  io: SimulateIo,
  makeGate: GateFactory = defaultGateFactory,
  limits: SimulationLimits = DEFAULT_SIMULATION_LIMITS,
): Promise<number> {
  try {
    if (options.logs && options.format === 'json') throw new InputError('--logs prints the log stream, one JSON document a line; it cannot be combined with --format json');
    const scenario = await loadScenario(options.scenario);
    const result = await runScenario(scenario, makeGate, limits);
    const output = options.logs
      ? renderLogs(result, { verbose: options.verbose })
      : options.format === 'json'
        ? renderJson(result)
        : renderTimeline(result, { width: io.columns, verbose: options.verbose });
    const bytes = Buffer.byteLength(output, 'utf8');
    if (bytes > limits.maxOutputBytes) {
      io.stderr(`fargate-gate simulate: stopped at a bound: the ${options.logs ? 'log' : options.format} output of ${scenario.name} would be ${bytes} bytes, more than the bound of ${limits.maxOutputBytes}; nothing was written\n`);
      return 2;
    }
    io.stdout(output);
    const unmet = result.expectations.filter((expectation) => !expectation.ok);
    if (unmet.length > 0) {
      io.stderr(`fargate-gate simulate: ${unmet.length} expectation${unmet.length === 1 ? '' : 's'} of ${scenario.name} not met: ${unmet.map((e) => `${e.what} (expected ${e.expected}, got ${e.actual})`).join('; ')}\n`);
      return 1;
    }
    return 0;
  } catch (error) {
    if (error instanceof SimulationLimitError) {
      io.stderr(`fargate-gate simulate: stopped at a bound: ${error.message}\n`);
      return 2;
    }
    if (error instanceof InputError) {
      io.stderr(`fargate-gate simulate: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

/**
 * `fargate-gate report --scenario`: the in-use report of the tasks running at a scenario's end. Here, in the simulator's
 * own bundle (dist/cli/simulate.js), so that `report --in-use` and `evaluate` do not load the simulator.
 */
export async function inUseReportOfScenario(file: string, options: { exceptionWindowDays?: number } = {}): Promise<InUseReport> {
  const scenario = await loadScenario(file);
  return inUseReportOfSimulation(await runScenario(scenario, defaultGateFactory), options);
}
