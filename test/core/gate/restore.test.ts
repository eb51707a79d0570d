import { decideRestore, type RestoreContainer } from '../../../functions/core/gate/restore';
import { parseImageReference } from '../../../functions/core/image/reference';
import { assessImage } from '../../../functions/core/policy/assess';
import type { StoredVerdict } from '../../../functions/core/ports';
import type { TaskDefinitionSpec } from '../../../functions/core/taskdef/model';
import { DIGEST, NOW, OTHER_DIGEST, policy, report, spec, vuln } from '../policy/support';

describe('decideRestore', () => {
  const loaded = policy({ rules: { rootUser: { action: 'deny' }, vulnerabilities: { action: 'deny', fixable: { minSeverity: 'high' } } } });
  const IMAGE = parseImageReference('123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app:1.0');
  const verdict = (digest: string, critical: number, scannedAt = '2026-09-01T11:00:00Z'): StoredVerdict => ({
    digest,
    policyHash: loaded.hash,
    assessment: assessImage(loaded, report({ vulnerabilities: Array.from({ length: critical }, (_, i) => vuln(`CVE-2026-${1000 + i}`, 'critical')) })),
    scannedAt,
    expiresAt: Math.floor(NOW.getTime() / 1000) + 86_400,
  });
  const taskDefinition = (user = '1000'): TaskDefinitionSpec => ({ arn: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/app:7', containers: [spec({ name: 'app', user })] });
  const decide = (containers: RestoreContainer[], td = taskDefinition()) => decideRestore({ policy: loaded, spec: td, containers, context: { cluster: 'prod', service: 'web' }, now: NOW });

  it('restores a revision whose every image has a current verdict that passes', () => {
    expect(decide([{ name: 'app', image: IMAGE, digest: DIGEST, verdict: verdict(DIGEST, 0) }])).toMatchObject({ restore: true, result: { decision: 'pass' } });
  });

  it('does not restore a revision the policy would deny too, for its images or its task definition', () => {
    expect(decide([{ name: 'app', image: IMAGE, digest: DIGEST, verdict: verdict(DIGEST, 2) }])).toEqual({ restore: false, why: 'the revision would be denied too (decision fail)' });
    expect(decide([{ name: 'app', image: IMAGE, digest: DIGEST, verdict: verdict(DIGEST, 0) }], taskDefinition('root'))).toMatchObject({ restore: false });
  });

  it('restores on a verdict older than maxScanAge (a revision that ran for weeks), not on one past its TTL', () => {
    const old = { ...verdict(DIGEST, 0, '2026-06-01T00:00:00Z') };
    expect(decide([{ name: 'app', image: IMAGE, digest: DIGEST, verdict: old }])).toMatchObject({ restore: true });
    const expired = { ...old, expiresAt: Math.floor(NOW.getTime() / 1000) - 1 };
    expect(decide([{ name: 'app', image: IMAGE, digest: DIGEST, verdict: expired }])).toEqual({ restore: false, why: `container app: the verdict for ${DIGEST} has expired` });
  });

  it('does not restore what it does not know: a missing or unpinnable image', () => {
    expect(decide([{ name: 'app', image: IMAGE, digest: DIGEST, verdict: verdict(DIGEST, 0) }, { name: 'side', digest: OTHER_DIGEST }])).toEqual({
      restore: false,
      why: `container side: no verdict for ${OTHER_DIGEST} under the current policy`,
    });
    expect(decide([{ name: 'app', image: IMAGE, problem: 'its image tag no longer exists in ECR' }])).toEqual({ restore: false, why: 'container app: its image tag no longer exists in ECR' });
    expect(decide([])).toMatchObject({ restore: false });
  });
});
