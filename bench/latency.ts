import { seededRandom } from '../functions/local/random';
import { LAMBDA_COMPUTE_BUILD_LIMIT, type ResolvedSettings, type ScanComputeMode } from '../infra/settings';
import { mustBlock, type FleetPlan } from './fleet';

/**
 * A model of time for the gate, in simulated seconds: every step between a Fargate task starting and the gate's verdict
 * on its image, drawn from seeded distributions whose parameters cite public figures (sources in `STEPS`; "assumption"
 * says where no public figure was found). Driven by the bench fleet (bench/fleet.ts), so the same seeded launches,
 * pushes and image reuse decide which launches find a verdict waiting.
 *
 * Source keys are those of ../shared/reference/anchors-2026-12.md §S ([B1]...[B11]) unless a URL is given. The gate
 * function's cold start is the one figure taken from this machine: bench Part D's measurement, passed in by bench/run.ts.
 */

/** A distribution of a duration in seconds (or of a size in MiB). */
export type Distribution =
  | { kind: 'constant'; value: number }
  | { kind: 'uniform'; low: number; high: number }
  /** Log-normal given by its median and 95th percentile. */
  | { kind: 'lognormal'; median: number; p95: number }
  | { kind: 'mixture'; parts: [weight: number, Distribution][] };

export interface Step {
  distribution: Distribution;
  source: string;
}

const Z95 = 1.6448536269514722;

/** One draw. Box-Muller for the log-normal; two uniform draws per call whatever the kind, so streams stay aligned. */
export function sample(distribution: Distribution, random: () => number): number {
  const u1 = random();
  const u2 = random();
  switch (distribution.kind) {
    case 'constant':
      return distribution.value;
    case 'uniform':
      return distribution.low + u1 * (distribution.high - distribution.low);
    case 'lognormal': {
      const sigma = Math.log(distribution.p95 / distribution.median) / Z95;
      const normal = Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
      return distribution.median * Math.exp(sigma * normal);
    }
    case 'mixture': {
      const total = distribution.parts.reduce((sum, [weight]) => sum + weight, 0);
      let roll = u1 * total;
      for (const [weight, part] of distribution.parts) {
        roll -= weight;
        if (roll <= 0) return sample(part, random);
      }
      return sample(distribution.parts[distribution.parts.length - 1][1], random);
    }
  }
}

/** The p-th percentile (0-100) of the values, linear between closest ranks (the "type 7" definition of R and NumPy). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new Error('percentile of no values');
  if (!(p >= 0 && p <= 100)) throw new Error(`percentile ${p} is outside 0-100`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
}

/** The distributions of the step table, written short. */
const dist = {
  constant: (value: number): Distribution => ({ kind: 'constant', value }),
  uniform: (low: number, high: number): Distribution => ({ kind: 'uniform', low, high }),
  lognormal: (median: number, p95: number): Distribution => ({ kind: 'lognormal', median, p95 }),
  mixture: (...parts: [weight: number, Distribution][]): Distribution => ({ kind: 'mixture', parts }),
};

/** The step table from rows `name: [distribution, source]`, so each step reads as one line. */
function stepTable<K extends string>(rows: Record<K, readonly [Distribution, string]>): Record<K, Step> {
  return Object.fromEntries(Object.entries<readonly [Distribution, string]>(rows).map(([name, [distribution, source]]) => [name, { distribution, source }])) as Record<K, Step>;
}

/**
 * Sizes in MiB, throughputs in MiB/s, durations in seconds. A row: `name: [distribution, source]`. A source is either a
 * citation (an http URL or an anchors key [Bn]), or starts with "Measured:" (this bench's own measurement), or starts
 * with "Assumption:" and says why no public figure was used; `assumptions()` lists the latter for the bench output and
 * the note.
 */
export const STEPS = stepTable({
  eventDelivery: [dist.lognormal(0.5, 2), 'Assumption: AWS publishes no delivery latency for ECS Task State Change or CodeBuild events (delivery is "best effort", aws-semantics.md §4.3). For custom events on a bus, AWS\'s Amazon Key post reports 80 ms p90 end to end (https://sysdesign-wiki.pages.dev/sources/2026-02-04-aws-amazon-key-eventbridge-event-driven-architecture/); a service\'s own events go through the service first, so the median here is higher.'],
  lambdaPlatformInit: [dist.lognormal(0.25, 0.6), 'Assumption: Lambda\'s part of a cold start (environment, code download, Node.js start) before the bundle is imported; AWS describes the phases without a number (https://aws.amazon.com/blogs/compute/operating-lambda-performance-optimization-part-1/). The bundle\'s own part is measured (`gateColdStartStep`).'],
  lambdaWarm: [dist.lognormal(0.15, 0.4), 'Assumption: a warm invocation with 2-4 AWS API calls (DynamoDB, DescribeTasks, StartBuild/StopTask) at tens of ms each: AWS\'s own example of an in-region API round trip is 20 ms (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-throughput-horizontal-scaling-and-batching.html), DynamoDB "single-digit millisecond" (https://aws.amazon.com/dynamodb/); the ECS and CodeBuild calls have no published latency.'],
  coldStartShare: [dist.constant(0.15), 'Assumption: share of gate invocations that start a new execution environment at the bench fleet\'s event rate; Lambda keeps an environment "for a non-deterministic period of time" (https://aws.amazon.com/blogs/compute/operating-lambda-performance-optimization-part-1/), so no published share applies.'],
  ec2Provisioning: [dist.mixture([0.5, dist.uniform(166, 250)], [0.5, dist.lognormal(30, 60)]), 'Cold host: 166 s [B1], 180-190 s [B2], 240+ s [B3] PROVISIONING. Cached current curated image: 30 s median (assumption, [B2] says current images are cached). The 50/50 split is an assumption.'],
  lambdaProvisioning: [dist.lognormal(5, 15), 'Assumption: the 5 s median / 15 s p95 are ours. AWS says Lambda compute "starts almost instantly" (https://aws.amazon.com/about-aws/whats-new/2023/11/aws-codebuild-lambda-compute/, as quoted in https://blog.serverworks.co.jp/codebuild-lambda) and has "lower start-up latency" [B5]; no measured PROVISIONING time of a Lambda-compute build was found.'],
  trivyInstall: [dist.lognormal(2, 6), 'Assumption: checksum and unpack of the Trivy tarball (its download is `trivyTarballMiB`, apart since the release is kept in the account); evaluator and policy from S3; `policy validate`. This step was 4 s / 10 s with the tarball downloaded from GitHub inside it.'],
  trivyTarballMiB: [dist.constant(50), 'Assumption: ~50 MiB, the size this model always took for the Linux tarball (docs/deploy.md, "What lands on /tmp"); no published size of the v0.70.0 tarballs was found with the project\'s lookup tools. Downloaded at `inRegionMiBps` from the stack\'s copy (or an s3:// mirror), else from GitHub releases at `publicRegistryMiBps` (assumption: no published throughput of GitHub release downloads from CodeBuild was found; the public registries\' is taken).'],
  trivyDbMiB: [dist.constant(41), 'trivy-db:2: 40.64 MiB downloaded in https://github.com/aquasecurity/trivy/issues/5441 (2023-10); layer of 39,679,068 bytes in a published manifest (code search); ~36 MiB in 2023 [B9].'],
  javaDbMiB: [dist.constant(647), 'trivy-java-db:1: 647.36 MiB downloaded in https://github.com/aquasecurity/trivy-java-db/pull/37 (2024-09; 473.79 MiB in trivy#5441, 2023-10: it grows); downloaded only when the image holds Java archives.'],
  javaImageShare: [dist.constant(0.2), 'Assumption: share of images with JAR/WAR files (Trivy then needs the Java DB). A 2026 survey of Docker Hub\'s top 100k images counts 12% Java apps (https://enterno.io/en/s/research-docker-image-size-trends-2026); a service fleet has more, and other images carry JARs too.'],
  publicRegistryMiBps: [dist.uniform(2, 18), 'Trivy\'s own progress lines: 17.98 MiB/s (trivy-db) and 2.08 MiB/s (trivy-java-db from GHCR) in https://github.com/aquasecurity/trivy/issues/5441; 13.94 MiB/s in https://github.com/aquasecurity/trivy-java-db/pull/16; 8.80 MiB/s from ECR Public in https://github.com/aquasecurity/trivy-java-db/pull/37; 5.04 MiB/s in https://github.com/aquasecurity/trivy/issues/1242.'],
  publicRegistryThrottledShare: [dist.constant(0.05), 'Assumption: the rate is ours. GHCR rate limits are documented to push teams to other registries [B11] and fail CI jobs "randomly" since 2024-09 (https://github.com/aquasecurity/trivy-action/issues/389); a throttled pull falls back to the next repository.'],
  publicRegistryThrottlePenalty: [dist.uniform(10, 60), 'Assumption: retries and fall-back to the second DB repository after TOOMANYREQUESTS [B11].'],
  inRegionMiBps: [dist.uniform(50, 150), 'Assumption: ECR (the mirror, the scanned image) and S3 (the EC2 build cache) in the same region; no published per-connection figure for a CodeBuild container was found.'],
  cachedDbStaleShare: [dist.constant(0.3), 'Assumption: share of EC2 builds whose S3-cached DB is past its NextUpdate, so Trivy downloads it again from the public registry.'],
  imageMiB: [dist.lognormal(150, 900), 'Assumption: compressed image sizes of a service fleet, heavier than the public figure on purpose (JVM and Python services): Docker Hub\'s top 100k have a median of 245 MB and a p95 of 890 MB uncompressed (https://enterno.io/en/s/research-docker-image-size-trends-2026), about 94 / 342 MiB compressed at `imageCompressionRatio`.'],
  imageCompressionRatio: [dist.constant(2.6), 'Uncompressed / compressed: 5.7 GB vs 2.2 GB for bitnami/pytorch in https://github.com/aquasecurity/trivy/issues/1242.'],
  trivyMemoryPerImageMiB: [dist.constant(1), 'Trivy\'s peak memory per MiB of uncompressed image: a 5.7 GB image was OOM-killed at 6 GB of memory (https://github.com/aquasecurity/trivy/issues/1242); with `--image-src remote --cache-backend memory` the layers stream through memory (review issue 9, item 12). One report: the proportion is ours.'],
  lambdaComputeQuota: [dist.constant(1), 'Assumption: the x86 Linux Lambda types\' default is taken to equal the ARM ones\', which https://docs.aws.amazon.com/codebuild/latest/userguide/limits.html lists as 1 running build per "ARM Lambda/<n>GB environment" (adjustable); the Linux rows were not in the stored copy. New accounts often have 1 on EC2 types too [B8]. The bench shows the figures with the quota raised to the project limit beside them.'],
  ec2ComputeQuota: [dist.constant(5), 'Running builds of the EC2 fallback\'s compute type (Linux Medium for the default LAMBDA_4GB scan type): "For some platforms and compute types, the default is 20. For a new account, the quota can be as low as 5" (https://docs.aws.amazon.com/codebuild/latest/userguide/limits.html, the China-region copy of the page); the lower figure is taken. The choice of the lower figure is ours; some new accounts report 1 [B8], and the EC2 quota then binds the overflow as the Lambda one binds the scan project.'],
  scan: [dist.lognormal(25, 55), 'Trivy: "around 30 seconds" per image [B9]; "less than 1 minute" [B10]. Scaled by the image\'s size against the median `imageMiB` (a 1.97 GB image ran past Trivy\'s 5-minute default in https://github.com/getarcaneapp/arcane/issues/1731; the proportion is ours).'],
  reportAndEvaluate: [dist.lognormal(4, 9), 'Assumption: raw report to S3, three evaluator runs (JSON, table, JUnit), CodeBuild test-report upload and build finalisation.'],
  verdict: [dist.lognormal(0.4, 1.2), 'Assumption: the gate reads the raw report from S3 and judges it (bench Part A: tens of ms for 10,000 findings), writes the verdict.'],
  stopTask: [dist.lognormal(0.2, 0.5), 'Assumption: one StopTask call; no published latency (an in-region API round trip: 20 ms in AWS\'s example, https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-throughput-horizontal-scaling-and-batching.html).'],
});

/** Whether a step's source is a citation (an http URL or an anchors key [Bn]) or an assumption said as such. */
export function sourceKind(source: string): 'assumption' | 'citation' | 'measured' | 'unsourced' {
  if (source.startsWith('Assumption:')) return 'assumption';
  if (source.startsWith('Measured:')) return 'measured';
  return /https?:\/\/\S+|\[B\d+\]/.test(source) ? 'citation' : 'unsourced';
}

/** The steps whose figures are ours, with the reasoning: printed by the bench so the note can list them. */
export function assumptions(steps: Record<string, Step> = STEPS): { name: string; source: string }[] {
  return Object.entries(steps)
    .filter(([, step]) => sourceKind(step.source) === 'assumption')
    .map(([name, step]) => ({ name, source: step.source }));
}

/** Cited steps that still take part of their figure from us (a split, a proportion), as their source says. */
export function partlyAssumed(steps: Record<string, Step> = STEPS): string[] {
  return Object.entries(steps)
    .filter(([, step]) => sourceKind(step.source) === 'citation' && /assumption|\b(is|are) ours\b/i.test(step.source))
    .map(([name]) => name);
}

/** Prints the assumed steps, one a line, so that the note can list them. */
export function printAssumptions(out: (line?: string) => void): void {
  const listed = assumptions();
  out(`  assumptions (${listed.length} of ${Object.keys(STEPS).length} steps; the others cite a public figure):`);
  for (const { name, source } of listed) out(`    ${name}: ${source.replace(/^Assumption: /, '')}`);
  out(`  cited, with a part of ours (see their sources in bench/latency.ts): ${partlyAssumed().join(', ')}`);
}

/**
 * The gate function's cold start: Lambda's part (`lambdaPlatformInit`) plus the bundle's import and first event as
 * bench Part D measured it (bench/lambda-bundles.ts, `coldStart.firstEvent.bundleMs` of the gate). Without a
 * measurement, issue 9's pre-work import figure (664 ms) stands in, and the source says so.
 */
export function gateColdStartStep(measuredMs?: number): Step {
  const platform = STEPS.lambdaPlatformInit.distribution as { median: number; p95: number };
  const code = measuredMs === undefined ? 0.664 : measuredMs / 1000;
  return {
    distribution: dist.lognormal(platform.median + code, platform.p95 + 1.5 * code),
    source:
      measuredMs === undefined
        ? 'Assumption: no Part D measurement passed, so issue 9\'s pre-work cold import of the gate bundle (664 ms) stands in, plus `lambdaPlatformInit`.'
        : `Measured: bench Part D, this run: the gate bundle's import and first event, ${Math.round(measuredMs)} ms on this machine, plus \`lambdaPlatformInit\`.`,
  };
}

/** What the model needs of the stack: read from the construct's resolved settings, never restated. */
export interface LatencyStack {
  computeMode: ScanComputeMode;
  /** The scan reads the DB from a mirror inside the account (the stack-managed one, or the operator's own). */
  mirror: boolean;
  concurrentBuildLimit: number;
  /** Memory of the Lambda compute type (BUILD_LAMBDA_<n>GB); undefined on EC2 compute. */
  lambdaMemoryMiB?: number;
  /** Trivy's own time limit for one scan (`scanner.scanTimeout`), seconds. */
  scanTimeoutS: number;
  /** A scan that outgrows Lambda compute is retried once on the EC2 fallback project. */
  ec2Fallback: boolean;
  /** The account's quota of running builds for the Lambda compute type; default `lambdaComputeQuota` (AWS's default, 1). */
  lambdaComputeQuota?: number;
  /**
   * With the EC2 fallback: the Lambda-compute builds the gate runs at once (`scanCompute.lambdaConcurrency`); a scan
   * requested while that many are in flight starts on the EC2 fallback project instead (the overflow,
   * functions/core/gate/lambda-overflow.ts). Undefined: no overflow, scans queue for the Lambda project (the gate before).
   */
  lambdaConcurrency?: number;
  /** The account's quota of running builds for the fallback's EC2 compute type; default `ec2ComputeQuota`. */
  ec2ComputeQuota?: number;
  /** The scan downloads the Trivy tarball from inside the account (the stack's copy, or an s3:// mirror). @default as `mirror` */
  trivyFromAccount?: boolean;
}

export function latencyStackOf(settings: ResolvedSettings): LatencyStack {
  const memory = /^BUILD_LAMBDA_(\d+)GB$/.exec(String(settings.compute.computeType));
  return {
    computeMode: settings.compute.mode,
    mirror: settings.trivy.managedDatabaseMirror || settings.trivy.dbRepositories.length > 0,
    concurrentBuildLimit: settings.compute.concurrentBuildLimit,
    ...(memory ? { lambdaMemoryMiB: Number(memory[1]) * 1024 } : {}),
    scanTimeoutS: settings.trivy.scanTimeout.toSeconds(),
    ec2Fallback: settings.compute.ec2Fallback,
    ...(settings.compute.lambdaConcurrency !== undefined ? { lambdaConcurrency: settings.compute.lambdaConcurrency } : {}),
    // No download URL: the managed mirror's copy of the release (infra/trivy-release-mirror.ts).
    trivyFromAccount: settings.trivy.downloadBaseUrl === undefined || settings.trivy.downloadBaseUrl.startsWith('s3://'),
  };
}

/**
 * Builds the EC2 fallback project runs at once, for the overflow: its concurrent-build limit (the scan project's, as
 * infra/scan-fallback.ts sets it) within the account's quota for its EC2 compute type (`ec2ComputeQuota`).
 */
export function overflowSlots(stack: Pick<LatencyStack, 'concurrentBuildLimit' | 'ec2ComputeQuota'>): number {
  return Math.min(stack.concurrentBuildLimit, stack.ec2ComputeQuota ?? constantOf(STEPS.ec2ComputeQuota));
}

/** Whether the stack overflows to EC2 when Lambda compute is full: Lambda compute, the fallback, and the gate's count. */
export function overflows(stack: Pick<LatencyStack, 'computeMode' | 'ec2Fallback' | 'lambdaConcurrency'>): boolean {
  return stack.computeMode === 'lambda' && stack.ec2Fallback && stack.lambdaConcurrency !== undefined;
}

/** Lambda compute builds end at 15 minutes (infra/settings.ts `LAMBDA_COMPUTE_BUILD_LIMIT`, from lambda.html#lambda.limitations). */
const LAMBDA_BUILD_LIMIT_S = LAMBDA_COMPUTE_BUILD_LIMIT.toSeconds();

/**
 * Builds that run at once: the project's concurrent-build limit, and on Lambda compute the account's quota for the
 * compute type too (`lambdaComputeQuota`, default 1): the project limit cannot run more builds than the quota allows.
 */
export function buildSlots(stack: Pick<LatencyStack, 'computeMode' | 'concurrentBuildLimit' | 'lambdaComputeQuota'>): number {
  const quota = stack.lambdaComputeQuota ?? constantOf(STEPS.lambdaComputeQuota);
  return stack.computeMode === 'lambda' ? Math.min(stack.concurrentBuildLimit, quota) : stack.concurrentBuildLimit;
}

/** Whether Trivy's peak memory for the image (uncompressed size, `trivyMemoryPerImageMiB`) exceeds the Lambda compute type's memory. */
export function outgrowsLambdaMemory(stack: Pick<LatencyStack, 'lambdaMemoryMiB'>, imageMiB: number): boolean {
  if (stack.lambdaMemoryMiB === undefined) return false;
  return imageMiB * constantOf(STEPS.imageCompressionRatio) * constantOf(STEPS.trivyMemoryPerImageMiB) > stack.lambdaMemoryMiB;
}

function constantOf(step: Step): number {
  if (step.distribution.kind !== 'constant') throw new Error('not a constant step');
  return step.distribution.value;
}

export interface LatencyFigures {
  stack: LatencyStack;
  /** Distinct digests scanned: event (push or first launch) to verdict, seconds. */
  timeToVerdictP50S: number;
  timeToVerdictP95S: number;
  /** Median seconds a standalone task that must be stopped runs, when its digest's verdict was waiting. */
  exposureKnownDigestS: number;
  /** Median seconds it runs when its digest had no verdict yet (it waits for the scan). */
  exposureNewDigestS: number;
  exposureNewDigestP95S: number;
  /** Share of standalone launches whose every image had a verdict when the gate saw the task. */
  verdictWaitingShare: number;
  /** Peers that scan each launch (no verdict reuse): median exposure of a failing task. */
  perLaunchScanExposureS: number;
  /** Inspector scan-on-push stops nothing: a failing task runs until it ends by itself (median). */
  inspectorExposureS: number;
  scans: number;
  /** Share of the scans that outgrew Lambda compute and ran again on EC2 compute. */
  ec2FallbackShare: number;
  /** Builds the scan project runs at once (`buildSlots`). */
  buildSlots: number;
  /** Share of the scans that started on the EC2 fallback project because Lambda compute was full (the overflow). */
  overflowShare: number;
  /** Where the gate function's cold-start figure came from. */
  gateColdStart: string;
  failingLaunches: number;
}

const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

/** One scan, StartBuild to verdict: its seconds, how long it held a build slot of the project, and whether it moved to EC2. */
export interface ScanDraw {
  seconds: number;
  slotSeconds: number;
  fellBackToEc2: boolean;
}

/**
 * One draw of a scan build, StartBuild accepted to the gate holding the verdict (no queue): provisioning, installation,
 * DB download, image pull, scan, report and evaluation, the build-state event and the verdict. On Lambda compute, an
 * image whose scan outgrows it (Trivy's memory above the compute type's, or the scan past Trivy's timeout) fails there
 * first and, with the EC2 fallback, runs again on EC2 compute: the Lambda attempt, the gate's reaction to its end, EC2
 * provisioning and the whole scan again. /tmp (10,240 MB at most for Lambda, https://docs.aws.amazon.com/lambda/latest/dg/configuration-ephemeral-storage.html;
 * CodeBuild gives no figure) holds Trivy and its DBs, not the image (`--image-src remote`), so it does not bind.
 */
export function drawScanPath(stack: Omit<LatencyStack, 'concurrentBuildLimit'>, random: () => number, imageMiB: number, usesJava: boolean): ScanDraw {
  // Every draw is taken whatever the configuration (common random numbers): two configurations differ only where the
  // model says they do, so "a mirror lowers the figures" compares like with like.
  const s = (step: Step) => sample(step.distribution, random);
  const lambdaProvisioning = s(STEPS.lambdaProvisioning);
  const ec2Provisioning = s(STEPS.ec2Provisioning);
  const unpack = s(STEPS.trivyInstall);
  const inRegion = s(STEPS.inRegionMiBps);
  const publicMiBps = s(STEPS.publicRegistryMiBps);
  // The Trivy tarball, on every build (no cache holds it), from the account or from GitHub (the draws above: no new one).
  const install = constantOf(STEPS.trivyTarballMiB) / ((stack.trivyFromAccount ?? stack.mirror) ? inRegion : publicMiBps) + unpack;
  const throttled = random() < constantOf(STEPS.publicRegistryThrottledShare);
  const throttlePenalty = s(STEPS.publicRegistryThrottlePenalty);
  const stale = random() < constantOf(STEPS.cachedDbStaleShare);
  const pullMiBps = s(STEPS.inRegionMiBps);
  const scan = s(STEPS.scan) * (imageMiB / (STEPS.imageMiB.distribution as { median: number }).median);
  const report = s(STEPS.reportAndEvaluate);
  const event = s(STEPS.eventDelivery);
  const verdict = s(STEPS.verdict);
  // The EC2 retry's own draws (taken always, see above).
  const retryReaction = s(STEPS.eventDelivery) + s(STEPS.lambdaWarm);

  const dbMiB = constantOf(STEPS.trivyDbMiB) + (usesJava ? constantOf(STEPS.javaDbMiB) : 0);
  const fromPublic = dbMiB / publicMiBps + (throttled ? throttlePenalty : 0);
  // EC2 compute restores the DB from the project's S3 cache, and Trivy fetches it again when it is past NextUpdate.
  const ec2Database = stack.mirror ? dbMiB / inRegion : dbMiB / inRegion + (stale ? fromPublic : 0);
  const pull = imageMiB / pullMiBps;
  const finish = report + event + verdict;
  if (stack.computeMode === 'ec2') {
    const seconds = ec2Provisioning + install + ec2Database + pull + scan + finish;
    return { seconds, slotSeconds: seconds, fellBackToEc2: false };
  }
  // Lambda compute has no cache: every build downloads the DB, from the mirror or the public registry.
  const lambdaDatabase = stack.mirror ? dbMiB / inRegion : fromPublic;
  const before = lambdaProvisioning + install + lambdaDatabase;
  const outOfMemory = outgrowsLambdaMemory(stack, imageMiB);
  const timedOut = scan > stack.scanTimeoutS;
  if (!outOfMemory && !timedOut) {
    const seconds = before + pull + scan + finish;
    return { seconds, slotSeconds: seconds, fellBackToEc2: false };
  }
  // Out of memory: Trivy is killed when the image it has read reaches the memory; timed out: at Trivy's timeout.
  const readShare = outOfMemory
    ? Math.min(1, (stack.lambdaMemoryMiB as number) / (imageMiB * constantOf(STEPS.imageCompressionRatio) * constantOf(STEPS.trivyMemoryPerImageMiB)))
    : 1;
  const attempt = Math.min(LAMBDA_BUILD_LIMIT_S, before + readShare * pull + Math.min(readShare * scan, stack.scanTimeoutS) + event);
  if (!stack.ec2Fallback) return { seconds: attempt + verdict, slotSeconds: attempt, fellBackToEc2: false };
  // The retry is the build EC2 compute would have run (the same draws), after the gate's reaction to the Lambda end.
  const retry = retryReaction + ec2Provisioning + install + ec2Database + pull + scan + finish;
  return { seconds: attempt + retry, slotSeconds: attempt, fellBackToEc2: true };
}

/** The seconds of one scan draw (`drawScanPath`). */
export function drawScan(stack: Omit<LatencyStack, 'concurrentBuildLimit'>, random: () => number, imageMiB: number, usesJava: boolean): number {
  return drawScanPath(stack, random, imageMiB, usesJava).seconds;
}

/** Event delivered and the gate function run (cold or warm). */
function drawGateReaction(random: () => number, coldStart: Step): number {
  const cold = random() < constantOf(STEPS.coldStartShare);
  return sample(STEPS.eventDelivery.distribution, random) + sample((cold ? coldStart : STEPS.lambdaWarm).distribution, random);
}

/** Figures the bench measured in the same run, used in place of a published figure. */
export interface MeasuredFigures {
  /** The gate bundle's import and first event, ms (bench Part D, `coldStart.firstEvent.bundleMs` of the gate). */
  gateColdStartMs?: number;
}

/**
 * Replays the fleet's scans and standalone launches in simulated time. Each image is scanned once, from the first of its
 * push (pre-scan) and its first use; builds wait for a free slot of the project's concurrent-build limit. With the
 * overflow (`overflows`), a scan requested while the gate counts `lambdaConcurrency` Lambda builds in flight starts on
 * the EC2 fallback project instead when a build can start there (`overflowSlots`); with both full it waits for Lambda
 * compute, as the gate does when CodeBuild refuses the EC2 build for its project limit, and counts as in flight.
 */
export function simulateLatency(plan: FleetPlan, stack: LatencyStack, seed = `${plan.seed}:latency`, measured: MeasuredFigures = {}): LatencyFigures {
  const random = seededRandom(seed);
  const coldStart = gateColdStartStep(measured.gateColdStartMs);
  const images = plan.images.map(() => ({ mib: sample(STEPS.imageMiB.distribution, random), java: random() < (STEPS.javaImageShare.distribution as { value: number }).value }));

  // When each image's scan is triggered (seconds from the start).
  const trigger = new Map<number, number>();
  const note = (image: number, atS: number) => trigger.set(image, Math.min(trigger.get(image) ?? Infinity, atS));
  plan.images.forEach((image, index) => image.pushAtMs !== undefined && note(index, image.pushAtMs / 1000));
  for (const launch of plan.launches) for (const c of plan.taskDefinitions[launch.taskDefinition].containers) note(c.image, launch.atMs / 1000);
  for (const service of plan.services) {
    for (const deployment of service.deployments) for (const c of plan.taskDefinitions[deployment.taskDefinition].containers) note(c.image, deployment.atMs / 1000);
  }

  const slots: number[] = Array.from({ length: buildSlots(stack) }, () => 0);
  const ec2Slots: number[] = Array.from({ length: overflowSlots(stack) }, () => 0);
  const overflowing = overflows(stack);
  // When each of the gate's Lambda-compute builds ends (its slot given back): the gate's own count of builds in flight.
  const lambdaInFlightUntil: number[] = [];
  let fallbacks = 0;
  let overflowed = 0;
  const verdictAt = new Map<number, number>();
  const timeToVerdict: number[] = [];
  for (const [image, at] of [...trigger].sort((a, b) => a[1] - b[1] || a[0] - b[0])) {
    const requested = at + drawGateReaction(random, coldStart);
    const full = overflowing && lambdaInFlightUntil.filter((end) => end > requested).length >= (stack.lambdaConcurrency as number);
    const ec2Slot = ec2Slots.indexOf(Math.min(...ec2Slots));
    let done: number;
    // Lambda compute full: the scan starts on the EC2 fallback project, under its own limit and quota, when a build
    // can start there; with the fallback full too (CodeBuild refuses past its project limit), it waits for Lambda compute.
    if (full && ec2Slots[ec2Slot] <= requested) {
      overflowed += 1;
      const slot = ec2Slot;
      const start = requested;
      const scan = drawScanPath({ ...stack, computeMode: 'ec2' }, random, images[image].mib, images[image].java);
      done = start + scan.seconds;
      ec2Slots[slot] = done;
    } else {
      const slot = slots.indexOf(Math.min(...slots));
      const start = Math.max(requested, slots[slot]);
      const scan = drawScanPath(stack, random, images[image].mib, images[image].java);
      if (scan.fellBackToEc2) fallbacks += 1;
      done = start + scan.seconds;
      // The EC2 retry runs on the fallback project: the Lambda project's slot is free when the Lambda attempt ends.
      slots[slot] = start + scan.slotSeconds;
      // Every Lambda build counts until it ends: one started past the count (both projects full) holds an overflow
      // lease above the limit (core/gate/lambda-overflow.ts), so the slot freed before it ends does not go to Lambda.
      lambdaInFlightUntil.push(start + scan.slotSeconds);
    }
    verdictAt.set(image, done);
    timeToVerdict.push(done - at);
  }

  const known: number[] = [];
  const fresh: number[] = [];
  const perLaunch: number[] = [];
  const inspector: number[] = [];
  let waiting = 0;
  for (const launch of plan.launches) {
    const containers = plan.taskDefinitions[launch.taskDefinition].containers.map((c) => c.image);
    const launchedS = launch.atMs / 1000;
    const seenS = launchedS + drawGateReaction(random, coldStart);
    const ready = Math.max(...containers.map((image) => verdictAt.get(image) ?? Infinity));
    if (ready <= seenS) waiting += 1;
    if (!mustBlock(plan, containers, launch.cluster)) continue;
    const runsS = launch.runsForMs / 1000;
    const stop = sample(STEPS.stopTask.distribution, random);
    // The gate stops the task on the first failing image's verdict.
    const failingVerdict = Math.min(...containers.filter((image) => mustBlock(plan, [image], launch.cluster)).map((image) => verdictAt.get(image) ?? Infinity));
    if (failingVerdict <= seenS) known.push(Math.min(runsS, seenS - launchedS + stop));
    else fresh.push(Math.min(runsS, failingVerdict - launchedS + stop));
    const biggest = Math.max(...containers.map((image) => images[image].mib));
    perLaunch.push(Math.min(runsS, seenS - launchedS + drawScan(stack, random, biggest, containers.some((image) => images[image].java)) + stop));
    inspector.push(runsS);
  }

  const p50 = (values: number[]) => (values.length === 0 ? 0 : round(percentile(values, 50)));
  return {
    stack,
    timeToVerdictP50S: round(percentile(timeToVerdict, 50)),
    timeToVerdictP95S: round(percentile(timeToVerdict, 95)),
    exposureKnownDigestS: p50(known),
    exposureNewDigestS: p50(fresh),
    exposureNewDigestP95S: fresh.length === 0 ? 0 : round(percentile(fresh, 95)),
    verdictWaitingShare: round(waiting / plan.launches.length, 3),
    perLaunchScanExposureS: p50(perLaunch),
    inspectorExposureS: p50(inspector),
    scans: timeToVerdict.length,
    ec2FallbackShare: round(fallbacks / timeToVerdict.length, 3),
    buildSlots: buildSlots(stack),
    overflowShare: round(overflowed / timeToVerdict.length, 3),
    gateColdStart: coldStart.source,
    failingLaunches: known.length + fresh.length,
  };
}
