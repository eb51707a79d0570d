import type { InUseReport } from '../posture/in-use-report-schema';

/** The export format (`fargate-gate/in-use-report@1`): pretty JSON with a final newline, keys in the builder's order. */
export function renderInUseJson(report: InUseReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
