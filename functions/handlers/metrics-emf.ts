import type { MetricsPort } from '../core/ports';

/*
 * MetricsPort as CloudWatch Embedded Metric Format lines
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html):
 * CloudWatch Logs extracts the metrics from the function's own log lines, so no PutMetricData call is made.
 *
 * Hand-written rather than @aws-lambda-powertools/metrics: the port needs two operations (count, timing) and
 * a flush, the format is a small documented JSON shape, and Powertools Metrics would add a dependency tree, its
 * own lifecycle (publishStoredMetrics, cold-start metric, service dimension) and its own logger next to the gate's JSON logger.
 */

/** Limits of one EMF document: 100 metrics per directive, 30 dimensions per set, 100 values per metric. */
export const EMF_MAX_METRICS = 100;
export const EMF_MAX_DIMENSIONS = 30;
export const EMF_MAX_VALUES = 100;
const MAX_NAME_LENGTH = 255;
const MAX_DIMENSION_VALUE_LENGTH = 1024;

export type EmfUnit = 'Count' | 'Milliseconds';

export interface EmfMetricsOptions {
  /** CloudWatch namespace. Default `FargateGate`. */
  namespace?: string;
  /** Dimensions added to every metric (e.g. the stack), before the metric's own. */
  defaultDimensions?: Record<string, string>;
  /** Receives one JSON document per call; default: a line on stdout (CloudWatch Logs in Lambda). */
  write?: (line: string) => void;
  /** Epoch ms for the documents' Timestamp. */
  now?: () => number;
}

interface Series {
  unit: EmfUnit;
  values: number[];
}

interface Group {
  dimensions: Record<string, string>;
  metrics: Map<string, Series>;
}

export class EmfMetrics implements MetricsPort {
  private readonly namespace: string;
  private readonly defaultDimensions: Record<string, string>;
  private readonly write: (line: string) => void;
  private readonly now: () => number;
  private groups = new Map<string, Group>();

  constructor(options: EmfMetricsOptions = {}) {
    this.namespace = (options.namespace ?? 'FargateGate').slice(0, MAX_NAME_LENGTH) || 'FargateGate';
    this.defaultDimensions = options.defaultDimensions ?? {};
    this.write = options.write ?? ((line) => process.stdout.write(`${line}\n`));
    this.now = options.now ?? (() => Date.now());
  }

  count(name: string, value = 1, dimensions: Record<string, string> = {}): void {
    this.add(name, 'Count', value, dimensions);
  }

  timing(name: string, milliseconds: number, dimensions: Record<string, string> = {}): void {
    this.add(name, 'Milliseconds', milliseconds, dimensions);
  }

  /** Writes everything recorded since the last flush and forgets it. Call once at the end of every invocation. */
  flush(): void {
    const groups = [...this.groups.values()];
    this.groups = new Map();
    const timestamp = this.now();
    for (const group of groups) {
      for (const document of documentsOf(group, this.namespace, timestamp)) this.write(JSON.stringify(document));
    }
  }

  private add(name: string, unit: EmfUnit, value: number, dimensions: Record<string, string>): void {
    const metricName = name.trim().slice(0, MAX_NAME_LENGTH);
    if (!metricName || !Number.isFinite(value)) return;
    const dims = cleanDimensions({ ...this.defaultDimensions, ...dimensions }, metricName);
    const key = JSON.stringify(Object.entries(dims).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    let group = this.groups.get(key);
    if (!group) {
      group = { dimensions: dims, metrics: new Map() };
      this.groups.set(key, group);
    }
    const series = group.metrics.get(metricName);
    if (!series) group.metrics.set(metricName, { unit, values: [value] });
    // Counts are summed (the Sum statistic is what anyone graphs for them); timings keep every value for percentiles.
    else if (series.unit === 'Count' && unit === 'Count') series.values[0] += value;
    else series.values.push(value);
  }
}

/** Drops empty values and names that would collide with the metric's own member at the document root; enforces the limits. */
function cleanDimensions(dimensions: Record<string, string>, metricName: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [rawName, rawValue] of Object.entries(dimensions)) {
    const name = rawName.trim().slice(0, MAX_NAME_LENGTH);
    const value = typeof rawValue === 'string' ? rawValue.slice(0, MAX_DIMENSION_VALUE_LENGTH) : '';
    if (!name || !value || name === metricName || name === '_aws') continue;
    if (Object.keys(out).length >= EMF_MAX_DIMENSIONS) break;
    out[name] = value;
  }
  return out;
}

function documentsOf(group: Group, namespace: string, timestamp: number): Record<string, unknown>[] {
  // Split so that no document has more than 100 metrics or a metric more than 100 values.
  const entries: [string, Series][] = [];
  for (const [name, series] of group.metrics) {
    for (let i = 0; i < series.values.length; i += EMF_MAX_VALUES) entries.push([name, { unit: series.unit, values: series.values.slice(i, i + EMF_MAX_VALUES) }]);
  }
  const documents: Record<string, unknown>[] = [];
  let current: [string, Series][] = [];
  const emit = () => {
    if (current.length === 0) return;
    const document: Record<string, unknown> = {
      _aws: {
        Timestamp: timestamp,
        CloudWatchMetrics: [
          {
            Namespace: namespace,
            Dimensions: [Object.keys(group.dimensions)],
            Metrics: current.map(([name, series]) => ({ Name: name, Unit: series.unit })),
          },
        ],
      },
      ...group.dimensions,
    };
    for (const [name, series] of current) document[name] = series.values.length === 1 ? series.values[0] : series.values;
    documents.push(document);
    current = [];
  };
  for (const entry of entries) {
    // A metric name may appear once per document: a second chunk of the same metric starts a new document.
    if (current.length >= EMF_MAX_METRICS || current.some(([name]) => name === entry[0])) emit();
    current.push(entry);
  }
  emit();
  return documents;
}
