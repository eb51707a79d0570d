import type { AwsClientsConfig } from './clients';

/**
 * The settings every SDK client of the gate is built with, from `AwsClientsConfig` (see there for the defaults), in a
 * module of its own that imports no SDK package: the Lambda functions build each client when a path first needs it
 * (lazy-clients.ts), with the same settings `createAwsClients` uses.
 */
export interface ClientSettings {
  region: string | undefined;
  retryMode: 'standard';
  maxAttempts: number;
  requestHandler: { connectionTimeout: number; requestTimeout: number };
}

export function clientSettings(config: AwsClientsConfig = {}): { common: ClientSettings; codeBuild: ClientSettings } {
  const common: ClientSettings = {
    region: config.region,
    retryMode: 'standard',
    maxAttempts: config.maxAttempts ?? 4,
    requestHandler: { connectionTimeout: config.connectionTimeoutMs ?? 3000, requestTimeout: config.requestTimeoutMs ?? 30000 },
  };
  // CodeBuild gets fewer attempts: a refused StartBuild is queued as a ScanCapacityError instead (AwsClientsConfig).
  return { common, codeBuild: { ...common, maxAttempts: config.codeBuildMaxAttempts ?? 2 } };
}
