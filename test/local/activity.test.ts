import { ActivityLog } from '../../functions/local/activity';
import { RecordingMetrics } from '../../functions/local/notifier';
import type { MetricsPort } from '../../functions/core/ports';

describe('ActivityLog.gateLog', () => {
  it("keeps the gate's log line verbatim with its fields, the time and the event being handled", () => {
    const log = new ActivityLog(() => new Date('2026-01-05T09:02:00Z'));
    log.trigger = '#7';
    log.gateLog('log', '{"level":"warn","msg":"task stopped","taskArn":"t"}\n');
    expect(log.timeline).toEqual([
      { kind: 'log', at: '2026-01-05T09:02:00.000Z', trigger: '#7', source: 'log', text: '{"level":"warn","msg":"task stopped","taskArn":"t"}', record: { level: 'warn', msg: 'task stopped', taskArn: 't' } },
    ]);
  });

  it('keeps a line that is not a JSON object as text, with no fields', () => {
    const log = new ActivityLog(() => new Date(0));
    log.gateLog('metrics', 'not json');
    log.gateLog('metrics', '[1,2]');
    expect(log.timeline.map((entry) => (entry.kind === 'log' ? [entry.text, entry.record] : undefined))).toEqual([
      ['not json', {}],
      ['[1,2]', {}],
    ]);
  });

  it('keeps nothing when actions are not kept (the benchmark)', () => {
    const log = new ActivityLog(() => new Date(0));
    log.keepActions = false;
    log.gateLog('log', '{}');
    expect(log.timeline).toEqual([]);
  });
});

describe('RecordingMetrics.also', () => {
  it('forwards every count, timing and flush to another port, and still records them', () => {
    const calls: string[] = [];
    const other: MetricsPort = {
      count: (name, value, dimensions) => void calls.push(`count ${name} ${value} ${JSON.stringify(dimensions)}`),
      timing: (name, ms) => void calls.push(`timing ${name} ${ms}`),
      flush: () => void calls.push('flush'),
    };
    const metrics = new RecordingMetrics();
    metrics.also = other;
    metrics.count('Events', 1, { kind: 'sweep' });
    metrics.timing('DecisionLatency', 12);
    metrics.flush();
    expect(calls).toEqual(['count Events 1 {"kind":"sweep"}', 'timing DecisionLatency 12', 'flush']);
    expect(metrics.total('Events')).toBe(1);
    expect(metrics.flushes).toBe(1);
  });
});
