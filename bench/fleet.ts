import { createHash } from 'node:crypto';
import { seededRandom, shuffled } from '../functions/local/random';

/**
 * The benchmark's workload, planned up front from a seed and nothing else: a fleet of ECR images (each with
 * a kind that decides its scan report), task definitions, Fargate services with deployments, standalone
 * launches with Zipf-skewed image reuse, and natural task exits. Ground truth (which images must be
 * blocked) comes from the image kinds, never from the gate.
 */

export type ImageKind =
  /** distroless, non-root, no findings */
  | 'compliant'
  /** non-root; one critical vulnerability Debian will not fix: a warning, not a block */
  | 'wontfixWarn'
  /** Alpine running as root with fixable critical vulnerabilities */
  | 'rootCritical'
  /** non-root, an AWS access key left in a layer */
  | 'secret'
  /** non-root, one fixable high vulnerability */
  | 'highFixable'
  /** the scanner can never scan the image (pull denied, unsupported manifest): every build fails */
  | 'scanError';

export const KIND_REPORTS: Record<Exclude<ImageKind, 'scanError'>, string> = {
  compliant: 'distroless-nonroot.trivy.json',
  wontfixWarn: 'debian-critical-wontfix.trivy.json',
  rootCritical: 'alpine-root-critical.trivy.json',
  secret: 'node-aws-secret.trivy.json',
  highFixable: 'python-setuptools-high.trivy.json',
};

/**
 * Ground truth under the benchmark policy (policies/default.json, onScanError "deny", with the sandbox
 * cluster in audit): whether a task running an image of this kind must not keep running.
 */
export const KIND_BLOCKS: Record<ImageKind, boolean> = {
  compliant: false,
  wontfixWarn: false,
  rootCritical: true,
  secret: true,
  highFixable: true,
  scanError: true,
};

/*
 * Scan failures. About 4% of images see their first scan fail. Most such failures pass (registry throttling, a
 * Trivy vulnerability-DB download failure): the first build fails, a rescan succeeds, and the image is judged by
 * what it contains. A quarter are permanent (kind `scanError`): every build fails and onScanError decides.
 */
const KIND_WEIGHTS: [ImageKind, number][] = [
  ['compliant', 0.5],
  ['wontfixWarn', 0.12],
  ['rootCritical', 0.14],
  ['secret', 0.07],
  ['highFixable', 0.13],
  ['scanError', 0.04],
];

/** Share of the images whose scan fails that fail only passingly (their first build), drawn from a stream of its own. */
export const TRANSIENT_SCAN_FAULT_SHARE = 0.75;
const CONTENT_WEIGHTS = KIND_WEIGHTS.filter(([kind]) => kind !== 'scanError');

export interface FleetImage {
  repository: string;
  tag: string;
  /** `<registry>/<repository>:<tag>` */
  reference: string;
  digest: string;
  kind: ImageKind;
  /** StartBuild refusals before CodeBuild accepts the scan. */
  capacityErrors: number;
  /**
   * Builds that fail before one succeeds: a passing fault (registry throttling, a Trivy DB download failure). 0 for
   * most images; an image of kind `scanError` fails every build whatever this says.
   */
  failingScans: number;
  /** The scan's Build State Change event is never delivered. */
  lostEvent: boolean;
  /** Scan duration, ms. */
  scanMs: number;
  /** CI pushes it (ECR push event) this long after the start, before any task uses it; undefined: never pushed during the run. */
  pushAtMs?: number;
}

export interface FleetTaskDefinition {
  family: string;
  revision: number;
  /** Images by index into `images`; the first is the essential app container. */
  containers: { name: string; image: number; pinned: boolean }[];
}

export interface FleetService {
  name: string;
  cluster: string;
  desiredCount: number;
  /** Task definition index per deployment, and when it happens (ms from start). */
  deployments: { atMs: number; taskDefinition: number }[];
}

export interface FleetLaunch {
  atMs: number;
  cluster: string;
  taskDefinition: number;
  /** The job ends by itself this long after it starts. */
  runsForMs: number;
  /** CloudTrail delivers the RunTask record (best effort). */
  cloudTrail: boolean;
}

export interface FleetChurn {
  atMs: number;
  service: number;
}

export interface FleetPlan {
  seed: string;
  registry: string;
  images: FleetImage[];
  taskDefinitions: FleetTaskDefinition[];
  services: FleetService[];
  launches: FleetLaunch[];
  churn: FleetChurn[];
  durationMs: number;
  clusters: { name: string; audit: boolean; share: number }[];
}

export interface FleetOptions {
  seed: string;
  repositories: number;
  /** Standalone RunTask launches over the run. */
  launches: number;
  services: number;
  durationMs: number;
  /** Zipf exponent of image popularity for standalone launches. */
  zipf: number;
  /** Share of failing scans that fail only passingly; default TRANSIENT_SCAN_FAULT_SHARE. */
  transientScanFaultShare?: number;
}

export const DEFAULT_FLEET: FleetOptions = {
  seed: 'fargate-gate-bench',
  repositories: 64,
  launches: 2000,
  services: 16,
  durationMs: 6 * 3_600_000,
  zipf: 1.0,
};

const REGISTRY = '123456789012.dkr.ecr.us-east-1.amazonaws.com';
const CLUSTERS = [
  { name: 'prod', audit: false, share: 0.6 },
  { name: 'batch', audit: false, share: 0.3 },
  { name: 'sandbox', audit: true, share: 0.1 },
];
const TEAMS = ['shop', 'data', 'finance', 'media', 'platform', 'search', 'ml', 'growth'];

export function planFleet(options: FleetOptions = DEFAULT_FLEET): FleetPlan {
  const random = seededRandom(options.seed);
  const between = (low: number, high: number) => low + random() * (high - low);
  const pick = <T>(weighted: [T, number][]): T => pickWeighted(weighted, random);

  const images: FleetImage[] = [];
  const versionsByRepo: number[][] = [];
  for (let r = 0; r < options.repositories; r += 1) {
    const repository = `${TEAMS[r % TEAMS.length]}/app-${String(r).padStart(3, '0')}`;
    const versions = 3 + Math.floor(random() * 3);
    const indexes: number[] = [];
    for (let v = 0; v < versions; v += 1) {
      const tag = `1.${v}.${Math.floor(random() * 10)}`;
      const kind = pick(KIND_WEIGHTS);
      indexes.push(images.length);
      images.push({
        repository,
        tag,
        reference: `${REGISTRY}/${repository}:${tag}`,
        digest: `sha256:${createHash('sha256').update(`${options.seed}:${repository}:${tag}`).digest('hex')}`,
        kind,
        capacityErrors: random() < 0.05 ? 1 + Math.floor(random() * 2) : 0,
        failingScans: 0,
        lostEvent: random() < 0.04,
        scanMs: Math.round(between(60_000, 180_000)),
      });
    }
    versionsByRepo.push(indexes);
  }
  // Which scan failures pass, and what those images really contain: a stream of its own, so the rest of the plan
  // is the same fleet whatever the share.
  const faults = seededRandom(`${options.seed}:scan-faults`);
  for (const image of images) {
    if (image.kind !== 'scanError' || faults() >= (options.transientScanFaultShare ?? TRANSIENT_SCAN_FAULT_SHARE)) continue;
    image.kind = pickWeighted(CONTENT_WEIGHTS, faults);
    image.failingScans = 1;
  }
  // One log-router sidecar shared by many task definitions: the most reused digest in any real fleet.
  const sidecar = images.length;
  images.push({
    repository: 'platform/log-router',
    tag: '2.32.4',
    reference: `${REGISTRY}/platform/log-router:2.32.4`,
    digest: `sha256:${createHash('sha256').update(`${options.seed}:log-router`).digest('hex')}`,
    kind: 'compliant',
    capacityErrors: 0,
    failingScans: 0,
    lostEvent: false,
    scanMs: 90_000,
  });

  // One task definition per image version; a quarter carry the sidecar; some pin their image by digest.
  const taskDefinitions: FleetTaskDefinition[] = [];
  const taskDefinitionOf = new Map<number, number>();
  versionsByRepo.forEach((indexes, r) => {
    indexes.forEach((image, v) => {
      taskDefinitionOf.set(image, taskDefinitions.length);
      const containers = [{ name: 'app', image, pinned: random() < 0.3 }];
      if (random() < 0.25) containers.push({ name: 'log-router', image: sidecar, pinned: false });
      taskDefinitions.push({ family: `app-${String(r).padStart(3, '0')}`, revision: v + 1, containers });
    });
  });

  // Services: each owns a repository and deploys its versions in order over the run.
  const services: FleetService[] = [];
  for (let s = 0; s < Math.min(options.services, options.repositories); s += 1) {
    const versions = versionsByRepo[s];
    const cluster = s % 8 === 7 ? 'sandbox' : 'prod';
    const deployments = [{ atMs: Math.round(between(0, 10 * 60_000)), taskDefinition: taskDefinitionOf.get(versions[0]) as number }];
    const later = Math.floor(random() * Math.min(3, versions.length - 1)) + 1;
    for (let d = 1; d <= later; d += 1) {
      deployments.push({ atMs: Math.round((options.durationMs * d) / (later + 1) + between(-20, 20) * 60_000), taskDefinition: taskDefinitionOf.get(versions[d]) as number });
    }
    services.push({ name: `svc-${String(s).padStart(2, '0')}`, cluster, desiredCount: 2 + Math.floor(random() * 3), deployments });
  }

  // Standalone launches: Zipf-skewed over the image versions not owned by services, spread over the run.
  const standaloneImages = versionsByRepo.slice(services.length).flat();
  const order = shuffled(standaloneImages, random);
  const weights = order.map((_, rank) => 1 / (rank + 1) ** options.zipf);
  const launches: FleetLaunch[] = [];
  for (let i = 0; i < options.launches; i += 1) {
    const image = order[drawIndex(weights, random)];
    const clusterName = pick(CLUSTERS.map((c) => [c.name, c.share] as [string, number]));
    launches.push({
      atMs: Math.round(between(0, options.durationMs)),
      cluster: clusterName,
      taskDefinition: taskDefinitionOf.get(image) as number,
      runsForMs: Math.round(between(2, 90) * 60_000),
      cloudTrail: random() < 0.7,
    });
  }
  launches.sort((a, b) => a.atMs - b.atMs);

  // CI pushes about a third of the images shortly before their first use: the pre-scan path.
  const firstUse = new Map<number, number>();
  for (const launch of launches) {
    for (const container of taskDefinitions[launch.taskDefinition].containers) {
      if (!firstUse.has(container.image)) firstUse.set(container.image, launch.atMs);
    }
  }
  for (const service of services) {
    for (const deployment of service.deployments) {
      for (const container of taskDefinitions[deployment.taskDefinition].containers) {
        firstUse.set(container.image, Math.min(firstUse.get(container.image) ?? Infinity, deployment.atMs));
      }
    }
  }
  for (const [image, at] of firstUse) {
    if (image !== sidecar && random() < 0.33) images[image].pushAtMs = Math.max(0, Math.round(at - between(5, 30) * 60_000));
  }

  // Service tasks end now and then (a crash, a host retirement); the scheduler replaces them.
  const churn: FleetChurn[] = [];
  for (let i = 0; i < services.length * 12; i += 1) {
    churn.push({ atMs: Math.round(between(15 * 60_000, options.durationMs)), service: Math.floor(random() * services.length) });
  }
  churn.sort((a, b) => a.atMs - b.atMs);

  return { seed: options.seed, registry: REGISTRY, images, taskDefinitions, services, launches, churn, durationMs: options.durationMs, clusters: CLUSTERS };
}

/** Whether a task running these images (by index) in this cluster must be stopped, by ground truth. */
export function mustBlock(plan: FleetPlan, imageIndexes: number[], cluster: string): boolean {
  const audit = plan.clusters.find((c) => c.name === cluster)?.audit ?? false;
  return !audit && imageIndexes.some((index) => KIND_BLOCKS[plan.images[index].kind]);
}

/** World facts about an image's scans (from CodeBuild, not from the gate), epoch ms. */
export interface ImageScanHistory {
  /** When its first failed build ended; undefined: none failed. */
  firstFailureEndedAt?: number;
  /** When its first successful build started; undefined: none succeeded. */
  firstSuccessStartedAt?: number;
}

/**
 * Whether a stop of a task that ground truth lets run is still right: under onScanError "deny" a task judged while a
 * passing scan fault stood must be stopped. That holds for a task stopped after the failed scan ended and launched
 * before the scan that succeeded started (it may be judged by the error, or wait for that scan); one launched later
 * waits for the good scan and must run, and an image whose scan never failed excuses nothing.
 */
export function stopExcusedByScanFault(
  plan: FleetPlan,
  imageIndexes: number[],
  cluster: string,
  task: { launchedAtMs: number; stoppedAtMs: number },
  scansOf: (image: number) => ImageScanHistory,
): boolean {
  const audit = plan.clusters.find((c) => c.name === cluster)?.audit ?? false;
  if (audit) return false;
  return imageIndexes.some((index) => {
    if (plan.images[index].failingScans === 0) return false;
    const { firstFailureEndedAt, firstSuccessStartedAt } = scansOf(index);
    return firstFailureEndedAt !== undefined && firstFailureEndedAt <= task.stoppedAtMs && task.launchedAtMs < (firstSuccessStartedAt ?? Infinity);
  });
}

function pickWeighted<T>(weighted: [T, number][], random: () => number): T {
  const total = weighted.reduce((sum, [, w]) => sum + w, 0);
  let roll = random() * total;
  for (const [value, weight] of weighted) {
    roll -= weight;
    if (roll <= 0) return value;
  }
  return weighted[weighted.length - 1][0];
}

function drawIndex(weights: number[], random: () => number): number {
  const total = weights.reduce((sum, w) => sum + w, 0);
  let roll = random() * total;
  for (let i = 0; i < weights.length; i += 1) {
    roll -= weights[i];
    if (roll <= 0) return i;
  }
  return weights.length - 1;
}
