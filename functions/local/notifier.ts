import type { MetricsPort, NotifierPort, VerdictEvent } from '../core/ports';
import type { ActivityLog } from './activity';

/** The verdict bus: records every "Fargate Gate Verdict" event the gate publishes. */
export class RecordingNotifier implements NotifierPort {
  readonly published: VerdictEvent[] = [];

  constructor(private readonly activity: ActivityLog) {}

  async publishVerdict(event: VerdictEvent): Promise<void> {
    this.activity.call('notifier.publishVerdict');
    const copy = structuredClone(event);
    if (this.activity.keepActions) this.published.push(copy);
    this.activity.record('notify', { event: copy });
  }
}

export interface MetricPoint {
  kind: 'count' | 'timing';
  name: string;
  value: number;
  dimensions?: Record<string, string>;
}

/** Metrics the gate emits, kept in memory (EMF log lines in a deployment, so not AWS calls). */
export class RecordingMetrics implements MetricsPort {
  readonly points: MetricPoint[] = [];
  private readonly totals = new Map<string, number>();
  flushes = 0;
  /** Another port that gets every call too: `simulate --logs` writes the EMF lines a deployment would. */
  also: MetricsPort | undefined;

  constructor(private readonly keep: () => boolean = () => true) {}

  count(name: string, value = 1, dimensions?: Record<string, string>): void {
    this.totals.set(name, (this.totals.get(name) ?? 0) + value);
    if (this.keep()) this.points.push({ kind: 'count', name, value, ...(dimensions ? { dimensions } : {}) });
    this.also?.count(name, value, dimensions);
  }

  timing(name: string, milliseconds: number, dimensions?: Record<string, string>): void {
    if (this.keep()) this.points.push({ kind: 'timing', name, value: milliseconds, ...(dimensions ? { dimensions } : {}) });
    this.also?.timing(name, milliseconds, dimensions);
  }

  /** The end of one invocation (the Lambda wrappers flush in `finally`). */
  flush(): void {
    this.flushes += 1;
    this.also?.flush();
  }

  /** Sum of every `count` for a metric name. */
  total(name: string): number {
    return this.totals.get(name) ?? 0;
  }
}
