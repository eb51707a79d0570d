import type { TaskUse } from '../../../functions/core/posture/ports';
import type { StoredVerdict } from '../../../functions/core/ports';
import { assessImage } from '../../../functions/core/policy/assess';
import type { LoadedPolicy } from '../../../functions/core/policy/input';
import type { Policy, PolicyInput } from '../../../functions/core/policy/schema';
import type { VulnerabilityFinding } from '../../../functions/core/findings/model';
import { facts, policy, report, vuln } from '../policy/support';

/** Builders for in-use report tests: task uses as the inventory records them, verdicts as the gate stores them. */

export const REPORT_NOW = new Date('2026-09-10T12:00:00Z');
export const CLUSTER = 'arn:aws:ecs:eu-west-1:123456789012:cluster/prod';
export const digestOf = (char: string): string => `sha256:${char.repeat(64)}`;

/** Denies fixable highs and criticals; one exception (EX-1) for CVE-2026-0003 expires in 3 days, one (EX-LATER) in 60. */
export function reportPolicy(overrides: Partial<PolicyInput> = {}): LoadedPolicy<Policy> {
  return policy({
    rules: { vulnerabilities: { action: 'deny', fixable: { minSeverity: 'high' } } },
    exceptions: [
      { id: 'EX-1', match: { ids: ['CVE-2026-0003'] }, reason: 'vendor patch pending', owner: 'team-a', expiresAt: '2026-09-13T12:00:00Z' },
      { id: 'EX-LATER', match: { ids: ['CVE-2026-0099'] }, reason: 'accepted', owner: 'team-b', expiresAt: '2026-11-09' },
    ],
    ...overrides,
  });
}

export function use(digest: string, taskId: string, overrides: Partial<TaskUse> = {}): TaskUse {
  return {
    digest,
    taskArn: `arn:aws:ecs:eu-west-1:123456789012:task/prod/${taskId}`,
    cluster: CLUSTER,
    account: '123456789012',
    region: 'eu-west-1',
    service: 'web',
    taskDefinitionArn: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:7',
    containers: [{ name: 'app', image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app:1.0' }],
    firstSeenAt: '2026-09-01T08:00:00Z',
    lastSeenAt: '2026-09-10T11:00:00Z',
    source: 'taskEvent',
    ...overrides,
  };
}

export function verdict(loaded: LoadedPolicy<Policy>, digest: string, vulnerabilities: VulnerabilityFinding[], scannedAt = '2026-09-09T12:00:00Z'): StoredVerdict {
  const scan = report({ image: facts({ digest, configUser: '1000' }), vulnerabilities, provenance: { scanner: 'trivy', scannerVersion: '0.69.0', scannedAt, schemaVersion: 2 } });
  return { digest, policyHash: loaded.hash, assessment: assessImage(loaded, scan, { now: new Date(scannedAt) }), scannedAt, expiresAt: 0, reportLocation: `s3://reports/${digest}.json` };
}

export { vuln };
