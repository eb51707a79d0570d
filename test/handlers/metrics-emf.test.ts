import { EMF_MAX_METRICS, EMF_MAX_VALUES, EmfMetrics } from '../../functions/handlers/metrics-emf';

function collect(options: ConstructorParameters<typeof EmfMetrics>[0] = {}) {
  const lines: string[] = [];
  const metrics = new EmfMetrics({ namespace: 'FargateGate', now: () => 1_767_603_600_000, write: (line) => lines.push(line), ...options });
  return { metrics, documents: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('EmfMetrics', () => {
  it('writes one EMF document per dimension set, with the documented metadata', () => {
    const { metrics, documents } = collect();
    metrics.count('TaskDecisions', 1, { decision: 'fail' });
    metrics.count('TaskDecisions', 1, { decision: 'fail' });
    metrics.count('TaskDecisions', 1, { decision: 'pass' });
    metrics.timing('DecisionLatency', 1234, { decision: 'fail' });
    metrics.flush();
    expect(documents()).toEqual([
      {
        _aws: {
          Timestamp: 1_767_603_600_000,
          CloudWatchMetrics: [
            {
              Namespace: 'FargateGate',
              Dimensions: [['decision']],
              Metrics: [
                { Name: 'TaskDecisions', Unit: 'Count' },
                { Name: 'DecisionLatency', Unit: 'Milliseconds' },
              ],
            },
          ],
        },
        decision: 'fail',
        TaskDecisions: 2,
        DecisionLatency: 1234,
      },
      {
        _aws: { Timestamp: 1_767_603_600_000, CloudWatchMetrics: [{ Namespace: 'FargateGate', Dimensions: [['decision']], Metrics: [{ Name: 'TaskDecisions', Unit: 'Count' }] }] },
        decision: 'pass',
        TaskDecisions: 1,
      },
    ]);
  });

  it('keeps every timing value for percentiles, splitting past 100 values', () => {
    const { metrics, documents } = collect();
    for (let i = 0; i < 150; i += 1) metrics.timing('ScanDuration', i);
    metrics.flush();
    const docs = documents();
    expect(docs).toHaveLength(2);
    expect((docs[0].ScanDuration as number[]).length).toBe(EMF_MAX_VALUES);
    expect((docs[1].ScanDuration as number[]).length).toBe(50);
  });

  it('puts at most 100 metrics in a document', () => {
    const { metrics, documents } = collect();
    for (let i = 0; i < 150; i += 1) metrics.count(`Metric${i}`);
    metrics.flush();
    const docs = documents();
    expect(docs.map((d) => ((d._aws as { CloudWatchMetrics: { Metrics: unknown[] }[] }).CloudWatchMetrics[0].Metrics.length))).toEqual([EMF_MAX_METRICS, 50]);
  });

  it('adds default dimensions and drops empty or colliding ones', () => {
    const { metrics, documents } = collect({ defaultDimensions: { stack: 'gate-prod' } });
    metrics.count('Events', 1, { kind: 'sweep', empty: '', Events: 'collides' });
    metrics.flush();
    const [doc] = documents();
    expect(doc).toMatchObject({ stack: 'gate-prod', kind: 'sweep', Events: 1 });
    expect(doc).not.toHaveProperty('empty');
    expect((doc._aws as { CloudWatchMetrics: { Dimensions: string[][] }[] }).CloudWatchMetrics[0].Dimensions).toEqual([['stack', 'kind']]);
  });

  it('ignores values that are not finite and writes nothing when nothing was recorded', () => {
    const { metrics, documents } = collect();
    metrics.timing('X', Number.NaN);
    metrics.count('Y', Number.POSITIVE_INFINITY);
    metrics.flush();
    expect(documents()).toEqual([]);
  });

  it('forgets what it flushed', () => {
    const { metrics, documents } = collect();
    metrics.count('Events');
    metrics.flush();
    metrics.flush();
    expect(documents()).toHaveLength(1);
  });
});
