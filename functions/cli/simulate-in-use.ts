import type { InUseReport } from '../core/posture/in-use-report';
import { inUseReportFromInventory } from '../handlers/posture/in-use-report';
import type { ScenarioResult } from './simulate-runner';

/**
 * The in-use report of a simulation's end, from what the simulated gate recorded: its inventory (task events and the
 * scenario's reconcile steps) and the verdicts it stored, read as the scheduled report reads the deployed gate's. A
 * task the gate never saw (started before it, its events held) is not in it until a reconciliation finds it, and one
 * whose STOPPED event was lost stays in it until one closes it: the report shows what the gate knows, as in AWS.
 */
export async function inUseReportOfSimulation(result: ScenarioResult, options: { exceptionWindowDays?: number } = {}): Promise<InUseReport> {
  const { backend } = result;
  return inUseReportFromInventory(
    {
      inventory: backend.inventory,
      store: backend.store,
      policy: result.scenario.policy,
      ...(options.exceptionWindowDays !== undefined ? { exceptionWindowDays: options.exceptionWindowDays } : {}),
    },
    backend.clock.now(),
  );
}
