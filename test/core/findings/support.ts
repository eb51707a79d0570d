import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { canonicalMisconfigId, canonicalVulnerabilityId } from '../../../functions/core/findings/ids';
import { FIX_STATES, type ScanReport } from '../../../functions/core/findings/model';
import { SEVERITIES } from '../../../functions/core/severity';

export { inputErrorOf } from '../../support/input-error';

export const REPORT_FIXTURES = resolve(__dirname, '../../fixtures/reports');

export function fixtureText(relative: string): string {
  return readFileSync(join(REPORT_FIXTURES, relative), 'utf8');
}

/** A fresh copy each call, so a test can mutate it freely. */
export function fixtureJson<T = any>(relative: string): T {
  return JSON.parse(fixtureText(relative)) as T;
}

const SHA256 = /^sha256:[0-9a-f]{64}$/;

function undefinedKeys(value: unknown, path: string, found: string[]): void {
  if (Array.isArray(value)) value.forEach((item, i) => undefinedKeys(item, `${path}[${i}]`, found));
  else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (child === undefined) found.push(`${path}.${key}`);
      else undefinedKeys(child, `${path}.${key}`, found);
    }
  }
}

/**
 * Every property a normalised report must have, whatever the input: the contract rules and stores rely on.
 * Returns the broken ones (empty when the report is sound), so property tests can show what broke.
 */
export function invariantViolations(report: ScanReport): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, what: string) => {
    if (!ok) problems.push(what);
  };
  const isIso = (value: string | undefined) => value === undefined || new Date(value).toISOString() === value;

  const { provenance, image } = report;
  check(provenance.scanner === 'trivy' || provenance.scanner === 'grype', 'scanner is trivy or grype');
  check(isIso(provenance.scannedAt), 'scannedAt is UTC ISO-8601');
  check(isIso(provenance.dbBuiltAt), 'dbBuiltAt is UTC ISO-8601');
  check(provenance.scanner !== 'trivy' || provenance.schemaVersion === 2, 'Trivy reports are SchemaVersion 2');

  check(image.repoDigests.every((d) => typeof d === 'string' && d.trim() === d && d !== ''), 'repoDigests are non-empty trimmed strings');
  check(new Set(image.repoDigests).size === image.repoDigests.length, 'repoDigests are unique');
  check(image.digest === undefined || SHA256.test(image.digest), 'digest is sha256:<64 hex>');
  check(image.hasImageConfig || (image.configUser === undefined && image.envNames.length === 0), 'no config means no user and no env');
  check(image.configUser === undefined || image.configUser.trim() !== '', 'configUser is never blank');
  check(image.envNames.every((n) => n !== '' && !n.includes('=')), 'envNames are names only');
  check(new Set(image.envNames).size === image.envNames.length, 'envNames are unique');

  const vulnKeys = new Set<string>();
  for (const v of report.vulnerabilities) {
    check(v.id !== '' && v.id.trim() === v.id, `vulnerability id ${JSON.stringify(v.id)} is non-empty and trimmed`);
    check(SEVERITIES.includes(v.severity), `severity ${v.severity} is canonical`);
    check(FIX_STATES.includes(v.fixState), `fixState ${v.fixState} is canonical`);
    const canonical = v.aliases.map(canonicalVulnerabilityId);
    check(!canonical.includes(canonicalVulnerabilityId(v.id)), `aliases of ${v.id} exclude the id`);
    check(new Set(canonical).size === canonical.length, `aliases of ${v.id} are unique`);
    check(v.aliases.every((a) => a !== '' && a.trim() === a), `aliases of ${v.id} are non-empty`);
    check(v.package.name !== '', `package of ${v.id} has a name`);
    check(v.fixState !== 'fixed' || v.package.fixedVersion !== undefined || v.scannerFixState !== undefined, `${v.id} is fixed only when the report says so`);
    const key = [canonicalVulnerabilityId(v.id), v.package.name, v.package.installedVersion, v.target, v.package.path].join('|');
    check(!vulnKeys.has(key), `${v.id} in ${v.package.name} appears once`);
    vulnKeys.add(key);
  }
  for (const s of report.secrets) {
    check(s.ruleId !== '', 'secret rule id is non-empty');
    check(SEVERITIES.includes(s.severity), `secret severity ${s.severity} is canonical`);
    check(s.location.kind === 'layer' ? s.location.path !== '' : s.location.kind === 'imageConfig', 'scanner secrets are in a layer or the image config');
  }
  for (const m of report.misconfigurations) {
    check(m.id === canonicalMisconfigId(m.id), `misconfiguration id ${m.id} is canonical`);
    check(m.aliases.includes(m.id), `aliases of ${m.id} include it`);
    check(['fail', 'pass', 'exception'].includes(m.status), `status ${m.status} is canonical`);
    check(SEVERITIES.includes(m.severity), `misconfiguration severity ${m.severity} is canonical`);
  }
  check(Array.isArray(report.warnings) && report.warnings.every((w) => typeof w === 'string'), 'warnings are strings');
  const undefinedAt: string[] = [];
  undefinedKeys(report, 'report', undefinedAt);
  check(undefinedAt.length === 0, `no undefined-valued keys (found ${undefinedAt.slice(0, 3).join(', ')})`);
  return problems;
}
