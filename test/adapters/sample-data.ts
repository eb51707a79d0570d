import { randomBytes } from 'node:crypto';
import type { ImageAssessment } from '../../functions/core/policy/input';
import type { ScanRecord, ScanRequest, StoredVerdict, Waiter } from '../../functions/core/ports';
import type { Violation } from '../../functions/core/result/model';
import type { Severity } from '../../functions/core/severity';

/** Test data for the adapter tests, written for this project. */

export function digestOf(n: number): string {
  return `sha256:${n.toString(16).padStart(64, '0')}`;
}

const SEVERITY_CYCLE: Severity[] = ['critical', 'high', 'medium', 'low'];

/** A vulnerability candidate with realistic text (repetitive, so it compresses like real findings lists). */
export function vulnerabilityCandidate(index: number): Violation {
  const severity = SEVERITY_CYCLE[index % SEVERITY_CYCLE.length];
  return {
    rule: 'vulnerabilities',
    kind: 'vulnerability',
    id: `CVE-2024-${String(10000 + index)}`,
    severity,
    action: index % 3 === 0 ? 'deny' : 'warn',
    message: `CVE-2024-${10000 + index} (${severity}) in libexample${index % 40} 1.${index % 9}.${index % 7}, fixed in 1.${index % 9}.${(index % 7) + 1}`,
    details: { package: `libexample${index % 40}`, installedVersion: `1.${index % 9}.${index % 7}`, fixedVersion: `1.${index % 9}.${(index % 7) + 1}`, fixable: true },
  };
}

export function assessment(candidateCount: number, options: { randomPayloadBytes?: number } = {}): ImageAssessment {
  const candidates = Array.from({ length: candidateCount }, (_, index) => vulnerabilityCandidate(index));
  if (options.randomPayloadBytes) {
    // Random text does not compress: used to build items that stay large after gzip.
    candidates.push({
      rule: 'secrets',
      kind: 'secret',
      id: 'random-payload',
      severity: 'high',
      action: 'deny',
      message: randomBytes(Math.ceil((options.randomPayloadBytes * 3) / 4)).toString('base64').slice(0, options.randomPayloadBytes),
    });
  }
  return {
    facts: { repoDigests: ['registry.example/app@sha256:' + 'a'.repeat(64)], hasImageConfig: true, envNames: ['PATH', 'LANG'], configUser: 'root' },
    provenance: { scanner: 'trivy', scannerVersion: '0.74.0', scannedAt: '2026-01-02T03:04:05Z', schemaVersion: 2 },
    candidates,
    scannerSaysRoot: true,
  };
}

export function verdict(digest: string, overrides: Partial<StoredVerdict> = {}): StoredVerdict {
  return {
    digest,
    policyHash: 'policy-hash-1',
    assessment: assessment(3),
    buildId: 'fargate-gate-scan:11111111-2222-3333-4444-555555555555',
    reportLocation: `s3://reports/${digest}.json`,
    scannedAt: '2026-01-02T03:04:05.000Z',
    expiresAt: FUTURE_SECONDS,
    ...overrides,
  };
}

export function scanRecord(digest: string, overrides: Partial<ScanRecord> = {}): ScanRecord {
  return {
    digest,
    imageReference: `123456789012.dkr.ecr.eu-west-1.amazonaws.com/app@${digest}`,
    scanId: `scan-${digest.slice(-8)}`,
    state: 'queued',
    attempts: 0,
    startedAt: '2026-01-02T03:04:05.000Z',
    deadline: '2026-01-02T03:34:05.000Z',
    ...overrides,
  };
}

export function waiter(digest: string, taskId: string, overrides: Partial<Waiter> = {}): Waiter {
  return {
    digest,
    taskArn: `arn:aws:ecs:eu-west-1:123456789012:task/prod/${taskId}`,
    cluster: 'arn:aws:ecs:eu-west-1:123456789012:cluster/prod',
    taskDefinitionArn: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/app:7',
    seenAt: '2026-01-02T03:04:05.000Z',
    ...overrides,
  };
}

/** The fixed "now" of the store tests: 2026-01-02T03:04:05Z. */
export const NOW = new Date('2026-01-02T03:04:05.000Z');
export const NOW_SECONDS = Math.floor(NOW.getTime() / 1000);
export const FUTURE_SECONDS = NOW_SECONDS + 7 * 24 * 3600;

/**
 * An AWS error as the SDK raises it for a code its model has no class for (e.g. ECS throttling): an Error
 * whose `name` is the AWS error code, with `$metadata` and `$fault`.
 */
export function awsError(name: string, message: string, extra: { httpStatusCode?: number; throttling?: boolean } = {}): Error {
  return Object.assign(new Error(message), {
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: extra.httpStatusCode ?? 400 },
    ...(extra.throttling ? { $retryable: { throttling: true } } : {}),
  });
}

/** A scan request as the gate sends it for the digest `digestOf(7)`. */
export const SCAN_REQUEST: ScanRequest = {
  scanId: '01JH5Z7Q8K3M4N5P6R7S8T9V0W',
  digest: digestOf(7),
  imageReference: `123456789012.dkr.ecr.eu-west-1.amazonaws.com/app@${digestOf(7)}`,
  reportKey: `reports/sha256/${digestOf(7).slice(7)}/01JH5Z7Q8K3M4N5P6R7S8T9V0W.json`,
};
