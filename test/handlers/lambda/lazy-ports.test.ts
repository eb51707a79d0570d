import type { NotifierPort, ReportPort, ScannerPort, VerdictEvent } from '../../../functions/core/ports';
import type { OpenFinding, OpenFindingStore } from '../../../functions/core/posture/open-findings';
import { lazyFindingEvents, lazyKevCatalogue, lazyNotifier, lazyOpenFindings, lazyRegistry, lazyReports, lazyScanner, lazyServiceExposure } from '../../../functions/handlers/lambda/lazy-ports';

describe('the Lambda ports loaded on first use', () => {
  it('loads nothing until a call, then the adapter once, and passes each call and its answer through', async () => {
    const scanner: ScannerPort = { startScan: jest.fn(async () => ({ buildId: 'scan:1' })), getBuildStatuses: jest.fn(async () => [{ buildId: 'scan:1', status: 'SUCCEEDED' as const }]) };
    const load = jest.fn(async () => scanner);
    const port = lazyScanner(load);
    expect(load).not.toHaveBeenCalled();
    const request = { digest: 'sha256:1', imageReference: 'r', scanId: 's', reportKey: 'k' } as never;
    await expect(port.startScan(request)).resolves.toEqual({ buildId: 'scan:1' });
    await expect(port.getBuildStatuses(['scan:1'])).resolves.toEqual([{ buildId: 'scan:1', status: 'SUCCEEDED' }]);
    expect(scanner.startScan).toHaveBeenCalledWith(request);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it("answers a report's location at once, without loading the S3 adapter, as S3Reports does", async () => {
    const reports: ReportPort = { getReport: jest.fn(async () => '{"report":1}'), locationOf: () => 'unused' };
    const load = jest.fn(async () => reports);
    const port = lazyReports('gate-reports', load);
    expect(port.locationOf('reports/sha256/ab/1.json')).toBe('s3://gate-reports/reports/sha256/ab/1.json');
    expect(load).not.toHaveBeenCalled();
    await expect(port.getReport('reports/sha256/ab/1.json')).resolves.toBe('{"report":1}');
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('passes a failure of the adapter on, and loads again after a failed load', async () => {
    const notifier: NotifierPort = { publishVerdict: jest.fn().mockRejectedValue(new Error('PutEvents failed')) };
    const load = jest.fn().mockRejectedValueOnce(new Error('cannot load')).mockResolvedValue(notifier);
    const port = lazyNotifier(load as () => Promise<NotifierPort>);
    const event = {} as VerdictEvent;
    await expect(port.publishVerdict(event)).rejects.toThrow('cannot load');
    await expect(port.publishVerdict(event)).rejects.toThrow('PutEvents failed');
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('finding events and the KEV catalogue go through their adapter too', async () => {
    const publishFinding = jest.fn(async () => undefined);
    await lazyFindingEvents(async () => ({ publishFinding })).publishFinding({} as never);
    expect(publishFinding).toHaveBeenCalledTimes(1);
    await expect(lazyKevCatalogue(async () => ({ read: async () => 'feed' })).read()).resolves.toBe('feed');
  });
});

describe('lazyRegistry', () => {
  it('loads the registry adapter on the first tag to resolve, once, and passes the answer through', async () => {
    const resolveDigest = jest.fn(async () => ({ digest: 'sha256:1' }));
    const load = jest.fn(async () => ({ resolveDigest }));
    const port = lazyRegistry(load);
    expect(load).not.toHaveBeenCalled();
    const reference = { registry: 'r', repository: 'shop/web', tag: '1' } as never;
    await expect(port.resolveDigest(reference)).resolves.toEqual({ digest: 'sha256:1' });
    await port.resolveDigest(reference);
    expect(resolveDigest).toHaveBeenCalledWith(reference);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it("passes the image size on when the adapter reads it, and gives none when it has no imageSize", async () => {
    const reference = { registry: 'r', repository: 'shop/web', digest: 'sha256:1' } as never;
    await expect(lazyRegistry(async () => ({ resolveDigest: async () => undefined, imageSize: async () => 3 * 1024 ** 3 })).imageSize!(reference)).resolves.toBe(3 * 1024 ** 3);
    await expect(lazyRegistry(async () => ({ resolveDigest: async () => undefined })).imageSize!(reference)).resolves.toBeUndefined();
  });
});

describe('the ports only a verdict change calls', () => {
  it('open findings: loads the store on the first call, once, and passes every call, its arguments and its answer through', async () => {
    const open = { digest: 'sha256:1', rule: 'vulnerabilities', id: 'CVE-2026-1', openedAt: '2026-12-07T00:00:00.000Z' } as unknown as OpenFinding;
    const store: OpenFindingStore = {
      listOpenFindings: jest.fn(async () => [open]),
      recordOpenFinding: jest.fn(async () => false),
      closeOpenFinding: jest.fn(async () => true),
    };
    const load = jest.fn(async () => store);
    const port = lazyOpenFindings(load);
    expect(load).not.toHaveBeenCalled();
    await expect(port.listOpenFindings('sha256:1')).resolves.toEqual([open]);
    await expect(port.recordOpenFinding(open, { ifAbsent: true })).resolves.toBe(false);
    await expect(port.closeOpenFinding('sha256:1', { rule: 'vulnerabilities', id: 'CVE-2026-1' } as never, '2026-12-07T00:00:00.000Z')).resolves.toBe(true);
    expect(store.listOpenFindings).toHaveBeenCalledWith('sha256:1');
    expect(store.recordOpenFinding).toHaveBeenCalledWith(open, { ifAbsent: true });
    expect(store.closeOpenFinding).toHaveBeenCalledWith('sha256:1', { rule: 'vulnerabilities', id: 'CVE-2026-1' }, '2026-12-07T00:00:00.000Z');
    expect(load).toHaveBeenCalledTimes(1);
  });

  it("services' exposure: loads the adapter on the first lookup, once, and passes the lookup and its answer through", async () => {
    const networks = [{ service: 'web', loadBalancers: 1, assignPublicIp: 'ENABLED', awsvpc: true }];
    const describeServiceNetworks = jest.fn(async () => networks);
    const load = jest.fn(async () => ({ describeServiceNetworks }));
    const port = lazyServiceExposure(load);
    expect(load).not.toHaveBeenCalled();
    await expect(port.describeServiceNetworks('arn:aws:ecs:eu-west-1:111122223333:cluster/prod', ['web'])).resolves.toBe(networks);
    await port.describeServiceNetworks('arn:aws:ecs:eu-west-1:111122223333:cluster/prod', ['api']);
    expect(describeServiceNetworks).toHaveBeenNthCalledWith(1, 'arn:aws:ecs:eu-west-1:111122223333:cluster/prod', ['web']);
    expect(load).toHaveBeenCalledTimes(1);
  });
});
