import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadedPolicy, Policy } from '../functions/core/policy';
import { loadPolicy } from '../functions/core/policy/load';
import { createGate } from '../functions/handlers/gate';
import { LocalBackend } from '../functions/local/backend';
import type { ScanOutcome } from '../functions/local/codebuild';
import { STARTING_STATES } from '../functions/core/gate/task';
import type { WorldTask } from '../functions/local/ecs';
import { ecrPushEvent, runTaskCloudTrailEvent, type EventBridgeEvent } from '../functions/local/events';
import { seededRandom } from '../functions/local/random';
import { Simulation, type GateHandlers } from '../functions/local/simulation';
import { KIND_BLOCKS, KIND_REPORTS, mustBlock, stopExcusedByScanFault, type FleetPlan, type ImageScanHistory } from './fleet';
import { percentile } from './policy-engine';

/**
 * Part B of the benchmark: the whole runtime. The planned fleet runs on the in-memory backend with the real
 * gate handlers: tasks start and end, services deploy and churn, CI pushes images, and EventBridge delivers
 * every event late, out of order and sometimes more than once. Figures come from the world at the end and
 * from the plan's ground truth, never from what the gate says about itself.
 */

export interface RuntimeOptions {
  /** Repository root (reports and the default policy are read from it). */
  root: string;
  /** Share of ECS task events delivered twice (plus a few three times). */
  duplicateRate: number;
  /** Largest delay before an ECS task event reaches the gate: events of one task overtake each other. */
  maxTaskEventDelayMs: number;
  sweepEveryMs: number;
  /** Stand-in for the real gate, for tests of the harness. */
  makeGate?: (backend: LocalBackend, policy: LoadedPolicy<Policy>, random: () => number) => GateHandlers;
}

export const DEFAULT_RUNTIME_OPTIONS: Omit<RuntimeOptions, 'root'> = {
  duplicateRate: 0.2,
  maxTaskEventDelayMs: 15_000,
  sweepEveryMs: 5 * 60_000,
};

export interface RuntimeFigures {
  /** ECS Task State Change deliveries to the gate (duplicates included). */
  events: number;
  distinctDigests: number;
  scansStarted: number;
  scansPerDistinctDigest: number;
  /** Builds of a digest started after its previous build failed: the gate's re-scans of scan errors (back-off). */
  scanRetriesAfterError: number;
  /** Scans per distinct digest, not counting those retries: the once-per-digest figure (1.00 when nothing rescans otherwise). */
  scansPerDistinctDigestExcludingRetries: number;
  /** The same stream under per-launch, per-image scanning: task launches × their containers. */
  naiveScans: number;
  wrongStops: number;
  missedStops: number;
  awsCallsPerKnownPassEvent: number;
  awsCallsPerKnownDenyEvent: number;
  /** The deny figure split by owner: a standalone task is stopped; a service task also meets the service's rollback claim. */
  awsCallsPerKnownDenyEventStandalone: number;
  awsCallsPerKnownDenyEventService: number;
  handlerP50Ms: number;
  handlerP99Ms: number;
  details: {
    deliveries: number;
    duplicateDeliveries: number;
    handlerErrors: number;
    tasks: number;
    serviceTasks: number;
    standaloneTasks: number;
    tasksThatMustBlock: number;
    tasksBlocked: number;
    /**
     * Tasks that must not run which the gate did not stop, by what became of them: `running` (a missed stop), or how
     * they stopped without the gate (local/ecs.ts StopCause: `exit` for a task that ended on its own before its verdict).
     */
    mustBlockNotStoppedByGate: Record<string, number>;
    /** Scans per distinct digest, leaving out digests whose scans fail (always, or passingly at first): the gate retries those. */
    scansPerDistinctDigestExcludingScanErrors: number;
    /** Digests whose every scan fails, and the builds they took. */
    scanErrorDigests: number;
    scansOfScanErrorDigests: number;
    /** Digests whose first scan fails and a rescan succeeds, and the builds they took. */
    transientScanErrorDigests: number;
    scansOfTransientScanErrorDigests: number;
    /** Tasks the gate stopped under onScanError while a passing scan fault stood (right by policy, counted apart). */
    stopsDuringScanFaults: number;
    knownPassEvents: number;
    knownDenyEvents: number;
    knownDenyStandaloneEvents: number;
    knownDenyServiceEvents: number;
    maxAwsCallsKnownPass: number;
    maxAwsCallsKnownDeny: number;
    awsCallsPerKnownWarnEvent: number;
    awsCallsPerKnownAuditFailEvent: number;
    awsCallsTotal: number;
    scanRefusals: number;
    rollbacks: number;
    scaledToZero: number;
    restartLoops: number;
    simulatedHours: number;
    wallSeconds: number;
  };
}

type EventClass = 'knownPass' | 'knownWarn' | 'knownDenyStandalone' | 'knownDenyService' | 'knownAuditFail' | 'other';

/** Why the benchmark's failing scans fail: permanent for kind `scanError`, passing for images with `failingScans`. */
const PERMANENT_SCAN_ERROR = 'MANIFEST_UNKNOWN: manifest unknown (the image was deleted after the task started)';
const PASSING_SCAN_ERRORS = [
  'toomanyrequests: Rate exceeded (the registry throttled the image pull)',
  'init error: DB error: failed to download vulnerability DB: OCI repository error: GET https://mirror.gcr.io/v2/aquasec/trivy-db/manifests/2: 503 Service Unavailable',
];

export function benchmarkPolicy(root: string): LoadedPolicy<Policy> {
  const base = JSON.parse(readFileSync(join(root, 'policies/default.json'), 'utf8')) as Record<string, unknown>;
  delete base.$schema;
  return loadPolicy(
    { ...base, name: 'benchmark', modeOverrides: [{ match: { clusters: ['sandbox'] }, mode: 'audit', reason: 'sandbox is audited, never enforced' }] },
    'benchmark policy (policies/default.json with the sandbox cluster in audit)',
  );
}

export async function measureRuntime(plan: FleetPlan, options: RuntimeOptions): Promise<RuntimeFigures> {
  const wallStart = performance.now();
  const policy = benchmarkPolicy(options.root);
  const backend = new LocalBackend({
    seed: plan.seed,
    start: '2026-01-05T06:00:00Z',
    keepActions: false,
    taskStepDelayMs: 10_000,
    taskStopDelayMs: 30_000,
    deploymentSettleMs: 5 * 60_000,
    loopLimit: 10,
  });
  const start = backend.clock.millis();
  const random = seededRandom(`${plan.seed}:delivery`);
  const reports = new Map<string, string>();
  const reportFor = (file: string): string => {
    if (!reports.has(file)) reports.set(file, readFileSync(join(options.root, 'examples/reports', file), 'utf8'));
    return reports.get(file) as string;
  };

  // ---------- the world ----------
  const taskDefinitionArns = plan.taskDefinitions.map((definition) =>
    backend.taskDefinitions.register(
      {
        family: definition.family,
        revision: definition.revision,
        containerDefinitions: definition.containers.map((container) => {
          const image = plan.images[container.image];
          return { name: container.name, image: container.pinned ? `${plan.registry}/${image.repository}@${image.digest}` : image.reference, essential: container.name === 'app' };
        }),
      },
      `benchmark task definition ${definition.family}:${definition.revision}`,
    ).arn as string,
  );
  plan.images.forEach((image, index) => {
    const outcome: ScanOutcome = image.kind === 'scanError' ? { error: PERMANENT_SCAN_ERROR } : { report: reportFor(KIND_REPORTS[image.kind]) };
    if (image.kind !== 'scanError' && image.failingScans > 0) {
      outcome.error = PASSING_SCAN_ERRORS[index % PASSING_SCAN_ERRORS.length];
      outcome.failingBuilds = image.failingScans;
    }
    if (image.capacityErrors) outcome.capacityErrors = image.capacityErrors;
    if (image.lostEvent) outcome.lostEvent = true;
    outcome.durationMs = image.scanMs;
    backend.images.declare(image.reference, image.digest, outcome);
  });

  const imagesOfTask = new Map<string, number[]>();
  const imageIndexByDigest = new Map(plan.images.map((image, index) => [image.digest, index]));
  const deliveries = (event: EventBridgeEvent): number[] => {
    switch (event['detail-type']) {
      case 'ECS Task State Change': {
        const first = random() * options.maxTaskEventDelayMs;
        const delays = [first];
        if (random() < options.duplicateRate) delays.push(first + 1000 + random() * 60_000);
        if (random() < options.duplicateRate / 8) delays.push(first + 1000 + random() * 120_000);
        return delays;
      }
      case 'AWS API Call via CloudTrail':
        return [30_000 + random() * 150_000];
      case 'CodeBuild Build State Change':
        return [random() * 5_000];
      default:
        return [0];
    }
  };

  // ---------- measurement ----------
  const latencies: number[] = [];
  const callsByClass: Record<EventClass, number[]> = { knownPass: [], knownWarn: [], knownDenyStandalone: [], knownDenyService: [], knownAuditFail: [], other: [] };
  let pendingClass: EventClass = 'other';
  let taskEvents = 0;
  let duplicateDeliveries = 0;
  let handlerErrors = 0;

  const classify = (raw: unknown): EventClass => {
    const event = raw as EventBridgeEvent;
    if (event['detail-type'] !== 'ECS Task State Change') return 'other';
    const detail = event.detail as { taskArn: string; lastStatus: string; desiredStatus: string; clusterArn: string; group?: string; containers: { image: string; imageDigest?: string }[] };
    if (detail.desiredStatus !== 'RUNNING' || !STARTING_STATES.includes(detail.lastStatus)) return 'other';
    const digests = detail.containers.map((container) => container.imageDigest ?? (container.image.includes('@') ? container.image.slice(container.image.indexOf('@') + 1) : undefined));
    if (digests.some((digest) => digest === undefined || !backend.store.inspect.hasVerdict(digest, policy.hash))) return 'other';
    const indexes = digests.map((digest) => imageIndexByDigest.get(digest as string) as number);
    const cluster = detail.clusterArn.slice(detail.clusterArn.lastIndexOf('/') + 1);
    const audit = plan.clusters.find((candidate) => candidate.name === cluster)?.audit ?? false;
    const blocking = indexes.some((index) => KIND_BLOCKS[plan.images[index].kind]);
    if (blocking) return audit ? 'knownAuditFail' : detail.group?.startsWith('service:') ? 'knownDenyService' : 'knownDenyStandalone';
    return indexes.every((index) => plan.images[index].kind === 'compliant') ? 'knownPass' : 'knownWarn';
  };

  let gate: GateHandlers | undefined;
  const simulation = new Simulation(
    backend,
    { handleEvent: (event) => (gate as GateHandlers).handleEvent(event), handleHook: (payload) => (gate as GateHandlers).handleHook(payload) },
    {
      deliveries,
      onDelivering: (event) => {
        pendingClass = classify(event);
      },
      onDelivered: (delivery) => {
        latencies.push(delivery.elapsedMs);
        if (delivery.error !== undefined) handlerErrors += 1;
        if (delivery.duplicate) duplicateDeliveries += 1;
        if (delivery.event['detail-type'] === 'ECS Task State Change') taskEvents += 1;
        callsByClass[pendingClass].push(delivery.awsCalls);
      },
    },
  );
  const gateRandom = seededRandom(`${plan.seed}:gate`);
  gate = options.makeGate
    ? options.makeGate(backend, policy, gateRandom)
    : createGate({ ...backend.ports, policy, config: { scanProjectName: backend.scanner.projectName }, newId: () => backend.ids.uuid('scan'), random: gateRandom });
  backend.ecs.onTaskChange(({ task, change }) => {
    if (change === 'launched') imagesOfTask.set(task.taskArn, task.containers.map((container) => imageIndexByDigest.get(container.imageDigest as string) as number));
  });

  // ---------- the plan, in simulated time ----------
  const services = plan.services.map((service) => backend.ecs.createService({ name: service.name, cluster: service.cluster, desiredCount: 0 }));
  plan.services.forEach((service, s) => {
    for (const deployment of service.deployments) {
      simulation.schedule(deployment.atMs, () => {
        backend.ecs.deploy(service.name, service.cluster, taskDefinitionArns[deployment.taskDefinition]);
        // Deployment pipelines state the desired count: a service the gate scaled to zero comes back with a new revision.
        services[s].desiredCount = service.desiredCount;
        services[s].scaledByGate = false;
      });
    }
  });
  for (const launch of plan.launches) {
    simulation.schedule(launch.atMs, () => {
      const task = backend.ecs.launchTask({ cluster: launch.cluster, taskDefinitionArn: taskDefinitionArns[launch.taskDefinition], launchedBy: 'arn:aws:sts::123456789012:assumed-role/BatchScheduler/run' });
      if (launch.cloudTrail) {
        simulation.emit(
          runTaskCloudTrailEvent(
            [task],
            { cluster: launch.cluster, taskDefinition: taskDefinitionArns[launch.taskDefinition], count: 1 },
            { arn: 'arn:aws:sts::123456789012:assumed-role/BatchScheduler/run' },
            { ...simulation.envelope(), requestId: backend.ids.uuid('request'), eventId: backend.ids.uuid('cloudtrail') },
          ),
        );
      }
      simulation.schedule(launch.runsForMs, () => {
        if (task.desiredStatus === 'RUNNING') backend.ecs.requestStop(task.taskArn, 'EssentialContainerExited', 'Essential container in task exited', 'exit');
      });
    });
  }
  const churnRandom = seededRandom(`${plan.seed}:churn`);
  for (const churn of plan.churn) {
    simulation.schedule(churn.atMs, () => {
      const service = services[churn.service];
      const running = [...backend.ecs.tasks.values()].filter((task: WorldTask) => task.service === service.name && task.desiredStatus === 'RUNNING' && task.lastStatus === 'RUNNING');
      if (running.length === 0) return;
      const victim = running[Math.floor(churnRandom() * running.length)];
      backend.ecs.requestStop(victim.taskArn, 'EssentialContainerExited', 'Essential container in task exited', 'exit');
    });
  }
  for (const image of plan.images) {
    if (image.pushAtMs === undefined) continue;
    simulation.schedule(image.pushAtMs, () => {
      simulation.emit(ecrPushEvent(image.repository, image.digest, image.tag, simulation.envelope()));
    });
  }
  simulation.scheduleSweeps(options.sweepEveryMs);

  // The run, then two more hours for the last scans, deadlines and sweeps to settle.
  await simulation.runUntil(start + plan.durationMs + 2 * 3_600_000);

  // ---------- figures ----------
  const tasks = [...backend.ecs.tasks.values()];
  const gateCauses = new Set(['gate', 'gateRollback', 'gateScale']);
  const builds = [...backend.scanner.builds.values()].sort((a, b) => a.startedAt - b.startedAt);
  const scanHistory = new Map<string, ImageScanHistory>();
  for (const build of builds) {
    const history = scanHistory.get(build.request.digest) ?? {};
    if (build.status === 'SUCCEEDED') history.firstSuccessStartedAt ??= build.startedAt;
    else if (build.status !== 'IN_PROGRESS' && build.endedAt !== undefined) history.firstFailureEndedAt = Math.min(history.firstFailureEndedAt ?? Infinity, build.endedAt);
    scanHistory.set(build.request.digest, history);
  }
  let stopsDuringScanFaults = 0;
  let wrongStops = 0;
  let missedStops = 0;
  let mustBlockCount = 0;
  const notStoppedByGate: Record<string, number> = {};
  let blocked = 0;
  let naiveScans = 0;
  const launchedDigests = new Set<string>();
  for (const task of tasks) {
    const indexes = imagesOfTask.get(task.taskArn) ?? [];
    indexes.forEach((index) => launchedDigests.add(plan.images[index].digest));
    naiveScans += task.containers.length;
    const should = mustBlock(plan, indexes, task.cluster);
    if (should) mustBlockCount += 1;
    const stoppedByGate = task.desiredStatus === 'STOPPED' && task.stopCause !== undefined && gateCauses.has(task.stopCause);
    if (stoppedByGate) blocked += 1;
    if (stoppedByGate && !should) {
      const excused = stopExcusedByScanFault(plan, indexes, task.cluster, { launchedAtMs: task.createdAt, stoppedAtMs: task.stoppingAt ?? Infinity }, (index) => scanHistory.get(plan.images[index].digest) ?? {});
      if (excused) stopsDuringScanFaults += 1;
      else wrongStops += 1;
    }
    if (should && task.desiredStatus === 'RUNNING') missedStops += 1;
    if (should && !stoppedByGate) {
      const fate = task.desiredStatus === 'RUNNING' ? 'running' : (task.stopCause ?? 'stopped');
      notStoppedByGate[fate] = (notStoppedByGate[fate] ?? 0) + 1;
    }
  }
  const pushed = plan.images.filter((image) => image.pushAtMs !== undefined).map((image) => image.digest);
  const distinct = new Set([...launchedDigests, ...pushed]);
  const scansStarted = builds.length;
  const errorDigests = new Set(plan.images.filter((image) => image.kind === 'scanError' && distinct.has(image.digest)).map((image) => image.digest));
  const transientDigests = new Set(plan.images.filter((image) => image.kind !== 'scanError' && image.failingScans > 0 && distinct.has(image.digest)).map((image) => image.digest));
  const scansOf = (digests: Set<string>) => builds.filter((build) => digests.has(build.request.digest)).length;
  const scansOfErrorDigests = scansOf(errorDigests);
  const scansOfTransientDigests = scansOf(transientDigests);
  // A retry after an error: a build of a digest whose previous build (in start order) did not succeed.
  const lastStatus = new Map<string, string>();
  let retriesAfterError = 0;
  for (const build of builds) {
    const previous = lastStatus.get(build.request.digest);
    if (previous !== undefined && previous !== 'SUCCEEDED') retriesAfterError += 1;
    lastStatus.set(build.request.digest, build.status);
  }
  const knownDeny = [...callsByClass.knownDenyStandalone, ...callsByClass.knownDenyService];
  const mean = (values: number[]) => (values.length ? values.reduce((sum, v) => sum + v, 0) / values.length : Number.NaN);
  const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

  return {
    events: taskEvents,
    distinctDigests: distinct.size,
    scansStarted,
    scansPerDistinctDigest: round(scansStarted / distinct.size),
    scanRetriesAfterError: retriesAfterError,
    scansPerDistinctDigestExcludingRetries: round((scansStarted - retriesAfterError) / distinct.size),
    naiveScans,
    wrongStops,
    missedStops,
    awsCallsPerKnownPassEvent: round(mean(callsByClass.knownPass)),
    awsCallsPerKnownDenyEvent: round(mean(knownDeny)),
    awsCallsPerKnownDenyEventStandalone: round(mean(callsByClass.knownDenyStandalone)),
    awsCallsPerKnownDenyEventService: round(mean(callsByClass.knownDenyService)),
    handlerP50Ms: round(percentile(latencies, 50), 3),
    handlerP99Ms: round(percentile(latencies, 99), 3),
    details: {
      deliveries: latencies.length,
      duplicateDeliveries,
      handlerErrors,
      tasks: tasks.length,
      serviceTasks: tasks.filter((task) => task.service).length,
      standaloneTasks: tasks.filter((task) => !task.service).length,
      tasksThatMustBlock: mustBlockCount,
      tasksBlocked: blocked,
      mustBlockNotStoppedByGate: notStoppedByGate,
      scansPerDistinctDigestExcludingScanErrors: round(
        (scansStarted - scansOfErrorDigests - scansOfTransientDigests) / (distinct.size - errorDigests.size - transientDigests.size),
      ),
      scanErrorDigests: errorDigests.size,
      scansOfScanErrorDigests: scansOfErrorDigests,
      transientScanErrorDigests: transientDigests.size,
      scansOfTransientScanErrorDigests: scansOfTransientDigests,
      stopsDuringScanFaults,
      knownPassEvents: callsByClass.knownPass.length,
      knownDenyEvents: knownDeny.length,
      knownDenyStandaloneEvents: callsByClass.knownDenyStandalone.length,
      knownDenyServiceEvents: callsByClass.knownDenyService.length,
      maxAwsCallsKnownPass: Math.max(0, ...callsByClass.knownPass),
      maxAwsCallsKnownDeny: Math.max(0, ...knownDeny),
      awsCallsPerKnownWarnEvent: round(mean(callsByClass.knownWarn)),
      awsCallsPerKnownAuditFailEvent: round(mean(callsByClass.knownAuditFail)),
      awsCallsTotal: backend.activity.awsCallTotal(),
      scanRefusals: backend.scanner.refusals,
      rollbacks: backend.activity.actionCount('rollbackDeployment'),
      scaledToZero: backend.activity.actionCount('scaleService'),
      restartLoops: services.filter((service) => service.loopDetected).length,
      simulatedHours: round((backend.clock.millis() - start) / 3_600_000, 1),
      wallSeconds: round((performance.now() - wallStart) / 1000, 1),
    },
  };
}

/** What became of tasks the gate did not stop (local/ecs.ts StopCause, or `running`), in words: [one, several]. */
const FATE: Record<string, [string, string]> = {
  running: ['is still running (a missed stop)', 'are still running (missed stops)'],
  exit: ['stopped on its own (its essential container exited) before its verdict', 'stopped on their own (their essential container exited) before their verdict'],
  deployment: ['was replaced by a newer deployment before its verdict', 'were replaced by a newer deployment before their verdict'],
  hookRollback: ['was stopped by an ECS rollback after a lifecycle hook failed', 'were stopped by an ECS rollback after a lifecycle hook failed'],
  user: ['was stopped by someone else before its verdict', 'were stopped by someone else before their verdict'],
  failedToStart: ['never started (its image could not be pulled)', 'never started (their image could not be pulled)'],
};

/** `1 stopped on its own (...) before its verdict, 2 are still running (missed stops)`: a count per fate, most first. */
export function describeFates(byFate: Record<string, number>): string {
  return Object.entries(byFate)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .map(([fate, count]) => {
      const [one, several] = FATE[fate] ?? [`stopped otherwise (${fate})`, `stopped otherwise (${fate})`];
      return `${count} ${count === 1 ? one : several}`;
    })
    .join(', ');
}
