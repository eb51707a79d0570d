import { InputError } from '../core/errors';
import { defaultGateFactory } from './simulate-gate';
import { renderJson, renderTimeline } from './simulate-output';
import { runScenario, type GateFactory } from './simulate-runner';
import { loadScenario } from './simulate-scenario';

export interface SimulateOptions {
  scenario: string;
  format: 'timeline' | 'json';
}

export interface SimulateIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/**
 * `fargate-gate simulate`: runs the real gate handlers over a scenario on the in-memory backend.
 * Exit codes: 0 the scenario ran and every expectation it states was met; 1 it ran but an expectation
 * was not met (or the gate threw where none was expected); 2 the scenario itself is bad (unreadable,
 * invalid, or asks the world for something impossible). `makeGate` is for tests; the real gate by default.
 */
export async function runSimulate(options: SimulateOptions, io: SimulateIo, makeGate: GateFactory = defaultGateFactory): Promise<number> {
  try {
    const scenario = await loadScenario(options.scenario);
    const result = await runScenario(scenario, makeGate);
    io.stdout(options.format === 'json' ? renderJson(result) : renderTimeline(result));
    const unmet = result.expectations.filter((expectation) => !expectation.ok);
    if (unmet.length > 0) {
      io.stderr(`fargate-gate simulate: ${unmet.length} expectation${unmet.length === 1 ? '' : 's'} of ${scenario.name} not met: ${unmet.map((e) => `${e.what} (expected ${e.expected}, got ${e.actual})`).join('; ')}\n`);
      return 1;
    }
    return 0;
  } catch (error) {
    if (error instanceof InputError) {
      io.stderr(`fargate-gate simulate: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
