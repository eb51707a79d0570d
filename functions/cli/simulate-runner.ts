import { reconcileInventory } from '../handlers/posture/reconcile';
import type { FindingEventPort } from '../core/posture/drift-ports';
import type { OpenFindingStore } from '../core/posture/open-findings';
import type { InventoryStore } from '../core/posture/ports';
import { InputError } from '../core/errors';
import { isSha256Digest, parseImageReference } from '../core/image/reference';
import type { LoadedPolicy, Policy } from '../core/policy';
import type { GateConfig } from '../handlers/config';
import { createLogger, type Logger } from '../handlers/logger';
import { EmfMetrics } from '../handlers/metrics-emf';
import type { GateAction } from '../local/activity';
import { LocalBackend, type LocalPorts } from '../local/backend';
import type { StopCause, TaskStatus, WorldTask } from '../local/ecs';
import { statusRank } from '../local/ecs';
import { ecrPushEvent, runTaskCloudTrailEvent, type EventBridgeEvent } from '../local/events';
import { seededRandom, shuffled } from '../local/random';
import { Simulation, type GateHandlers } from '../local/simulation';
import type { Delivery, ExpectedCount, Scenario, ScenarioStep } from './simulate-scenario';
import type { FakeEcs } from '../local/ecs';
import type { LocalOrganisation } from '../local/organisation';
import type { MemoryTaskDefinitions } from '../local/task-definitions';
import type { AwsLocation } from '../local/ids';
import { buildOrganisation, checkAccountExpectations } from './simulate-organisation';
import { WorldServiceExposure } from '../local/service-exposure';

/** What the gate factory gets: every in-memory port plus the policy and configuration (`GateDependencies`). */
export interface LocalGateDependencies extends LocalPorts {
  policy: LoadedPolicy<Policy>;
  config: Partial<GateConfig>;
  newId: () => string;
  random: () => number;
  /** The functions' logger, as in Lambda but stamped with simulated time; its lines go to the activity log. */
  logger: Logger;
  /** The inventory task events record into (handlers/posture/record-uses.ts). */
  inventory?: InventoryStore;
  /** Where "Fargate Gate Finding" events go (drift and resolved findings of digests in use). */
  findingEvents?: FindingEventPort;
  /** The findings whose opened event went out: a lost resolved event goes out with the next verdict. */
  openFindings?: OpenFindingStore;
}

export type GateFactory = (deps: LocalGateDependencies) => GateHandlers;

/**
 * How far a scenario may go. A scenario is input: a sweep every second for a year, or a hook answered IN_PROGRESS
 * forever, would otherwise run (and print) without end. Each bound is far above what the examples need (the
 * largest delivers under 100 events over a few hours).
 */
export interface SimulationLimits {
  /** Events delivered to the gate plus lifecycle-hook invocations. */
  maxInvocations: number;
  /** Simulated time from the scenario's start, in ms. */
  maxSimulatedMs: number;
  /** Bytes of output (timeline or JSON). */
  maxOutputBytes: number;
}

export const DEFAULT_SIMULATION_LIMITS: SimulationLimits = {
  maxInvocations: 10_000,
  maxSimulatedMs: 90 * 24 * 60 * 60 * 1000,
  maxOutputBytes: 16 * 1024 * 1024,
};

/** A scenario that reached one of the `SimulationLimits`: it stops there (exit 2), with this message. */
export class SimulationLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SimulationLimitError';
  }
}

export interface TaskOutcome {
  label: string;
  taskArn: string;
  /** Where the task runs, in an organisation scenario. */
  account?: string;
  region?: string;
  cluster: string;
  service?: string;
  taskDefinition: string;
  lastStatus: TaskStatus;
  desiredStatus: string;
  stopCode?: string;
  stoppedReason?: string;
  stopCause?: StopCause;
  images: { container: string; image: string; digest?: string }[];
}

export interface ServiceOutcome {
  name: string;
  cluster: string;
  desiredCount: number;
  running: { taskDefinition: string; tasks: number }[];
  deployments: { id: string; taskDefinition: string; status: string; rolledBackBy?: string }[];
  restartLoop: boolean;
}

export interface ExpectationResult {
  what: string;
  expected: string;
  actual: string;
  ok: boolean;
}

export interface ScenarioResult {
  scenario: Scenario;
  backend: LocalBackend;
  actions: GateAction[];
  tasks: TaskOutcome[];
  services: ServiceOutcome[];
  scans: { digest: string; imageReference: string; state: string; buildId?: string; error?: string; attempts: number }[];
  counts: { events: number; handlerErrors: number; awsCalls: number; byMethod: Record<string, number>; actions: Record<string, number> };
  expectations: ExpectationResult[];
  labelOf: (taskArn: string) => string;
  /** The member accounts and accounts outside the organisation, in an organisation scenario. */
  organisation?: LocalOrganisation;
  startedAt: string;
  endedAt: string;
}

/**
 * Runs a scenario: builds the fake account, hands its ports to the real gate, plays the steps in simulated
 * time and reports what the gate did. Steps that the world cannot perform (a task going back to an
 * earlier status) are `InputError`s naming the step.
 */
export async function runScenario(scenario: Scenario, makeGate: GateFactory, limits: SimulationLimits = DEFAULT_SIMULATION_LIMITS): Promise<ScenarioResult> {
  const backend = new LocalBackend({
    location: { account: scenario.account, region: scenario.region },
    seed: scenario.world.seed ?? scenario.name,
    start: scenario.start,
    scanDurationMs: scenario.world.scanDurationMs,
    buildTimeoutMs: scenario.world.buildTimeoutMs,
    scanCompute: scenario.world.scanCompute,
    maxConcurrentBuilds: scenario.world.maxConcurrentBuilds,
    lambdaComputeQuota: scenario.world.lambdaComputeQuota,
    scanProjectBuildLimit: scenario.world.scanProjectBuildLimit,
    digestVisibleFrom: scenario.world.digestVisibleFrom,
    deploymentSettleMs: scenario.world.deploymentSettleMs,
    loopLimit: scenario.world.loopLimit,
  });
  const labels = new Map<string, string>();
  const serviceCounters = new Map<string, number>();
  const labelOf = (taskArn: string): string => labels.get(taskArn) ?? taskArn.slice(taskArn.lastIndexOf('/') + 1, taskArn.lastIndexOf('/') + 9);

  let gate: GateHandlers | undefined;
  let invocations = 0;
  let limitHit: SimulationLimitError | undefined;
  /** Counts one gate invocation; past the bound, the error that stops the scenario (kept: a hook swallows what it throws). */
  const countInvocation = (): void => {
    invocations += 1;
    if (invocations > limits.maxInvocations) {
      limitHit ??= new SimulationLimitError(
        `the scenario reached the bound of ${limits.maxInvocations} gate invocations (events delivered and hook calls) at ${backend.clock.now().toISOString()}; ` +
          'it probably loops (a sweep or a hook call-back that never ends): stopped there',
      );
      throw limitHit;
    }
  };
  // Each call is one Lambda invocation: the function's wrapper flushes its metrics at the end of it (lambda/gate.ts).
  const invocation = async <T>(call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } finally {
      backend.metrics.flush();
    }
  };
  const forward: GateHandlers = {
    handleEvent: (event) => invocation(() => (gate as GateHandlers).handleEvent(event)),
    handleHook: (payload) => {
      countInvocation();
      return invocation(() => (gate as GateHandlers).handleHook(payload));
    },
  };
  // Counted before the handler's own try/catch: the error leaves the simulation's loop instead of becoming a handler error.
  const simulation = new Simulation(backend, forward, { labelTask: labelOf, onDelivering: countInvocation });
  // Every account and region of an organisation scenario has its own ECS and task definitions, the central one first.
  const organisation = scenario.organisation
    ? buildOrganisation(scenario.organisation, backend, simulation, {
        digestVisibleFrom: scenario.world.digestVisibleFrom,
        loopLimit: scenario.world.loopLimit,
        deploymentSettleMs: scenario.world.deploymentSettleMs,
      })
    : undefined;
  const worlds: World[] = [
    { location: backend.location, ecs: backend.ecs, taskDefinitions: backend.taskDefinitions },
    ...[...(organisation?.accounts.values() ?? [])].map(({ location, ecs, taskDefinitions }) => ({ location, ecs, taskDefinitions })),
  ];
  for (const { ecs } of worlds) {
    ecs.onTaskChange(({ task, change }) => {
      if (change !== 'launched' || labels.has(task.taskArn)) return;
      if (task.label) labels.set(task.taskArn, task.label);
      else if (task.service) {
        const n = (serviceCounters.get(task.service) ?? 0) + 1;
        serviceCounters.set(task.service, n);
        labels.set(task.taskArn, `${task.service}#${n}`);
      }
    });
  }

  // The same task definitions in every account (as a pipeline registers one application everywhere).
  for (const { taskDefinitions } of worlds) for (const definition of scenario.taskDefinitions) taskDefinitions.register(definition.json, definition.source);
  for (const image of scenario.images) {
    backend.images.declare(image.reference, image.digest, image.outcome);
    // What DescribeImages reports as its imageSizeInBytes (ECR answers for ECR images only).
    if (image.sizeBytes !== undefined) backend.registry.setSize(image.digest, image.sizeBytes);
  }

  // Services that already run when the scenario starts: their tasks started before the gate was there.
  for (const service of scenario.services) {
    backend.ecs.createService({
      name: service.name,
      cluster: service.cluster,
      desiredCount: service.desiredCount,
      lifecycleHook: service.lifecycleHook,
      ...(service.pauseHook ? { pauseHook: service.pauseHook } : {}),
      ...(service.launch ? { launch: service.launch } : {}),
    });
    if (!service.running) continue;
    backend.ecs.deploy(service.name, service.cluster, requireTaskDefinition(backend, service.taskDefinition, scenario, 'services'), { completed: true });
    await simulation.captureEvents(async () => {
      backend.ecs.reconcile();
    });
  }

  const random = seededRandom(`${scenario.world.seed ?? scenario.name}:gate`);
  gate = makeGate({
    // In an organisation, ECS, task definitions and the registry are routed per account (the real routing code).
    ...(organisation ? organisation.gatePorts() : backend.ports),
    // Task events record what runs, as the deployed gate does (handlers/posture/record-uses.ts).
    inventory: backend.inventory,
    findingEvents: backend.findingEvents,
    openFindings: backend.openFindings,
    // When a finding opens, its services' exposure from the world's services (DescribeServices on AWS); not in an
    // organisation, as on AWS (handlers/lambda/wiring.ts).
    ...(organisation ? {} : { serviceExposure: new WorldServiceExposure(backend.ecs) }),
    logger: gateLogger(backend),
    policy: scenario.policy,
    config: { ...scenario.gate, scanProjectName: backend.scanner.projectName, ...(backend.scanner.fallbackProjectName ? { fallbackScanProjectName: backend.scanner.fallbackProjectName } : {}) },
    newId: () => backend.ids.uuid('scan'),
    random,
  });

  if (scenario.sweepEveryMs) simulation.scheduleSweeps(scenario.sweepEveryMs);
  const held = new Map<string, EventBridgeEvent[]>();
  const startedAt = backend.clock.now().toISOString();
  const startMs = backend.clock.millis();
  const runner = new StepRunner(scenario, backend, simulation, held, worlds, (milliseconds, path) => {
    const at = backend.clock.millis() - startMs + milliseconds;
    if (at > limits.maxSimulatedMs) {
      throw new SimulationLimitError(
        `the scenario reached the bound of ${Math.round(limits.maxSimulatedMs / 86_400_000)} days of simulated time at ${path} ` +
          `(it would run to ${Math.round(at / 86_400_000)} days after its start): stopped there`,
      );
    }
  });
  for (const [index, step] of scenario.steps.entries()) {
    backend.activity.log({ kind: 'step', at: backend.clock.now().toISOString(), text: `step ${index + 1}: ${describeStep(step)}${step.note ? ` (${step.note})` : ''}` });
    await runner.run(step);
    await simulation.settle();
    if (limitHit) throw limitHit;
  }

  const actions = backend.activity.actions.map((action) => withTaskLabel(action, labelOf));
  const tasks = worlds.flatMap(({ ecs, location }) =>
    [...ecs.tasks.values()].map((task) => ({ ...taskOutcome(task, labelOf), ...(organisation ? { account: location.account, region: location.region } : {}) })),
  );
  const services = [...backend.ecs.services.values()].map((service) => {
    const running = new Map<string, number>();
    for (const task of backend.ecs.tasks.values()) {
      if (task.service === service.name && task.cluster === service.cluster && task.desiredStatus === 'RUNNING') {
        const name = taskDefinitionName(task.taskDefinitionArn);
        running.set(name, (running.get(name) ?? 0) + 1);
      }
    }
    return {
      name: service.name,
      cluster: service.cluster,
      desiredCount: service.desiredCount,
      running: [...running.entries()].map(([taskDefinition, count]) => ({ taskDefinition, tasks: count })),
      deployments: service.deployments.map((deployment) => ({
        id: deployment.id,
        taskDefinition: taskDefinitionName(deployment.taskDefinitionArn),
        status: deployment.status,
        ...(deployment.rolledBackBy ? { rolledBackBy: deployment.rolledBackBy } : {}),
      })),
      restartLoop: service.loopDetected,
    };
  });
  const scans = backend.store.inspect.scans().map((scan) => ({
    digest: scan.digest,
    imageReference: scan.imageReference,
    state: scan.state,
    attempts: scan.attempts,
    ...(scan.buildId ? { buildId: scan.buildId } : {}),
    ...(scan.error ? { error: scan.error } : {}),
  }));
  const calls = backend.activity.counts();
  const counts = {
    events: simulation.deliveries.total,
    handlerErrors: simulation.deliveries.errors,
    awsCalls: calls.aws,
    byMethod: calls.byMethod,
    actions: countActions(actions),
  };
  const result: ScenarioResult = {
    scenario,
    backend,
    actions,
    tasks,
    services,
    scans,
    counts,
    expectations: [],
    labelOf,
    ...(organisation ? { organisation } : {}),
    startedAt,
    endedAt: backend.clock.now().toISOString(),
  };
  result.expectations = checkExpectations(result);
  return result;
}

/** One account and region of the world: the central one, or one of an organisation scenario. */
interface World {
  location: AwsLocation;
  ecs: FakeEcs;
  taskDefinitions: MemoryTaskDefinitions;
}

class StepRunner {
  constructor(
    private readonly scenario: Scenario,
    private readonly backend: LocalBackend,
    private readonly simulation: Simulation,
    private readonly held: Map<string, EventBridgeEvent[]>,
    private readonly worlds: World[],
    /** Throws a SimulationLimitError when advancing the clock by `milliseconds` would pass the time bound. */
    private readonly checkAdvance: (milliseconds: number, path: string) => void,
  ) {}

  private readonly tasksByLabel = new Map<string, { task: WorldTask; ecs: FakeEcs }>();

  /** The account and region a step names (the scenario checked that the world has it). */
  private worldAt(account: string | undefined, region: string | undefined): World | undefined {
    const where = { account: account ?? this.scenario.account, region: region ?? this.scenario.region };
    return this.worlds.find(({ location }) => location.account === where.account && location.region === where.region);
  }

  async run(step: ScenarioStep): Promise<void> {
    const { backend, simulation, scenario } = this;
    const fail = (message: string): never => {
      throw new InputError(message, { source: scenario.file, path: step.path });
    };
    switch (step.kind) {
      case 'runTask': {
        const world = this.worldAt(step.account, step.region) ?? fail(`no account ${step.account ?? scenario.account} ${step.region ?? scenario.region} in this world`);
        const arn = requireTaskDefinition(world, step.taskDefinition, scenario, step.path);
        const tasks = step.labels.map((label) => {
          const task = world.ecs.launchTask({
            cluster: step.cluster,
            taskDefinitionArn: arn,
            label,
            launchedBy: step.launchedBy,
            until: step.until,
            ...(step.startedBy ? { startedBy: step.startedBy } : {}),
            ...(step.overrides ? { overrides: step.overrides as { containerOverrides?: Record<string, unknown>[] } } : {}),
            ...(step.digestVisibleFrom ? { digestVisibleFrom: step.digestVisibleFrom } : {}),
          });
          this.tasksByLabel.set(label, { task, ecs: world.ecs });
          return task;
        });
        if (step.cloudTrail) {
          // CloudTrail records the call in the account it was made in; a member stack's rule forwards it.
          const envelope = { ...simulation.envelope(), location: world.location };
          simulation.emit(
            runTaskCloudTrailEvent(
              tasks,
              { cluster: step.cluster, taskDefinition: step.taskDefinition, count: tasks.length, ...(step.overrides ? { overrides: step.overrides } : {}), ...(step.startedBy ? { startedBy: step.startedBy } : {}) },
              { arn: step.launchedBy },
              { ...envelope, requestId: backend.ids.uuid('request'), eventId: backend.ids.uuid('cloudtrail') },
            ),
          );
        }
        return;
      }
      case 'taskState': {
        const { task, ecs } = this.findTask(step.task) ?? fail(`no task ${JSON.stringify(step.task)} exists at this point of the scenario`);
        if (statusRank(step.lastStatus) < statusRank(task.lastStatus)) fail(`task ${step.task} is already ${task.lastStatus}; it cannot go back to ${step.lastStatus}`);
        if (task.lastStatus === 'STOPPED') {
          backend.activity.note(`${step.task} is already STOPPED; nothing changes`);
          return;
        }
        if (step.lastStatus === 'STOPPED' && task.desiredStatus !== 'STOPPED') {
          ecs.setStatus(task.taskArn, 'STOPPED', {
            stopCode: step.stopCode ?? 'EssentialContainerExited',
            stoppedReason: step.stoppedReason ?? 'Essential container in task exited',
            ...(step.exitCode !== undefined ? { exitCode: step.exitCode } : {}),
          });
        } else {
          ecs.setStatus(task.taskArn, step.lastStatus);
        }
        return;
      }
      case 'deployService': {
        const service = backend.ecs.findService(step.service, step.cluster) ?? fail(`no service ${step.service}`);
        const deployment = backend.ecs.deploy(service.name, service.cluster, requireTaskDefinition(backend, step.taskDefinition, scenario, step.path));
        // A PAUSE hook waits too, but ECS calls no Lambda for it: it emits HOOK_AWAITING_ACTION (the simulation does).
        if (deployment.hook === 'waiting' && !deployment.pause) await simulation.invokeHook(service, deployment);
        return;
      }
      case 'rawHook':
        await simulation.invokeRawHook(step.payload);
        return;
      case 'push': {
        const { previousDigest } = backend.images.declare(step.image, step.digest, step.outcome);
        if (step.sizeBytes !== undefined) backend.registry.setSize(step.digest, step.sizeBytes);
        const reference = parseImageReference(step.image);
        if (previousDigest) backend.activity.note(`registry: ${reference.repository}:${reference.tag} moves from ${previousDigest.slice(0, 19)}… to ${step.digest.slice(0, 19)}…`);
        if (reference.ecr) {
          // ECR sends the push event in the registry's own account and region (a member stack's rule forwards it).
          const world =
            this.worldAt(reference.ecr.accountId, reference.ecr.region) ??
            fail(`ECR sends push events from the registry's own account and region; ${step.image} is in none the scenario has (${this.worlds.map(({ location }) => `${location.account} ${location.region}`).join(', ')})`);
          simulation.emit(ecrPushEvent(reference.repository, step.digest, reference.tag, { ...simulation.envelope(), location: world.location }));
        }
        return;
      }
      case 'scanCompletes': {
        const digest = isSha256Digest(step.target) ? step.target : backend.images.resolve(step.target);
        if (!digest) fail(`${step.target} is not an image of the scenario`);
        const running = backend.scanner.buildsFor(digest as string).filter((build) => build.status === 'IN_PROGRESS');
        const byReference = [...backend.scanner.builds.values()].filter(
          (build) => build.status === 'IN_PROGRESS' && !isSha256Digest(build.request.digest) && backend.images.resolve(build.request.imageReference) === digest,
        );
        const builds = [...running, ...byReference];
        if (builds.length === 0) backend.activity.note(`no scan of ${step.target} is running: nothing to complete`);
        for (const build of builds) backend.scanner.finish(build.buildId);
        return;
      }
      case 'advanceClock':
        this.checkAdvance(step.milliseconds, step.path);
        await simulation.advance(step.milliseconds);
        return;
      case 'sweep':
        simulation.sweep();
        return;
      case 'reconcile': {
        const summary = await reconcileInventory({ ecs: backend.taskListing, inventory: backend.inventory, clock: backend.clock, logger: gateLogger(backend), clusters: [] });
        backend.activity.note(`reconciliation: ${summary.listPages} ListTasks page(s), ${summary.describeCalls} DescribeTasks; ${summary.recorded} use(s) recorded, ${summary.closed} task(s) closed`);
        return;
      }
      case 'newData': {
        const digest = isSha256Digest(step.target) ? step.target : backend.images.resolve(step.target);
        if (!digest) fail(`${step.target} is not an image of the scenario`);
        backend.images.setOutcome(digest as string, step.outcome);
        backend.activity.note(`scanner data: ${step.target} (${(digest as string).slice(0, 19)}…) now scans differently; nothing runs until the gate looks again`);
        return;
      }
      case 'event':
        simulation.emit(step.event as EventBridgeEvent);
        return;
      case 'burst': {
        const events = await simulation.captureEvents(async () => {
          for (const inner of step.steps) await this.run(inner);
        });
        await this.deliverAll(events, step.delivery);
        return;
      }
      case 'hold': {
        const events = await simulation.captureEvents(async () => {
          for (const inner of step.steps) await this.run(inner);
        });
        this.held.set(step.name, events);
        backend.activity.note(`holding ${events.length} event${events.length === 1 ? '' : 's'} as ${JSON.stringify(step.name)} (EventBridge delivers them later)`);
        return;
      }
      case 'release': {
        const events = this.held.get(step.name) ?? fail(`nothing is held as ${JSON.stringify(step.name)} (already released?)`);
        this.held.delete(step.name);
        await this.deliverAll(events, step.delivery);
        return;
      }
    }
  }

  private findTask(label: string): { task: WorldTask; ecs: FakeEcs } | undefined {
    const direct = this.tasksByLabel.get(label);
    if (direct) return direct;
    const service = /^(.+)#(\d+)$/.exec(label);
    if (!service) return undefined;
    const tasks = [...this.backend.ecs.tasks.values()].filter((task) => task.service === service[1]);
    const task = tasks[Number(service[2]) - 1];
    return task ? { task, ecs: this.backend.ecs } : undefined;
  }

  /** Delivers captured events now: each `duplicates` times, in the order asked (a seeded shuffle is repeatable). */
  private async deliverAll(events: EventBridgeEvent[], delivery: Delivery): Promise<void> {
    const copies: EventBridgeEvent[] = [];
    for (const event of events) for (let n = 0; n < delivery.duplicates; n += 1) copies.push(event);
    const ordered = delivery.order === 'reversed' ? copies.reverse() : delivery.order === 'shuffled' ? shuffled(copies, seededRandom(`burst:${delivery.seed}`)) : copies;
    // Copies are identical; the one delivered first is the original, whichever copy that is.
    const delivered = new Set<EventBridgeEvent>();
    for (const event of ordered) {
      await this.simulation.deliver(event, delivered.has(event));
      delivered.add(event);
      this.backend.ecs.reconcile();
    }
  }
}

/**
 * The logger and the EMF metrics a deployed function has (handlers/lambda/wiring.ts), writing into the activity log
 * under the event being handled, stamped with simulated time. Everything down to debug is kept; `--logs` shows what
 * the function's LOG_LEVEL would let through.
 */
function gateLogger(backend: LocalBackend): Logger {
  backend.metrics.also = new EmfMetrics({ write: (line) => backend.activity.gateLog('metrics', line), now: () => backend.clock.millis() });
  return createLogger({ level: 'debug', now: () => backend.clock.now(), destination: { write: (line: string) => backend.activity.gateLog('log', line) } });
}

function requireTaskDefinition(world: { taskDefinitions: MemoryTaskDefinitions }, reference: string, scenario: Scenario, path: string): string {
  const arn = world.taskDefinitions.resolve(reference);
  if (!arn) throw new InputError(`task definition ${JSON.stringify(reference)} is not registered`, { source: scenario.file, path });
  return arn;
}

function taskDefinitionName(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

function taskOutcome(task: WorldTask, labelOf: (arn: string) => string): TaskOutcome {
  return {
    label: labelOf(task.taskArn),
    taskArn: task.taskArn,
    cluster: task.cluster,
    ...(task.service ? { service: task.service } : {}),
    taskDefinition: taskDefinitionName(task.taskDefinitionArn),
    lastStatus: task.lastStatus,
    desiredStatus: task.desiredStatus,
    ...(task.stopCode ? { stopCode: task.stopCode } : {}),
    ...(task.stoppedReason ? { stoppedReason: task.stoppedReason } : {}),
    ...(task.stopCause ? { stopCause: task.stopCause } : {}),
    images: task.containers.map((container) => ({ container: container.name, image: container.image, ...(container.imageDigest ? { digest: container.imageDigest } : {}) })),
  };
}

function withTaskLabel(action: GateAction, labelOf: (arn: string) => string): GateAction {
  if (action.type === 'stopTask') return { ...action, task: labelOf(action.taskArn) } as GateAction;
  if (action.type === 'notify' && action.event.taskArn) return { ...action, task: labelOf(action.event.taskArn) } as GateAction;
  return action;
}

/** Action counts: startScan counts builds started (refusals apart, replays of one token not at all). */
export function countActions(actions: GateAction[]): Record<string, number> {
  const counts: Record<string, number> = { startScan: 0, startScanRefused: 0, stopTask: 0, rollbackDeployment: 0, continueServiceDeployment: 0, scaleService: 0, notify: 0, hookResponse: 0 };
  for (const action of actions) {
    if (action.type === 'startScan') {
      if (action.refused) counts.startScanRefused += 1;
      else if (!action.replayed) counts.startScan += 1;
    } else {
      counts[action.type] += 1;
    }
  }
  return counts;
}

function countMatches(expected: ExpectedCount, actual: number): boolean {
  if (typeof expected === 'number') return actual === expected;
  return (expected.min === undefined || actual >= expected.min) && (expected.max === undefined || actual <= expected.max);
}

function describeCount(expected: ExpectedCount): string {
  if (typeof expected === 'number') return String(expected);
  if (expected.min !== undefined && expected.max !== undefined) return `${expected.min}..${expected.max}`;
  if (expected.min !== undefined) return `at least ${expected.min}`;
  return `at most ${expected.max ?? 0}`;
}

function checkExpectations(result: ScenarioResult): ExpectationResult[] {
  const expect = result.scenario.expect;
  const out: ExpectationResult[] = [];
  const handlerErrors = expect?.handlerErrors ?? 0;
  out.push({ what: 'handler errors', expected: String(handlerErrors), actual: String(result.counts.handlerErrors), ok: result.counts.handlerErrors === handlerErrors });
  if (!expect) return out;
  for (const [type, expected] of Object.entries(expect.actions ?? {})) {
    const actual = result.counts.actions[type] ?? 0;
    out.push({ what: `${type} actions`, expected: describeCount(expected as ExpectedCount), actual: String(actual), ok: countMatches(expected as ExpectedCount, actual) });
  }
  for (const [label, status] of Object.entries(expect.tasks ?? {})) {
    const task = result.tasks.find((candidate) => candidate.label === label);
    const actual = task ? task.lastStatus : 'not launched';
    out.push({ what: `task ${label}`, expected: status, actual, ok: actual === status });
  }
  if (expect.inUse) {
    const open = new Set(result.backend.inventory.inspect.all().filter((use) => use.stoppedAt === undefined).map((use) => use.taskArn));
    for (const [label, expected] of Object.entries(expect.inUse)) {
      const task = result.tasks.find((candidate) => candidate.label === label);
      const actual = task ? open.has(task.taskArn) : false;
      out.push({ what: `task ${label} in use (inventory)`, expected: String(expected), actual: task ? String(actual) : 'not launched', ok: task !== undefined && actual === expected });
    }
  }
  for (const [name, expected] of Object.entries(expect.services ?? {})) {
    const service = result.services.find((candidate) => candidate.name === name);
    if (!service) {
      out.push({ what: `service ${name}`, expected: 'exists', actual: 'missing', ok: false });
      continue;
    }
    if (expected.desiredCount !== undefined) {
      out.push({ what: `service ${name} desiredCount`, expected: String(expected.desiredCount), actual: String(service.desiredCount), ok: service.desiredCount === expected.desiredCount });
    }
    if (expected.runningTaskDefinition !== undefined) {
      const actual = service.running.map((entry) => `${entry.taskDefinition} x${entry.tasks}`).join(', ') || 'nothing';
      const ok = service.running.length > 0 && service.running.every((entry) => entry.taskDefinition === expected.runningTaskDefinition || entry.taskDefinition.startsWith(`${expected.runningTaskDefinition}:`));
      out.push({ what: `service ${name} runs`, expected: expected.runningTaskDefinition, actual, ok });
    }
    if (expected.restartLoop !== undefined) {
      out.push({ what: `service ${name} restart loop`, expected: String(expected.restartLoop), actual: String(service.restartLoop), ok: service.restartLoop === expected.restartLoop });
    }
  }
  if (expect.hookResponses) {
    const statuses = result.actions
      .filter((action): action is Extract<GateAction, { type: 'hookResponse' }> => action.type === 'hookResponse')
      .map((action) => hookStatusText(action.response, action.error));
    out.push({ what: 'hook answers', expected: expect.hookResponses.join(', ') || 'none', actual: statuses.join(', ') || 'none', ok: statuses.join(',') === expect.hookResponses.join(',') });
  }
  if (expect.findingEvents) {
    const published = result.backend.findingEvents.published;
    for (const state of ['opened', 'resolved'] as const) {
      const expected = expect.findingEvents[state];
      if (expected === undefined) continue;
      const actual = published.filter((event) => event.state === state).length;
      out.push({ what: `finding events ${state}`, expected: describeCount(expected), actual: String(actual), ok: countMatches(expected, actual) });
    }
    if (expect.findingEvents.drifted !== undefined) {
      const actual = published.filter((event) => event.state === 'opened' && event.drift !== undefined).length;
      out.push({ what: 'finding events opened by drift', expected: describeCount(expect.findingEvents.drifted), actual: String(actual), ok: countMatches(expect.findingEvents.drifted, actual) });
    }
    for (const service of expect.findingEvents.services ?? []) {
      const named = published.some((event) => event.state === 'opened' && event.uses.some((use) => use.service === service && use.taskArn.length > 0));
      out.push({ what: `opened finding event names service ${service} and its tasks`, expected: 'true', actual: String(named), ok: named });
    }
  }
  for (const [subject, expected] of Object.entries(expect.scans ?? {})) {
    // Builds the scanner ran for the image's digest, whichever account's task or push asked for them.
    const digest = isSha256Digest(subject) ? subject : result.backend.images.resolve(subject);
    const actual = digest ? result.backend.scanner.buildsFor(digest).length : 0;
    out.push({ what: `scans of ${subject}`, expected: describeCount(expected), actual: digest ? String(actual) : 'not an image of the scenario', ok: digest !== undefined && countMatches(expected, actual) });
  }
  if (expect.accounts) {
    const counted = (what: string, expected: ExpectedCount, actual: number): ExpectationResult => ({ what, expected: describeCount(expected), actual: String(actual), ok: countMatches(expected, actual) });
    out.push(...checkAccountExpectations(expect.accounts, result.actions, result.backend, result.organisation, counted));
  }
  for (const [subject, decision] of Object.entries(expect.decisions ?? {})) {
    const actual = lastDecision(result, subject);
    out.push({ what: `decision for ${subject}`, expected: decision, actual, ok: actual === decision });
  }
  return out;
}

/**
 * The decision of the last verdict event about `subject`: a task label (task verdicts), a service name
 * (lifecycle-hook verdicts), or an image reference or digest (the verdict published when its scan ends).
 */
function lastDecision(result: ScenarioResult, subject: string): string {
  const notifications = result.actions.filter((action): action is Extract<GateAction, { type: 'notify' }> => action.type === 'notify');
  const digest = isSha256Digest(subject) ? subject : result.backend.images.resolve(subject);
  const matching = notifications.filter((action) => {
    const event = action.event;
    if (event.taskArn) return result.labelOf(event.taskArn) === subject;
    if (event.service) return event.service === subject;
    return digest !== undefined && event.images.some((image) => image.digest === digest);
  });
  return matching.length > 0 ? matching[matching.length - 1].event.decision : 'no verdict event';
}

export function hookStatusText(response: unknown, error?: string): string {
  if (error !== undefined) return 'none';
  const status = response && typeof response === 'object' ? (response as Record<string, unknown>).hookStatus : undefined;
  return typeof status === 'string' ? status : 'none';
}

function describeStep(step: ScenarioStep): string {
  switch (step.kind) {
    case 'runTask':
      return `runTask ${step.taskDefinition} in cluster ${step.cluster}${step.account || step.region ? ` of ${[step.account, step.region].filter(Boolean).join(' ')}` : ''} as ${step.labels.join(', ')}${step.until !== 'RUNNING' ? ` (until ${step.until})` : ''}`;
    case 'taskState':
      return `task ${step.task} → ${step.lastStatus}`;
    case 'deployService':
      return `deploy ${step.taskDefinition} to service ${step.service}${step.viaHook ? ' (PRE_SCALE_UP hook)' : step.viaPauseHook ? ' (PAUSE hook at PRE_SCALE_UP)' : ''}`;
    case 'rawHook':
      return 'lifecycle hook with a raw payload';
    case 'push':
      return `push ${step.image} @ ${step.digest.slice(0, 19)}…`;
    case 'scanCompletes':
      return `scan of ${step.target.length > 60 ? `${step.target.slice(0, 60)}…` : step.target} completes`;
    case 'advanceClock':
      return `${step.text} pass`;
    case 'sweep':
      return 'scheduled sweep';
    case 'reconcile':
      return 'scheduled inventory reconciliation';
    case 'newData':
      return `new vulnerability data for ${step.target.length > 60 ? `${step.target.slice(0, 60)}…` : step.target}`;
    case 'event':
      return 'raw event';
    case 'burst':
      return `burst of ${step.steps.length} step${step.steps.length === 1 ? '' : 's'}, each event ×${step.delivery.duplicates}, ${step.delivery.order}`;
    case 'hold':
      return `hold the events of ${step.steps.length} step${step.steps.length === 1 ? '' : 's'} as ${step.name}`;
    case 'release':
      return `release ${step.name} (${step.delivery.order}${step.delivery.duplicates > 1 ? `, ×${step.delivery.duplicates}` : ''})`;
  }
}
