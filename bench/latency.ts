import { seededRandom } from '../functions/local/random';
import type { ResolvedSettings, ScanComputeMode } from '../infra/settings';
import { mustBlock, type FleetPlan } from './fleet';

/**
 * A model of time for the gate, in simulated seconds: every step between a Fargate task starting and the gate's verdict
 * on its image, drawn from seeded distributions whose parameters cite public figures (sources in `STEPS`; "assumption"
 * says where no public figure was found). Driven by the bench fleet (bench/fleet.ts), so the same seeded launches,
 * pushes and image reuse decide which launches find a verdict waiting.
 *
 * Source keys are those of ../shared/reference/anchors-2026-12.md §S ([B1]...[B11]) unless a URL is given.
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

/** Sizes in MiB, throughputs in MiB/s, durations in seconds. A row: `name: [distribution, source]`. */
export const STEPS = stepTable({
  eventDelivery: [dist.lognormal(0.5, 2), 'Assumption: AWS publishes no delivery latency for ECS Task State Change or CodeBuild events (delivery is "best effort", aws-semantics.md §4.3).'],
  lambdaCold: [dist.lognormal(0.95, 1.6), 'Issue 9: cold import of the gate bundle measured 664 ms (259 ms for two bare SDK clients); plus ~0.3 s runtime init (assumption).'],
  lambdaWarm: [dist.lognormal(0.15, 0.4), 'Assumption: a warm invocation with 2-4 AWS API calls (DynamoDB, DescribeTasks, StartBuild/StopTask) at tens of ms each.'],
  coldStartShare: [dist.constant(0.15), 'Assumption: share of gate invocations that start a new execution environment at the bench fleet\'s event rate.'],
  ec2Provisioning: [dist.mixture([0.5, dist.uniform(166, 250)], [0.5, dist.lognormal(30, 60)]), 'Cold host: 166 s [B1], 180-190 s [B2], 240+ s [B3] PROVISIONING. Cached current curated image: 30 s median (assumption, [B2] says current images are cached). The 50/50 split is an assumption.'],
  lambdaProvisioning: [dist.lognormal(5, 15), 'Assumption: AWS documents "lower start-up latency" for Lambda compute without a number [B5].'],
  trivyInstall: [dist.lognormal(4, 10), 'Assumption: ~50 MiB Trivy tarball from GitHub releases, checksum, unpack; evaluator and policy from S3; `policy validate`.'],
  trivyDbMiB: [dist.constant(38), 'trivy-db:2 layer size 39,679,068 bytes in a published manifest (code search), ~36 MiB in 2023 [B9].'],
  javaDbMiB: [dist.constant(700), 'Assumption: trivy-java-db:1 compressed layer of several hundred MiB; downloaded only when the image holds Java archives.'],
  javaImageShare: [dist.constant(0.2), 'Assumption: share of images with JAR/WAR files (Trivy then needs the Java DB).'],
  publicRegistryMiBps: [dist.uniform(5, 40), 'Assumption: ghcr.io / mirror.gcr.io to CodeBuild throughput.'],
  publicRegistryThrottledShare: [dist.constant(0.05), 'Assumption for the rate: GHCR rate limits are documented to push teams to other registries [B11]; a throttled pull falls back to the next repository.'],
  publicRegistryThrottlePenalty: [dist.uniform(10, 60), 'Assumption: retries and fall-back to the second DB repository after TOOMANYREQUESTS [B11].'],
  inRegionMiBps: [dist.uniform(50, 150), 'Assumption: ECR (the mirror, the scanned image) and S3 (the EC2 build cache) in the same region.'],
  cachedDbStaleShare: [dist.constant(0.3), 'Assumption: share of EC2 builds whose S3-cached DB is past its NextUpdate, so Trivy downloads it again from the public registry.'],
  imageMiB: [dist.lognormal(150, 900), 'Assumption: compressed image sizes of a service fleet (distroless tens of MiB, JVM and Python images up to ~1 GiB).'],
  scan: [dist.lognormal(25, 55), 'Trivy: "around 30 seconds" per image [B9]; "less than 1 minute" [B10].'],
  reportAndEvaluate: [dist.lognormal(4, 9), 'Assumption: raw report to S3, three evaluator runs (JSON, table, JUnit), CodeBuild test-report upload and build finalisation.'],
  verdict: [dist.lognormal(0.4, 1.2), 'Assumption: the gate reads the raw report from S3 and judges it (bench Part A: tens of ms for 10,000 findings), writes the verdict.'],
  stopTask: [dist.lognormal(0.2, 0.5), 'Assumption: one StopTask call.'],
});

/** What the model needs of the stack: read from the construct's resolved settings, never restated. */
export interface LatencyStack {
  computeMode: ScanComputeMode;
  /** The scan reads the DB from a mirror inside the account (the stack-managed one, or the operator's own). */
  mirror: boolean;
  concurrentBuildLimit: number;
}

export function latencyStackOf(settings: ResolvedSettings): LatencyStack {
  return {
    computeMode: settings.compute.mode,
    mirror: settings.trivy.managedDatabaseMirror || settings.trivy.dbRepositories.length > 0,
    concurrentBuildLimit: settings.compute.concurrentBuildLimit,
  };
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
  failingLaunches: number;
}

const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

/**
 * One draw of a scan build, StartBuild accepted to the gate holding the verdict (no queue): provisioning, installation,
 * DB download, image pull, scan, report and evaluation, the build-state event and the verdict.
 */
export function drawScan(stack: Pick<LatencyStack, 'computeMode' | 'mirror'>, random: () => number, imageMiB: number, usesJava: boolean): number {
  // Every draw is taken whatever the configuration (common random numbers): two configurations differ only where the
  // model says they do, so "a mirror lowers the figures" compares like with like.
  const s = (step: Step) => sample(step.distribution, random);
  const constant = (step: Step) => (step.distribution as { value: number }).value;
  const lambdaProvisioning = s(STEPS.lambdaProvisioning);
  const ec2Provisioning = s(STEPS.ec2Provisioning);
  const install = s(STEPS.trivyInstall);
  const inRegion = s(STEPS.inRegionMiBps);
  const publicMiBps = s(STEPS.publicRegistryMiBps);
  const throttled = random() < constant(STEPS.publicRegistryThrottledShare);
  const throttlePenalty = s(STEPS.publicRegistryThrottlePenalty);
  const stale = random() < constant(STEPS.cachedDbStaleShare);
  const pullMiBps = s(STEPS.inRegionMiBps);
  const scan = s(STEPS.scan);
  const report = s(STEPS.reportAndEvaluate);
  const event = s(STEPS.eventDelivery);
  const verdict = s(STEPS.verdict);

  const dbMiB = constant(STEPS.trivyDbMiB) + (usesJava ? constant(STEPS.javaDbMiB) : 0);
  const fromPublic = dbMiB / publicMiBps + (throttled ? throttlePenalty : 0);
  let database: number;
  if (stack.mirror) database = dbMiB / inRegion;
  // EC2 compute restores the DB from the project's S3 cache, and Trivy fetches it again when it is past NextUpdate.
  else if (stack.computeMode === 'ec2') database = dbMiB / inRegion + (stale ? fromPublic : 0);
  // Lambda compute has no cache: every build downloads the DB.
  else database = fromPublic;
  const provisioning = stack.computeMode === 'lambda' ? lambdaProvisioning : ec2Provisioning;
  return provisioning + install + database + imageMiB / pullMiBps + scan + report + event + verdict;
}

/** Event delivered and the gate function run (cold or warm). */
function drawGateReaction(random: () => number): number {
  const cold = random() < (STEPS.coldStartShare.distribution as { value: number }).value;
  return sample(STEPS.eventDelivery.distribution, random) + sample((cold ? STEPS.lambdaCold : STEPS.lambdaWarm).distribution, random);
}

/**
 * Replays the fleet's scans and standalone launches in simulated time. Each image is scanned once, from the first of its
 * push (pre-scan) and its first use; builds wait for a free slot of the project's concurrent-build limit.
 */
export function simulateLatency(plan: FleetPlan, stack: LatencyStack, seed = `${plan.seed}:latency`): LatencyFigures {
  const random = seededRandom(seed);
  const images = plan.images.map(() => ({ mib: sample(STEPS.imageMiB.distribution, random), java: random() < (STEPS.javaImageShare.distribution as { value: number }).value }));

  // When each image's scan is triggered (seconds from the start).
  const trigger = new Map<number, number>();
  const note = (image: number, atS: number) => trigger.set(image, Math.min(trigger.get(image) ?? Infinity, atS));
  plan.images.forEach((image, index) => image.pushAtMs !== undefined && note(index, image.pushAtMs / 1000));
  for (const launch of plan.launches) for (const c of plan.taskDefinitions[launch.taskDefinition].containers) note(c.image, launch.atMs / 1000);
  for (const service of plan.services) {
    for (const deployment of service.deployments) for (const c of plan.taskDefinitions[deployment.taskDefinition].containers) note(c.image, deployment.atMs / 1000);
  }

  const slots: number[] = Array.from({ length: stack.concurrentBuildLimit }, () => 0);
  const verdictAt = new Map<number, number>();
  const timeToVerdict: number[] = [];
  for (const [image, at] of [...trigger].sort((a, b) => a[1] - b[1] || a[0] - b[0])) {
    const requested = at + drawGateReaction(random);
    const slot = slots.indexOf(Math.min(...slots));
    const start = Math.max(requested, slots[slot]);
    const done = start + drawScan(stack, random, images[image].mib, images[image].java);
    slots[slot] = done;
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
    const seenS = launchedS + drawGateReaction(random);
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
    failingLaunches: known.length + fresh.length,
  };
}
