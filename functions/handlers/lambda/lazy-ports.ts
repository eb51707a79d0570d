import type { FindingEventPort, ServiceExposurePort } from '../../core/posture/drift-ports';
import type { OpenFindingStore } from '../../core/posture/open-findings';
import type { NotifierPort, RegistryPort, ReportPort, ScannerPort } from '../../core/ports';
import { onceAsync } from '../../adapters/once-async';
import { s3Location } from '../../adapters/s3-location';
import type { KevCatalogueReader } from '../kev/catalogue-source';

/**
 * Ports whose adapter (and the SDK client under it) is loaded on the first call, for the Lambda functions: starting a
 * scan (CodeBuild), reading a report (S3), publishing a decision or a finding (EventBridge) and reading the KEV
 * catalogue (S3) are each needed on some paths only, and a cold start should not pay for the others. `load` runs once
 * (`onceAsync`: a failed load is tried again on the next call); every call waits for it, then goes to the adapter.
 */
export function lazyScanner(load: () => Promise<ScannerPort>): ScannerPort {
  const adapter = onceAsync(load);
  return {
    startScan: async (request) => (await adapter()).startScan(request),
    getBuildStatuses: async (buildIds) => (await adapter()).getBuildStatuses(buildIds),
  };
}

/** `locationOf` needs no client: it answers at once, as `S3Reports.locationOf` does, before anything is loaded. */
export function lazyReports(bucket: string, load: () => Promise<ReportPort>): ReportPort {
  const adapter = onceAsync(load);
  return {
    getReport: async (reportKey) => (await adapter()).getReport(reportKey),
    locationOf: (reportKey) => s3Location(bucket, reportKey),
  };
}

export function lazyNotifier(load: () => Promise<NotifierPort>): NotifierPort {
  const adapter = onceAsync(load);
  return { publishVerdict: async (event) => (await adapter()).publishVerdict(event) };
}

export function lazyFindingEvents(load: () => Promise<FindingEventPort>): FindingEventPort {
  const adapter = onceAsync(load);
  return { publishFinding: async (event) => (await adapter()).publishFinding(event) };
}

export function lazyKevCatalogue(load: () => Promise<KevCatalogueReader>): KevCatalogueReader {
  const adapter = onceAsync(load);
  return { read: async () => (await adapter()).read() };
}

/**
 * The registry (ECR DescribeImages) loaded on the first tag to resolve: the hook function's revisions normally carry
 * their digests (a service revision's containerImages[].imageDigest), so its cold start does not load the ECR client.
 */
export function lazyRegistry(load: () => Promise<RegistryPort>): RegistryPort {
  const adapter = onceAsync(load);
  return {
    resolveDigest: async (reference) => (await adapter()).resolveDigest(reference),
    // Optional on the port: an adapter without it gives no size, as a registry without it does.
    imageSize: async (reference) => {
      const registry = await adapter();
      return registry.imageSize ? registry.imageSize(reference) : undefined;
    },
  };
}

/**
 * The open-findings store (DynamoDB), loaded on the first verdict change that opens or resolves a finding: the first
 * event of a task whose verdict does not change never calls it.
 */
export function lazyOpenFindings(load: () => Promise<OpenFindingStore>): OpenFindingStore {
  const adapter = onceAsync(load);
  return {
    listOpenFindings: async (digest) => (await adapter()).listOpenFindings(digest),
    recordOpenFinding: async (open, options) => (await adapter()).recordOpenFinding(open, options),
    closeOpenFinding: async (digest, finding, openedAt) => (await adapter()).closeOpenFinding(digest, finding, openedAt),
  };
}

/** The services' exposure (ECS DescribeServices), loaded when a finding first opens (handlers/posture/use-exposure.ts). */
export function lazyServiceExposure(load: () => Promise<ServiceExposurePort>): ServiceExposurePort {
  const adapter = onceAsync(load);
  return { describeServiceNetworks: async (cluster, services) => (await adapter()).describeServiceNetworks(cluster, services) };
}
