import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DASHBOARD_GRAPHS } from '../../infra/dashboard';
import { synthGate } from '../support/gate-stack';

/*
 * The dashboard against the code: every metric a widget draws is one a handler emits (`metrics.count('Name'...)`,
 * `metrics.timing('Name'...)`, read from functions/ here, not copied), with the dimension the widget searches by. A
 * renamed metric would otherwise leave an empty graph nobody notices.
 */

const FUNCTIONS = resolve(__dirname, '../../functions');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** The text between the parenthesis at `open` and its match. */
function argumentsAt(text: string, open: number): string {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return text.slice(open + 1, i);
  }
  return text.slice(open + 1);
}

/** Metric name -> the dimension keys it is emitted with (`''` for none), from every `.count(...)` and `.timing(...)` call in functions/. */
function emittedMetrics(): Map<string, Set<string>> {
  const emitted = new Map<string, Set<string>>();
  for (const file of sources(FUNCTIONS)) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/\.(?:count|timing)\(\s*'([A-Za-z]+)'/g)) {
      const args = argumentsAt(text, match.index + match[0].indexOf('('));
      // The dimensions are the object literal among the arguments (the third): its first key, written `{ key: value }` or
      // as a shorthand `{ key }`.
      const dimension = /\{\s*([A-Za-z]+)\s*[:,}]/.exec(args)?.[1] ?? '';
      const keys = emitted.get(match[1]) ?? new Set<string>();
      keys.add(dimension);
      emitted.set(match[1], keys);
    }
  }
  return emitted;
}

/** The dashboard body with its CloudFormation references flattened to text. */
function dashboardBody(): string {
  const resources = synthGate().template.toJSON().Resources as Record<string, { Type: string; Properties: { DashboardBody: unknown } }>;
  const dashboards = Object.values(resources).filter((resource) => resource.Type === 'AWS::CloudWatch::Dashboard');
  expect(dashboards).toHaveLength(1);
  const flatten = (value: unknown): string =>
    typeof value === 'string' ? value : Array.isArray(value) ? value.map(flatten).join('') : value && typeof value === 'object' && 'Fn::Join' in value ? flatten((value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1]) : '<ref>';
  return flatten(dashboards[0].Properties.DashboardBody);
}

/** Metrics the dashboard draws: `[namespace, name, ...]` rows and SEARCH expressions, with the dimension searched by. */
function drawnMetrics(body: string): { name: string; dimension: string }[] {
  const widgets = (JSON.parse(body) as { widgets: { properties: { metrics?: unknown[][] } }[] }).widgets;
  const drawn: { name: string; dimension: string }[] = [];
  for (const widget of widgets) {
    for (const row of widget.properties.metrics ?? []) {
      const options = row.find((item) => typeof item === 'object') as { expression?: string } | undefined;
      if (options?.expression) {
        const search = /^SEARCH\('\{FargateGate,([A-Za-z]+)\} MetricName="([A-Za-z]+)"', '[A-Za-z0-9]+', \d+\)$/.exec(options.expression);
        expect({ expression: options.expression, parsed: search !== null }).toEqual({ expression: options.expression, parsed: true });
        drawn.push({ name: search![2], dimension: search![1] });
      } else if (row[0] === 'FargateGate') {
        drawn.push({ name: String(row[1]), dimension: typeof row[2] === 'string' ? String(row[2]) : '' });
      }
    }
  }
  return drawn;
}

describe('the CloudWatch dashboard', () => {
  const body = dashboardBody();
  const drawn = drawnMetrics(body);
  const emitted = emittedMetrics();

  it('reads the emitted metrics from the source (the reader itself finds known ones, with their dimensions)', () => {
    expect(emitted.get('TaskDecisions')).toEqual(new Set(['decision']));
    // Per compute (scanProject, ec2Fallback): scans that overflowed Lambda compute show beside the others.
    expect(emitted.get('ScansStarted')).toEqual(new Set(['compute']));
    expect(emitted.get('ImagesInUseFailing')).toEqual(new Set(['']));
    expect(emitted.get('EnforcementActions')).toEqual(new Set(['action']));
    expect(emitted.get('DriftFindingsOpened')).toEqual(new Set(['']));
    expect(emitted.get('FindingEvents')).toEqual(new Set(['state']));
  });

  it('draws lost finding events and re-judgements by kind (sbom or image scan)', () => {
    expect(drawn).toContainEqual(expect.objectContaining({ name: 'FindingEventsLost', dimension: '' }));
    expect(drawn).toContainEqual(expect.objectContaining({ name: 'Rejudgements', dimension: 'kind' }));
  });

  it('draws scans, verdicts by decision, enforcement actions, images in use that fail, drift, time to verdict and DLQ depth', () => {
    const names = new Set(drawn.map((metric) => metric.name));
    for (const name of ['ScansStarted', 'TaskDecisions', 'EnforcementActions', 'ImagesInUseFailing', 'DriftFindingsOpened', 'DecisionLatency']) expect(names).toContain(name);
    expect(body.match(/"AWS\/SQS","ApproximateNumberOfMessagesVisible"/g)).toHaveLength(2);
  });

  it("draws the longest QUEUED phase of each scan project's builds (CodeBuild QueuedDuration): with the EC2 fallback both projects, on EC2 compute the scan project alone", () => {
    const queuedLines = (props: Parameters<typeof synthGate>[0]) => {
      const resources = synthGate(props).template.toJSON().Resources as Record<string, { Type: string; Properties: { DashboardBody: unknown } }>;
      const dashboard = JSON.stringify(Object.values(resources).find((resource) => resource.Type === 'AWS::CloudWatch::Dashboard')?.Properties.DashboardBody);
      return dashboard.match(/QueuedDuration/g)?.length ?? 0;
    };
    expect(queuedLines({ scanCompute: { mode: 'lambda' } })).toBe(2);
    expect(queuedLines({ scanCompute: { mode: 'ec2' } })).toBe(1);
  });

  it('draws only metrics the code emits, each with a dimension set it is emitted with', () => {
    const wrong = drawn
      .filter((metric) => !emitted.get(metric.name)?.has(metric.dimension))
      .map((metric) => `${metric.name}{${metric.dimension}} (emitted with: ${[...(emitted.get(metric.name) ?? [])].map((d) => `{${d}}`).join(' ') || 'never'})`);
    expect(wrong).toEqual([]);
  });

  it('lays every graph out half-width and 6 high, two a row, its left axis from 0 labelled with its unit', () => {
    const widgets = (JSON.parse(body) as { widgets: { type: string; width: number; height: number; x: number; y: number; properties: { title: string; yAxis: unknown } }[] }).widgets;
    const units = [...DASHBOARD_GRAPHS.map((graph) => graph.unit), 'messages', 'seconds'];
    expect(widgets.map(({ type, width, height, x, y, properties }) => ({ type, width, height, x, y, title: properties.title, yAxis: properties.yAxis }))).toEqual(
      [...DASHBOARD_GRAPHS.map((graph) => graph.title), 'Dead-letter queue depth', 'Scan builds queued in CodeBuild (longest QUEUED phase)'].map((title, index) => ({
        type: 'metric',
        width: 12,
        height: 6,
        x: (index % 2) * 12,
        y: Math.floor(index / 2) * 6,
        title,
        yAxis: { left: { label: units[index], showUnits: false, min: 0 } },
      })),
    );
  });
});
