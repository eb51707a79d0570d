import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseScanReportText } from '../functions/core/findings';
import { assessImage, evaluatePolicy, loadPolicyText, type LoadedPolicy, type Policy } from '../functions/core/policy';
import { seededRandom } from '../functions/local/random';

/**
 * Part A of the benchmark: the policy engine on a large report. A Trivy JSON report with `findings`
 * vulnerabilities (spread over OS and language packages, every severity and fix state) is parsed,
 * assessed and evaluated as one task; the median of several timed runs is the figure.
 */

const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'] as const;
const SEVERITY_WEIGHTS = [0.04, 0.16, 0.4, 0.35, 0.05];

export interface LargeReportOptions {
  findings: number;
  seed?: string;
}

/** A realistic Trivy (SchemaVersion 2) image report with `findings` vulnerabilities, deterministic for a seed. */
export function generateLargeTrivyReport(options: LargeReportOptions): string {
  const random = seededRandom(options.seed ?? 'policy-engine');
  const pick = <T>(items: readonly T[], weights: readonly number[]): T => {
    let roll = random();
    for (let i = 0; i < items.length; i += 1) {
      roll -= weights[i];
      if (roll <= 0) return items[i];
    }
    return items[items.length - 1];
  };
  const targets = [
    { Target: 'registry.example.com/monolith:2026.1 (debian 12.12)', Class: 'os-pkgs', Type: 'debian', purl: (n: string, v: string) => `pkg:deb/debian/${n}@${v}?arch=amd64&distro=debian-12.12` },
    { Target: 'app/package-lock.json', Class: 'lang-pkgs', Type: 'npm', purl: (n: string, v: string) => `pkg:npm/${n}@${v}` },
    { Target: 'Python', Class: 'lang-pkgs', Type: 'python-pkg', purl: (n: string, v: string) => `pkg:pypi/${n}@${v}` },
    { Target: 'app/lib/service.jar', Class: 'lang-pkgs', Type: 'jar', purl: (n: string, v: string) => `pkg:maven/org.example/${n}@${v}` },
  ];
  const results = targets.map((target) => ({ Target: target.Target, Class: target.Class, Type: target.Type, Vulnerabilities: [] as Record<string, unknown>[] }));
  for (let i = 0; i < options.findings; i += 1) {
    const t = i % targets.length;
    const pkg = `pkg-${t}-${Math.floor(i / 7)}`;
    const installed = `1.${i % 13}.${i % 5}`;
    const severity = pick(SEVERITIES, SEVERITY_WEIGHTS);
    const fixable = random() < 0.55;
    const year = 2015 + (i % 11);
    results[t].Vulnerabilities.push({
      VulnerabilityID: i % 9 === 0 ? `GHSA-${hex(random, 4)}-${hex(random, 4)}-${hex(random, 4)}` : `CVE-${year}-${10000 + i}`,
      PkgID: `${pkg}@${installed}`,
      PkgName: pkg,
      PkgIdentifier: { PURL: targets[t].purl(pkg, installed) },
      InstalledVersion: installed,
      ...(fixable ? { FixedVersion: `1.${(i % 13) + 1}.0` } : {}),
      Status: fixable ? 'fixed' : random() < 0.8 ? 'affected' : 'will_not_fix',
      Layer: { DiffID: `sha256:${'ab'.repeat(32)}` },
      SeveritySource: 'nvd',
      PrimaryURL: `https://avd.aquasec.com/nvd/cve-${year}-${10000 + i}`,
      Title: `${pkg}: synthetic vulnerability ${i} for the benchmark`,
      Description: 'A vulnerability generated for the policy-engine benchmark. '.repeat(3),
      Severity: severity,
      CweIDs: ['CWE-787'],
      VendorSeverity: { nvd: SEVERITIES.length - 1 - SEVERITIES.indexOf(severity) },
      CVSS: { nvd: { V3Vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', V3Score: 7.5 } },
      References: [`https://nvd.nist.gov/vuln/detail/CVE-${year}-${10000 + i}`],
      PublishedDate: `${year}-03-01T00:00:00Z`,
      LastModifiedDate: `${year}-04-01T00:00:00Z`,
    });
  }
  return JSON.stringify({
    SchemaVersion: 2,
    Trivy: { Version: '0.69.3' },
    CreatedAt: '2026-01-05T08:00:00Z',
    ArtifactName: 'registry.example.com/monolith:2026.1',
    ArtifactType: 'container_image',
    Metadata: {
      OS: { Family: 'debian', Name: '12.12' },
      ImageID: `sha256:${'cd'.repeat(32)}`,
      RepoDigests: [`registry.example.com/monolith@sha256:${'ef'.repeat(32)}`],
      ImageConfig: { architecture: 'amd64', os: 'linux', config: { User: '1000', Env: ['PATH=/usr/bin'] } },
    },
    Results: results,
  });
}

function hex(random: () => number, length: number): string {
  let out = '';
  while (out.length < length) out += Math.floor(random() * 36).toString(36);
  return out.slice(0, length);
}

export interface EngineFigures {
  findings: number;
  reportBytes: number;
  runs: number;
  /** Median milliseconds per phase and in total. */
  parseMs: number;
  assessMs: number;
  evaluateMs: number;
  totalMs: number;
  /** Median ms of a bare `JSON.parse` of the same text, timed in the same runs: the floor any reader pays. */
  jsonParseMs: number;
  /** totalMs / jsonParseMs. */
  engineToParseRatio: number;
  violations: number;
  decision: string;
}

export function defaultPolicy(root: string): LoadedPolicy<Policy> {
  const source = join(root, 'policies/default.json');
  return loadPolicyText(readFileSync(source, 'utf8'), source);
}

/** Times parse + assess + evaluate `runs` times (after one warm-up run) and returns the medians. */
export function measurePolicyEngine(policy: LoadedPolicy<Policy>, options: { findings: number; runs: number }): EngineFigures {
  const text = generateLargeTrivyReport({ findings: options.findings });
  const once = () => {
    const p0 = performance.now();
    JSON.parse(text);
    const jsonParse = performance.now() - p0;
    const t0 = performance.now();
    const report = parseScanReportText(text, 'benchmark report');
    const t1 = performance.now();
    const assessment = assessImage(policy, report);
    const t2 = performance.now();
    const result = evaluatePolicy(policy, { containers: [{ name: 'app', assessment }], context: { cluster: 'prod' }, now: new Date('2026-01-05T09:00:00Z') });
    const t3 = performance.now();
    return { jsonParse, parse: t1 - t0, assess: t2 - t1, evaluate: t3 - t2, total: t3 - t0, violations: result.violations.length, decision: result.decision, found: report.vulnerabilities.length };
  };
  const warm = once();
  if (warm.found !== options.findings) throw new Error(`the generated report parsed to ${warm.found} findings, expected ${options.findings}`);
  const samples = Array.from({ length: options.runs }, once);
  return {
    findings: options.findings,
    reportBytes: Buffer.byteLength(text),
    runs: options.runs,
    parseMs: median(samples.map((s) => s.parse)),
    assessMs: median(samples.map((s) => s.assess)),
    evaluateMs: median(samples.map((s) => s.evaluate)),
    totalMs: median(samples.map((s) => s.total)),
    jsonParseMs: median(samples.map((s) => s.jsonParse)),
    engineToParseRatio: roundedRatio(median(samples.map((s) => s.total)), median(samples.map((s) => s.jsonParse))),
    violations: warm.violations,
    decision: warm.decision,
  };
}

export interface EngineGrowth {
  sizes: { findings: number; runs: number; totalMs: number; jsonParseMs: number; engineToParseRatio: number; microsPerFinding: number }[];
  /** Time per finding at the largest size over time per finding at the smallest: 1 is linear. */
  growth: number;
  /**
   * The same for `JSON.parse` of the same texts: the floor any reader pays grows too (a larger heap makes each
   * allocation and collection dearer), so the engine's growth is read against it.
   */
  jsonParseGrowth: number;
  /**
   * `growth` / `jsonParseGrowth`: how much faster than `JSON.parse` of the same text the engine's time per finding
   * grows. Where `JSON.parse` itself grows superlinearly (on a shared machine it does: 100,000 findings are a 95 MB
   * text whose tree outgrows the young generation), this is the figure that says whether the engine adds to it; 1 is
   * "grows as the parse it cannot avoid does".
   */
  growthVsJsonParse: number;
}

/** The engine at several report sizes (fewer runs for the larger ones), and how its time per finding grows. */
export function measureEngineGrowth(policy: LoadedPolicy<Policy>, sizes: { findings: number; runs: number }[]): EngineGrowth {
  const raw = sizes.map(({ findings, runs }) => ({ runs, figures: measurePolicyEngine(policy, { findings, runs }) }));
  const measured = raw.map(({ runs, figures }) => ({
    findings: figures.findings,
    runs,
    totalMs: Math.round(figures.totalMs * 10) / 10,
    jsonParseMs: Math.round(figures.jsonParseMs * 10) / 10,
    engineToParseRatio: figures.engineToParseRatio,
    microsPerFinding: Math.round((figures.totalMs * 1000 * 100) / figures.findings) / 100,
  }));
  // From the unrounded medians: a 1,000-finding parse takes a few milliseconds, where 0.1 ms of rounding is a few percent.
  const growth = unroundedGrowth(raw.map(({ figures }) => ({ findings: figures.findings, ms: figures.totalMs })));
  const jsonParseGrowth = unroundedGrowth(raw.map(({ figures }) => ({ findings: figures.findings, ms: figures.jsonParseMs })));
  return {
    sizes: measured,
    growth: roundedRatio(growth, 1),
    jsonParseGrowth: roundedRatio(jsonParseGrowth, 1),
    growthVsJsonParse: roundedRatio(growth, jsonParseGrowth),
  };
}

/** Time per item at the largest size divided by time per item at the smallest, rounded to 2 decimals. */
export function growthOf(points: { findings: number; ms: number }[]): number {
  return roundedRatio(unroundedGrowth(points), 1);
}

function unroundedGrowth(points: { findings: number; ms: number }[]): number {
  if (points.length < 2) throw new Error('growth needs at least two sizes');
  const sorted = [...points].sort((a, b) => a.findings - b.findings);
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  return last.ms / last.findings / (first.ms / first.findings);
}

/** numerator / denominator rounded to 2 decimals; NaN when the denominator is not a positive number. */
export function roundedRatio(numerator: number, denominator: number): number {
  if (!(denominator > 0) || !Number.isFinite(numerator)) return Number.NaN;
  return Math.round((numerator / denominator) * 100) / 100;
}

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}
