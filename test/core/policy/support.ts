import type { ImageFacts, MisconfigurationFinding, ScanReport, SecretFinding, VulnerabilityFinding, FixState } from '../../../functions/core/findings/model';
import { parseImageReference } from '../../../functions/core/image/reference';
import { assessImage } from '../../../functions/core/policy/assess';
import { evaluatePolicy } from '../../../functions/core/policy/evaluate';
import type { ContainerEvidence, EvaluationContext, LoadedPolicy } from '../../../functions/core/policy/input';
import { loadPolicy } from '../../../functions/core/policy/load';
import type { Policy, PolicyInput } from '../../../functions/core/policy/schema';
import type { EvaluationResult } from '../../../functions/core/result/model';
import type { Severity } from '../../../functions/core/severity';
import type { ContainerSpec, EnvVar } from '../../../functions/core/taskdef/model';

/** Small builders for policy-engine tests: reports are built as the normalisers would produce them. */

export const NOW = new Date('2026-09-01T12:00:00Z');
export const DIGEST = `sha256:${'a'.repeat(64)}`;
export const OTHER_DIGEST = `sha256:${'b'.repeat(64)}`;

export function policyDoc(overrides: Partial<PolicyInput> = {}): PolicyInput {
  return { schemaVersion: '1', name: 'test', mode: 'enforce', onScanError: 'deny', rules: {}, ...overrides };
}

export function policy(overrides: Partial<PolicyInput> = {}): LoadedPolicy<Policy> {
  return loadPolicy(policyDoc(overrides), 'test-policy.json');
}

export function facts(overrides: Partial<ImageFacts> = {}): ImageFacts {
  return { reference: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app:1.0', repoDigests: [], digest: DIGEST, hasImageConfig: true, envNames: [], ...overrides };
}

export function report(overrides: Partial<ScanReport> = {}): ScanReport {
  return {
    provenance: { scanner: 'trivy', scannerVersion: '0.69.0', scannedAt: '2026-09-01T00:00:00Z', schemaVersion: 2 },
    image: facts({ configUser: '1000' }),
    vulnerabilities: [],
    secrets: [],
    misconfigurations: [],
    ...overrides,
  };
}

export function vuln(id: string, severity: Severity, fixState: FixState = 'fixed', pkg: Partial<VulnerabilityFinding['package']> = {}, aliases: string[] = []): VulnerabilityFinding {
  return {
    id,
    aliases,
    severity,
    fixState,
    package: { name: 'openssl', installedVersion: '1.1.1k', ...(fixState === 'fixed' ? { fixedVersion: '1.1.1l' } : {}), ...pkg },
    target: 'debian 12',
  };
}

export function secret(ruleId: string, severity: Severity, category = 'AWS', path = '/app/.env'): SecretFinding {
  return { ruleId, category, severity, title: `${ruleId} title`, location: { kind: 'layer', path, layerDigest: DIGEST }, match: 'KEY=****' };
}

export function misconfig(id: string, severity: Severity, status: MisconfigurationFinding['status'] = 'fail', aliases: string[] = []): MisconfigurationFinding {
  return { id, aliases, severity, status, title: `${id} title`, target: 'Dockerfile' };
}

export function spec(overrides: Partial<ContainerSpec> = {}): ContainerSpec {
  return {
    name: 'web',
    image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app:1.0',
    environment: [],
    overrideEnvironment: [],
    secretNames: [],
    addedCapabilities: [],
    essential: true,
    ...overrides,
  };
}

export const env = (name: string, value: string): EnvVar => ({ name, value });

/** A container of a task, with its image assessed under `loaded`. */
export function container(loaded: LoadedPolicy<Policy>, scan: ScanReport | undefined, specOverrides: Partial<ContainerSpec> = {}, extra: Partial<ContainerEvidence> = {}): ContainerEvidence {
  const s = spec(specOverrides);
  let image: ContainerEvidence['image'];
  try {
    image = parseImageReference(s.image);
  } catch {
    image = undefined;
  }
  return {
    name: s.name,
    image,
    digest: DIGEST,
    spec: s,
    ...(scan ? { assessment: assessImage(loaded, scan) } : {}),
    ...extra,
  };
}

export function evaluate(loaded: LoadedPolicy<Policy>, containers: ContainerEvidence[], context: EvaluationContext = { cluster: 'prod', service: 'web' }, now = NOW): EvaluationResult {
  return evaluatePolicy(loaded, { containers, context, now });
}

/** Evaluates one report the way the CLI does for a bare report: no task definition. */
export function evaluateReport(loaded: LoadedPolicy<Policy>, scan: ScanReport, now = NOW): EvaluationResult {
  return evaluatePolicy(loaded, { containers: [{ assessment: assessImage(loaded, scan) }], context: {}, now });
}

export const ids = (result: EvaluationResult) => result.violations.map((v) => v.id);
