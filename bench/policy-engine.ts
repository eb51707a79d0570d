import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parseScanReportText } from '../functions/core/findings';
import { assessImage, evaluatePolicy, type LoadedPolicy, type Policy } from '../functions/core/policy';
import { loadPolicyText } from '../functions/core/policy/load';
import { seededRandom } from '../functions/local/random';

/**
 * Part A of the benchmark: the policy engine on a large report. A Trivy JSON report with `findings`
 * vulnerabilities (spread over OS and language packages, every severity and fix state) is parsed,
 * assessed and evaluated as one task; the median of several timed runs is the figure, with the fastest and slowest
 * run beside it. Beside the engine, a bare `JSON.parse` of the same text is timed in the same runs (alternating which
 * runs first, a full collection forced before each): the floor any reader of the report pays.
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

/** The median of repeated timings with the fastest and slowest beside it: a figure within its spread is noise. */
export interface Spread {
  median: number;
  min: number;
  max: number;
}

export function spreadOf(values: number[]): Spread {
  if (values.length === 0) throw new Error('the spread of no values');
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

/** Which of the two timed steps runs first in each run. */
export type StepOrder = 'parseFirst' | 'engineFirst';

/**
 * The order of the bare `JSON.parse` and the engine in each of `runs` runs: alternating, starting with the parse, so
 * that neither always runs second on a heap the other has just filled (and pays for collecting it). `runs` must be even,
 * so that each order runs equally often.
 */
export function alternatingOrders(runs: number): StepOrder[] {
  if (!Number.isInteger(runs) || runs < 2 || runs % 2 !== 0) throw new Error(`runs must be an even number of at least 2 (each order as often), got ${runs}`);
  return Array.from({ length: runs }, (_, i) => (i % 2 === 0 ? 'parseFirst' : 'engineFirst'));
}

/** A full collection before each timed step, and how it was obtained; `collect` undefined says none is available. */
export interface ForcedGc {
  collect: (() => void) | undefined;
  how: string;
}

/**
 * `global.gc` when node runs with `--expose-gc` (`npm run bench` does); otherwise the same function obtained at run
 * time through V8's flag (`v8.setFlagsFromString('--expose-gc')`, then a new context exposes `gc`), so running a bench
 * file directly with tsx is measured the same way. When neither works the figures say "not forced" (printed beside
 * them); the order still alternates.
 */
export function resolveGc(globals: { gc?: unknown } = globalThis as { gc?: unknown }): ForcedGc {
  if (typeof globals.gc === 'function') return { collect: globals.gc as () => void, how: 'global.gc (node --expose-gc)' };
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    if (typeof gc === 'function') return { collect: gc as () => void, how: 'gc exposed at run time (v8.setFlagsFromString)' };
  } catch {
    // Reported below: no collection is forced.
  }
  return { collect: undefined, how: 'not forced (no --expose-gc, and V8 refused the flag at run time): the order alternates only' };
}

export interface EngineFigures {
  findings: number;
  reportBytes: number;
  /** Runs timed (even: half with the bare parse first, half with the engine first). */
  runs: number;
  /** How a full collection was forced before each timed step (or that none was). */
  gc: string;
  /** Median milliseconds per phase and in total. */
  parseMs: number;
  assessMs: number;
  evaluateMs: number;
  totalMs: number;
  /** Median ms of a bare `JSON.parse` of the same text, timed in the same runs: the floor any reader pays. */
  jsonParseMs: number;
  /** totalMs / jsonParseMs. */
  engineToParseRatio: number;
  /** Spread over the runs: the engine's total, the bare parse, and the ratio of the two within each run. */
  totalSpread: Spread;
  jsonParseSpread: Spread;
  ratioSpread: Spread;
  violations: number;
  decision: string;
}

export function defaultPolicy(root: string): LoadedPolicy<Policy> {
  const source = join(root, 'policies/default.json');
  return loadPolicyText(readFileSync(source, 'utf8'), source);
}

/**
 * Times parse + assess + evaluate against a bare `JSON.parse` of the same text `runs` times (after a warm-up of each
 * order) and returns the medians with their spread. The two steps alternate which runs first (`alternatingOrders`), and
 * a full collection is forced before each timed step when one is available (`resolveGc`), so neither step pays for the
 * other's garbage.
 */
export function measurePolicyEngine(policy: LoadedPolicy<Policy>, options: { findings: number; runs: number; gc?: ForcedGc }): EngineFigures {
  const orders = alternatingOrders(options.runs);
  const gc = options.gc ?? resolveGc();
  const text = generateLargeTrivyReport({ findings: options.findings });
  const timeJsonParse = () => {
    gc.collect?.();
    const p0 = performance.now();
    JSON.parse(text);
    return performance.now() - p0;
  };
  const timeEngine = () => {
    gc.collect?.();
    const t0 = performance.now();
    const report = parseScanReportText(text, 'benchmark report');
    const t1 = performance.now();
    const assessment = assessImage(policy, report);
    const t2 = performance.now();
    const result = evaluatePolicy(policy, { containers: [{ name: 'app', assessment }], context: { cluster: 'prod' }, now: new Date('2026-01-05T09:00:00Z') });
    const t3 = performance.now();
    return { parse: t1 - t0, assess: t2 - t1, evaluate: t3 - t2, total: t3 - t0, violations: result.violations.length, decision: result.decision, found: report.vulnerabilities.length };
  };
  const once = (order: StepOrder) => {
    if (order === 'parseFirst') {
      const jsonParse = timeJsonParse();
      return { jsonParse, ...timeEngine() };
    }
    const engine = timeEngine();
    return { jsonParse: timeJsonParse(), ...engine };
  };
  const warm = once('parseFirst');
  once('engineFirst');
  if (warm.found !== options.findings) throw new Error(`the generated report parsed to ${warm.found} findings, expected ${options.findings}`);
  const samples = orders.map(once);
  return {
    findings: options.findings,
    reportBytes: Buffer.byteLength(text),
    runs: samples.length,
    gc: gc.how,
    parseMs: median(samples.map((s) => s.parse)),
    assessMs: median(samples.map((s) => s.assess)),
    evaluateMs: median(samples.map((s) => s.evaluate)),
    totalMs: median(samples.map((s) => s.total)),
    jsonParseMs: median(samples.map((s) => s.jsonParse)),
    engineToParseRatio: roundedRatio(median(samples.map((s) => s.total)), median(samples.map((s) => s.jsonParse))),
    totalSpread: spreadOf(samples.map((s) => s.total)),
    jsonParseSpread: spreadOf(samples.map((s) => s.jsonParse)),
    ratioSpread: spreadOf(samples.map((s) => s.total / s.jsonParse)),
    violations: warm.violations,
    decision: warm.decision,
  };
}

export interface EngineGrowth {
  /** Per size: medians (ms, rounded to 0.1) with the spread of the engine's total and of the bare parse over the runs. */
  sizes: {
    findings: number;
    runs: number;
    totalMs: number;
    jsonParseMs: number;
    engineToParseRatio: number;
    microsPerFinding: number;
    totalSpread: Spread;
    jsonParseSpread: Spread;
    ratioSpread: Spread;
  }[];
  /** How a full collection was forced before each timed step, the same at every size (see `resolveGc`). */
  gc: string;
  /** Time per finding at the largest size over time per finding at the smallest: 1 is linear. */
  growth: number;
  /**
   * The same for `JSON.parse` of the same texts, from the same runs (same order alternation, same forced collections),
   * so the two growths are measured alike: the floor any reader pays grows too (a larger heap makes each allocation
   * and collection dearer), so the engine's growth is read against it.
   */
  jsonParseGrowth: number;
  /**
   * `growth` / `jsonParseGrowth`: how much faster than `JSON.parse` of the same text the engine's time per finding
   * grows. Where `JSON.parse` itself grows superlinearly (100,000 findings are a 95 MB text whose tree outgrows the
   * young generation), this is the figure that says whether the engine adds to it; 1 is "grows as the parse it cannot
   * avoid does".
   */
  growthVsJsonParse: number;
}

/** The engine at several report sizes (fewer runs for the larger ones), and how its time per finding grows. */
export function measureEngineGrowth(policy: LoadedPolicy<Policy>, sizes: { findings: number; runs: number }[], gc: ForcedGc = resolveGc()): EngineGrowth {
  const raw = sizes.map(({ findings, runs }) => measurePolicyEngine(policy, { findings, runs, gc }));
  const round1 = (value: number) => Math.round(value * 10) / 10;
  const roundSpread = (spread: Spread, round: (value: number) => number): Spread => ({ median: round(spread.median), min: round(spread.min), max: round(spread.max) });
  const round2 = (value: number) => Math.round(value * 100) / 100;
  const measured = raw.map((figures) => ({
    findings: figures.findings,
    runs: figures.runs,
    totalMs: round1(figures.totalMs),
    jsonParseMs: round1(figures.jsonParseMs),
    engineToParseRatio: figures.engineToParseRatio,
    microsPerFinding: Math.round((figures.totalMs * 1000 * 100) / figures.findings) / 100,
    totalSpread: roundSpread(figures.totalSpread, round1),
    jsonParseSpread: roundSpread(figures.jsonParseSpread, round1),
    ratioSpread: roundSpread(figures.ratioSpread, round2),
  }));
  // From the unrounded medians: a 1,000-finding parse takes a few milliseconds, where 0.1 ms of rounding is a few percent.
  const growth = unroundedGrowth(raw.map((figures) => ({ findings: figures.findings, ms: figures.totalMs })));
  const jsonParseGrowth = unroundedGrowth(raw.map((figures) => ({ findings: figures.findings, ms: figures.jsonParseMs })));
  return {
    sizes: measured,
    gc: gc.how,
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
