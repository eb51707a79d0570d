import { CodeBuildClient } from '@aws-sdk/client-codebuild';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { EcrLocation } from '../core/image/reference';
import { clientSettings } from './client-config';
import { DOCUMENT_CLIENT_TRANSLATE_CONFIG } from './document-client';
import { ecrClientsByLocation } from './ecr-clients';

// In modules of their own, which import no other client package: the Lambda functions' lazy clients use them too.
export { DOCUMENT_CLIENT_TRANSLATE_CONFIG } from './document-client';
export { ecrClientsByLocation } from './ecr-clients';

/**
 * The SDK clients the gate's Lambda functions use, built once per execution environment (create them at
 * module scope, outside the handler) so connections and credentials are reused across invocations.
 */

export interface AwsClientsConfig {
  /** Region of the gate; defaults to the Lambda environment's (`AWS_REGION`) through the SDK's own chain. */
  region?: string;
  /**
   * Attempts per call, first included, for every client except CodeBuild (SDK "standard" retry mode: capped
   * exponential back-off with jitter, throttling and transient errors only). Default 4.
   */
  maxAttempts?: number;
  /**
   * Attempts for CodeBuild. Kept low (default 2): a refused StartBuild becomes a `ScanCapacityError` and the
   * scan is queued with a retry time, which is cheaper than holding the function while CodeBuild is full.
   */
  codeBuildMaxAttempts?: number;
  /** TCP connect timeout, ms. Default 3000. */
  connectionTimeoutMs?: number;
  /** Socket idle timeout per request, ms. Default 30000 (a large report download keeps the socket busy, not idle). */
  requestTimeoutMs?: number;
}

export interface AwsClients {
  dynamo: DynamoDBDocumentClient;
  ecs: ECSClient;
  /** ECR client for the registry's region (and FIPS endpoint), cached per region: references may name another region. */
  ecrFor(location: Pick<EcrLocation, 'region' | 'fips'>): ECRClient;
  codeBuild: CodeBuildClient;
  s3: S3Client;
  eventBridge: EventBridgeClient;
  /** Closes every client's sockets (tests, scripts); a Lambda never needs to. */
  destroy(): void;
}

export function createAwsClients(config: AwsClientsConfig = {}): AwsClients {
  const { common, codeBuild: codeBuildSettings } = clientSettings(config);
  const dynamoRaw = new DynamoDBClient(common);
  const ecs = new ECSClient(common);
  const codeBuild = new CodeBuildClient(codeBuildSettings);
  const s3 = new S3Client(common);
  const eventBridge = new EventBridgeClient(common);
  const ecrFor = ecrClientsByLocation(common);

  return {
    dynamo: DynamoDBDocumentClient.from(dynamoRaw, DOCUMENT_CLIENT_TRANSLATE_CONFIG),
    ecs,
    ecrFor,
    codeBuild,
    s3,
    eventBridge,
    destroy() {
      for (const client of [dynamoRaw, ecs, codeBuild, s3, eventBridge]) client.destroy();
      ecrFor.destroyAll();
    },
  };
}
