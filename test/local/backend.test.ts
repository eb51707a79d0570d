import { ReportMissingError } from '../../functions/core/ports';
import { LocalBackend } from '../../functions/local/backend';
import { ManualClock } from '../../functions/local/clock';
import { REGISTRY } from './helpers';

describe('LocalBackend ports', () => {
  it('answers DescribeTaskDefinition once per revision as an AWS call, then from memory', async () => {
    const backend = new LocalBackend();
    const first = backend.taskDefinitions.register({ family: 'app', containerDefinitions: [{ name: 'a', image: `${REGISTRY}/a:1` }] }, 'test');
    const second = backend.taskDefinitions.register({ family: 'app', containerDefinitions: [{ name: 'a', image: `${REGISTRY}/a:2`, user: '1000' }] }, 'test');
    expect([first.revision, second.revision]).toEqual([1, 2]);
    expect(backend.taskDefinitions.resolve('app')).toBe(second.arn);
    expect(backend.taskDefinitions.resolve('app:1')).toBe(first.arn);
    await backend.taskDefinitions.get(second.arn as string);
    const spec = await backend.taskDefinitions.get(second.arn as string);
    expect(spec.containers[0]).toMatchObject({ image: `${REGISTRY}/a:2`, user: '1000' });
    expect(backend.activity.counts()).toEqual({ byMethod: { 'taskDefinitions.get': 2 }, aws: 1 });
    await expect(backend.taskDefinitions.get('arn:aws:ecs:us-east-1:111122223333:task-definition/nope:1')).rejects.toThrow('Unable to describe task definition.');
    expect(() => backend.taskDefinitions.register({ family: 'app', revision: 2, containerDefinitions: [{ name: 'a', image: 'x' }] }, 'dup')).toThrow(/registered twice/);
  });

  it('serves reports from the bucket and says which object is missing', async () => {
    const backend = new LocalBackend({ reportBucket: 'reports-bucket' });
    backend.reports.put('reports/a.json', '{}');
    expect(await backend.reports.getReport('reports/a.json')).toBe('{}');
    expect(backend.reports.locationOf('reports/a.json')).toBe('s3://reports-bucket/reports/a.json');
    await expect(backend.reports.getReport('reports/b.json')).rejects.toBeInstanceOf(ReportMissingError);
  });

  it('records each verdict event as a notify action, and metrics without counting them as AWS calls', async () => {
    const backend = new LocalBackend();
    const event = { decision: 'fail' as const, mode: 'enforce' as const, action: 'stopTask' as const, rules: ['rootUser'], policy: { name: 'p', hash: 'h' }, images: [], violations: [] };
    await backend.ports.notifier.publishVerdict(event);
    backend.ports.metrics.count('Events', 2, { kind: 'sweep' });
    backend.ports.metrics.count('Events');
    expect(backend.notifier.published).toEqual([event]);
    expect(backend.activity.actions).toEqual([{ type: 'notify', at: '2026-01-05T09:00:00.000Z', event }]);
    expect(backend.metrics.total('Events')).toBe(3);
    expect(backend.activity.awsCallTotal()).toBe(1);
  });

  it('counts but does not keep actions when told to (long benchmark replays)', async () => {
    const backend = new LocalBackend({ keepActions: false });
    await backend.ports.notifier.publishVerdict({ decision: 'pass', mode: 'enforce', action: 'none', rules: [], policy: { name: 'p', hash: 'h' }, images: [], violations: [] });
    expect(backend.activity.actions).toEqual([]);
    expect(backend.activity.actionCount('notify')).toBe(1);
  });

  it('refuses to launch tasks before a simulation drives time', () => {
    const backend = new LocalBackend();
    const arn = backend.taskDefinitions.register({ family: 'app', containerDefinitions: [{ name: 'a', image: `${REGISTRY}/a:1` }] }, 'test').arn as string;
    expect(() => backend.ecs.launchTask({ cluster: 'prod', taskDefinitionArn: arn })).toThrow(/no simulation/);
  });
});

describe('ManualClock', () => {
  it('moves only forward, and only when told', () => {
    const clock = new ManualClock('2026-01-05T09:00:00Z');
    clock.advance(1500);
    expect(clock.now().toISOString()).toBe('2026-01-05T09:00:01.500Z');
    clock.advanceTo(0);
    expect(clock.millis()).toBe(Date.parse('2026-01-05T09:00:01.500Z'));
    expect(() => clock.advance(-1)).toThrow(/backwards/);
    expect(() => new ManualClock('not a date')).toThrow(/invalid start/);
  });
});
