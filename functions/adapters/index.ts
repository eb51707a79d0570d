import type { Clock, EcsPort, GateStore, NotifierPort, RegistryPort, ScannerPort, TaskDefinitionPort } from '../core/ports';
import { createAwsClients, type AwsClients, type AwsClientsConfig } from './clients';
import { CodeBuildScanner } from './codebuild';
import { DynamoGateStore, type StoreRetention } from './dynamo-gate-store';
import { EcrRegistry } from './ecr';
import { EcsGate, EcsTaskDefinitions } from './ecs';
import { EventBridgeNotifier } from './eventbridge';
import { S3Reports } from './s3-reports';

export * from './aws-errors';
export * from './clients';
export * from './codebuild';
export * from './dynamo-gate-store';
export * from './dynamo-items';
export * from './dynamo-table';
export * from './ecr';
export * from './ecs';
export * from './ecs-task-listing';
export * from './dynamo-inventory';
export * from './dynamo-inventory-items';
export * from './eventbridge';
export * from './item-size';
export * from './s3-reports';
export * from './scan-build-env';

export interface AwsPortsConfig {
  tableName: string;
  reportBucket: string;
  /** Key prefix of the raw reports in the bucket (see `S3Reports.keyFor`). */
  reportPrefix?: string;
  scanProjectName: string;
  /** The EC2 fallback project of a scan project on Lambda compute (CodeBuildScanner `fallbackProjectName`). */
  fallbackScanProjectName?: string;
  eventBusName: string;
  region?: string;
  /** Client settings (retries, timeouts); ignored when `clients` is given. */
  clientOptions?: Omit<AwsClientsConfig, 'region'>;
  /** Clients to reuse, e.g. built once at module scope; created from `region` and `clientOptions` otherwise. */
  clients?: AwsClients;
  clock?: Clock;
  retention?: Partial<StoreRetention>;
  /** Largest report read (S3Reports); DEFAULT_MAX_REPORT_BYTES when not given. */
  maxReportBytes?: number;
}

export interface AwsPorts {
  store: GateStore;
  ecs: EcsPort;
  taskDefinitions: TaskDefinitionPort;
  registry: RegistryPort;
  scanner: ScannerPort;
  reports: S3Reports;
  notifier: NotifierPort;
  clients: AwsClients;
}

/**
 * Every port on AWS, for the Lambda entry points. Call it once at module scope: the clients, their
 * connections and the task-definition cache then live as long as the execution environment.
 */
export function createAwsPorts(config: AwsPortsConfig): AwsPorts {
  const missing = (['tableName', 'reportBucket', 'scanProjectName', 'eventBusName'] as const).filter((name) => !config[name]);
  if (missing.length > 0) throw new Error(`createAwsPorts: missing ${missing.join(', ')}`);
  const clients = config.clients ?? createAwsClients({ ...config.clientOptions, region: config.region });
  return {
    store: new DynamoGateStore({ client: clients.dynamo, tableName: config.tableName, clock: config.clock, retention: config.retention }),
    ecs: new EcsGate({ client: clients.ecs }),
    taskDefinitions: new EcsTaskDefinitions({ client: clients.ecs }),
    registry: new EcrRegistry({ clientFor: (location) => clients.ecrFor(location) }),
    scanner: new CodeBuildScanner({ client: clients.codeBuild, projectName: config.scanProjectName, ...(config.fallbackScanProjectName ? { fallbackProjectName: config.fallbackScanProjectName } : {}) }),
    reports: new S3Reports({ client: clients.s3, bucket: config.reportBucket, prefix: config.reportPrefix, maxReportBytes: config.maxReportBytes }),
    notifier: new EventBridgeNotifier({ client: clients.eventBridge, eventBusName: config.eventBusName }),
    clients,
  };
}
