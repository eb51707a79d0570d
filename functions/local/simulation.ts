import { Agenda } from './agenda';
import type { LocalBackend } from './backend';
import type { FakeBuild } from './codebuild';
import { describeEvent, describeGateResult, routineReason, shortBuild } from './describe';
import type { WorldDeployment, WorldService } from './ecs';
import { buildStateChangeEvent, hookStateChangeEvent, lifecycleHookPayload, scheduledEvent, taskStateChangeEvent, type EventBridgeEvent } from './events';

/** What the gate exposes to its triggers: EventBridge rules and the ECS lifecycle hook. */
export interface GateHandlers {
  handleEvent(event: unknown): Promise<unknown>;
  handleHook(payload: unknown): Promise<unknown>;
}

export interface SimulationOptions {
  /**
   * When each event reaches the gate, as delays after it happened; more than one delay is a duplicate
   * delivery. Default: once, at once. The benchmark uses this for disorder and duplicates.
   */
  deliveries?: (event: EventBridgeEvent) => number[];
  /** Name of the EventBridge schedule rule that triggers the sweep. */
  sweepRuleName?: string;
  /** Lambda's asynchronous-invocation retries after a handler error (default 2, at 1 and 2 minutes). */
  retries?: number;
  /** Called just before each delivery (the world as the gate is about to see it), for measurements. */
  onDelivering?: (event: unknown) => void;
  /** Called after each delivery, for measurements. */
  onDelivered?: (delivery: Delivery) => void;
  /** Label task ARNs in timelines (`t1`); default the task id. */
  labelTask?: (taskArn: string) => string;
}

export interface Delivery {
  label: string;
  event: EventBridgeEvent;
  duplicate: boolean;
  /** Handler wall time, ms. */
  elapsedMs: number;
  /** AWS calls the gate made while handling it. */
  awsCalls: number;
  error?: unknown;
}

type Job = () => void | Promise<void>;

const HOOK_STATUSES = new Set(['SUCCEEDED', 'FAILED', 'IN_PROGRESS']);

/**
 * Drives the fake world and the real gate together in simulated time: world changes become events,
 * events reach the gate (in order, or as the delivery plan says), the gate's calls change the world,
 * and the ECS scheduler and CodeBuild move on as the clock does. Re-entrancy cannot happen: everything
 * the gate causes is queued, never delivered inside the handler call that caused it.
 */
export class Simulation {
  private readonly agenda = new Agenda<Job>();
  private eventCount = 0;
  private hookCount = 0;
  private capture: EventBridgeEvent[] | undefined;
  readonly deliveries: { total: number; errors: number } = { total: 0, errors: 0 };

  constructor(
    readonly backend: LocalBackend,
    private readonly gate: GateHandlers,
    private readonly options: SimulationOptions = {},
  ) {
    backend.attachScheduler((delayMs, callback) => this.schedule(delayMs, callback));
    backend.ecs.onTaskChange(({ task }) => this.emit(taskStateChangeEvent(task, this.envelope())));
    // A deployment paused at its PAUSE hook: ECS emits HOOK_AWAITING_ACTION, which the gate's rule delivers.
    backend.ecs.onHookAwaiting((service, deployment) => this.emit(hookStateChangeEvent(service, deployment, this.envelope())));
    backend.scanner.onBuildFinished((build, { deliverEvent }) => this.buildFinished(build, deliverEvent));
  }

  /** Runs `job` after `delayMs` of simulated time (0: after everything already due now). */
  schedule(delayMs: number, job: Job): void {
    this.agenda.add(this.backend.clock.millis() + Math.max(0, delayMs), job);
  }

  /** Hands an event to EventBridge: delivered per the delivery plan, or held while capturing. */
  emit(event: EventBridgeEvent): void {
    if (this.capture) {
      this.capture.push(event);
      return;
    }
    const delays = this.options.deliveries?.(event) ?? [0];
    delays.forEach((delay, index) => this.schedule(delay, () => this.deliver(event, index > 0)));
  }

  /** Events produced while `body` runs are returned instead of delivered (a scenario's burst or hold). */
  async captureEvents(body: () => Promise<void>): Promise<EventBridgeEvent[]> {
    const outer = this.capture;
    const captured: EventBridgeEvent[] = [];
    this.capture = captured;
    try {
      await body();
      await this.settle();
    } finally {
      this.capture = outer;
    }
    return captured;
  }

  /** Delivers an event to the gate now, as one Lambda invocation. */
  async deliver(event: EventBridgeEvent | unknown, duplicate = false, attempt = 0): Promise<void> {
    const label = `#${++this.eventCount}`;
    const { activity, clock } = this.backend;
    const described = describeEvent(event, this.options.labelTask);
    activity.log({ kind: 'event', at: clock.now().toISOString(), label, detailType: described.detailType, summary: described.summary, event, ...(duplicate ? { duplicate } : {}) });
    this.options.onDelivering?.(event);
    activity.trigger = label;
    const callsBefore = activity.awsCallTotal();
    const started = performance.now();
    let error: unknown;
    let result: unknown;
    try {
      result = await this.gate.handleEvent(event);
    } catch (caught) {
      error = caught;
    } finally {
      activity.trigger = undefined;
    }
    const elapsedMs = performance.now() - started;
    if (activity.keepActions && error === undefined) {
      const text = describeGateResult(result);
      const routine = routineReason(result);
      if (text) activity.log({ kind: 'result', at: clock.now().toISOString(), label, text, ...(routine ? { routine } : {}) });
    }
    this.deliveries.total += 1;
    if (error !== undefined) {
      this.deliveries.errors += 1;
      activity.log({ kind: 'error', at: clock.now().toISOString(), label, message: errorText(error) });
      if (attempt < (this.options.retries ?? 2)) this.schedule(60_000 * 2 ** attempt, () => this.deliver(event, duplicate, attempt + 1));
    }
    this.options.onDelivered?.({ label, event: event as EventBridgeEvent, duplicate, elapsedMs, awsCalls: activity.awsCallTotal() - callsBefore, ...(error !== undefined ? { error } : {}) });
  }

  /**
   * ECS calls the service's PRE_SCALE_UP hook for a deployment waiting on it, with the hookDetails earlier
   * answers returned; IN_PROGRESS makes ECS call again after callBackDelay, anything but a valid status
   * rolls the deployment back. `rawPayload` replaces the payload ECS would build (a scenario testing bad input).
   */
  async invokeHook(service: WorldService, deployment: WorldDeployment, rawPayload?: unknown): Promise<void> {
    const label = `hook#${++this.hookCount}`;
    const { activity, clock, ids } = this.backend;
    deployment.hookExecution ??= { id: ids.uuid('hook-execution'), details: {}, invocations: 0 };
    const execution = deployment.hookExecution;
    execution.invocations += 1;
    const index = service.deployments.indexOf(deployment);
    const previous = service.deployments.slice(0, Math.max(index, 0)).reverse().find((candidate) => candidate.completed && candidate.status !== 'ROLLBACK_SUCCESSFUL');
    const payload = rawPayload ?? lifecycleHookPayload(service, deployment, previous, execution.id, execution.details);
    const revisionId = deployment.revisionArn.slice(deployment.revisionArn.lastIndexOf('/') + 1);
    activity.log({ kind: 'hook', at: clock.now().toISOString(), label, summary: `PRE_SCALE_UP ${service.name} revision ${revisionId} (call ${execution.invocations})`, payload });

    activity.trigger = label;
    let response: unknown;
    let error: unknown;
    try {
      response = await this.gate.handleHook(payload);
    } catch (caught) {
      error = caught;
    }
    try {
      activity.record('hookResponse', {
        service: service.name,
        serviceRevisionArn: deployment.revisionArn,
        ...(error === undefined ? { response } : { error: errorText(error) }),
      });
      const status = error === undefined ? hookStatusOf(response) : undefined;
      if (!status) {
        activity.note(`ECS: the hook ${error !== undefined ? 'failed' : 'returned no valid hookStatus'}; the deployment of ${service.name} rolls back`);
        this.backend.ecs.hookAnswered(service.name, service.cluster, deployment.id, 'FAILED');
        return;
      }
      const details = hookDetailsOf(response);
      if (details) Object.assign(execution.details, details);
      if (status === 'IN_PROGRESS') {
        const delaySeconds = callBackDelayOf(response) ?? 30;
        this.schedule(delaySeconds * 1000, async () => {
          if (deployment.hook === 'waiting') await this.invokeHook(service, deployment, rawPayload);
        });
        return;
      }
      this.backend.ecs.hookAnswered(service.name, service.cluster, deployment.id, status);
      activity.note(
        status === 'SUCCEEDED'
          ? `ECS: ${service.name} scales up ${deployment.id}`
          : `ECS: hook FAILED; ${service.name} stays on its previous revision (${deployment.id} rolled back before any task started)`,
      );
    } finally {
      activity.trigger = undefined;
    }
  }

  /** Calls the hook with a payload as given (a malformed one under test); the answer is recorded, ECS does nothing with it. */
  async invokeRawHook(payload: unknown): Promise<void> {
    const label = `hook#${++this.hookCount}`;
    const { activity, clock } = this.backend;
    activity.log({ kind: 'hook', at: clock.now().toISOString(), label, summary: 'raw payload', payload });
    activity.trigger = label;
    try {
      let response: unknown;
      let error: unknown;
      try {
        response = await this.gate.handleHook(payload);
      } catch (caught) {
        error = caught;
      }
      activity.record('hookResponse', { service: '(raw payload)', serviceRevisionArn: '', ...(error === undefined ? { response } : { error: errorText(error) }) });
    } finally {
      activity.trigger = undefined;
    }
  }

  /** Delivers the sweep rule's Scheduled Event. */
  sweep(): void {
    this.emit(scheduledEvent(this.options.sweepRuleName ?? 'fargate-gate-sweep', this.envelope()));
  }

  /** The sweep rule's schedule: a Scheduled Event every `everyMs` of simulated time from now on. */
  scheduleSweeps(everyMs: number): void {
    if (!(everyMs > 0)) throw new Error(`sweep interval must be positive, got ${everyMs}`);
    const tick = (): void => {
      this.sweep();
      this.schedule(everyMs, tick);
    };
    this.schedule(everyMs, tick);
  }

  /** Runs everything due up to `time` (epoch ms), then sets the clock there. */
  async runUntil(time: number): Promise<void> {
    const { clock, ecs } = this.backend;
    for (;;) {
      const next = this.agenda.nextAt();
      if (next === undefined || next > time) break;
      const entry = this.agenda.take();
      if (!entry) break;
      clock.advanceTo(entry.at);
      await entry.item();
      ecs.reconcile();
    }
    clock.advanceTo(time);
  }

  /** Runs everything due now, including what that causes at the same instant. */
  async settle(): Promise<void> {
    this.backend.ecs.reconcile();
    await this.runUntil(this.backend.clock.millis());
  }

  async advance(milliseconds: number): Promise<void> {
    await this.settle();
    await this.runUntil(this.backend.clock.millis() + milliseconds);
  }

  /** Whether anything is still scheduled (builds running, hooks to call back, events in flight). */
  pending(): number {
    return this.agenda.size;
  }

  nextDueAt(): number | undefined {
    return this.agenda.nextAt();
  }

  /** Envelope fields for an event happening now. */
  envelope(): { location: LocalBackend['location']; id: string; time: number } {
    return { location: this.backend.location, id: this.backend.ids.uuid('event'), time: this.backend.clock.millis() };
  }

  private buildFinished(build: FakeBuild, deliverEvent: boolean): void {
    const { activity } = this.backend;
    const id = shortBuild(build.buildId);
    activity.note(`CodeBuild: ${id} ${build.status}${build.failure ? ` (${build.failure})` : ''}${deliverEvent ? '' : '; its Build State Change event is lost'}`);
    if (deliverEvent) this.emit(buildStateChangeEvent(build, this.envelope()));
  }
}

function hookStatusOf(response: unknown): 'SUCCEEDED' | 'FAILED' | 'IN_PROGRESS' | undefined {
  const status = response && typeof response === 'object' ? (response as Record<string, unknown>).hookStatus : undefined;
  return typeof status === 'string' && HOOK_STATUSES.has(status) ? (status as 'SUCCEEDED' | 'FAILED' | 'IN_PROGRESS') : undefined;
}

function hookDetailsOf(response: unknown): Record<string, unknown> | undefined {
  const details = (response as Record<string, unknown>).hookDetails;
  return details && typeof details === 'object' && !Array.isArray(details) ? (details as Record<string, unknown>) : undefined;
}

function callBackDelayOf(response: unknown): number | undefined {
  const delay = (response as Record<string, unknown>).callBackDelay;
  return typeof delay === 'number' && delay >= 0 ? delay : undefined;
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
