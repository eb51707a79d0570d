import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { CodeBuildClient } from '@aws-sdk/client-codebuild';
import type { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { EcrLocation } from '../core/image/reference';
import { clientSettings } from './client-config';
import type { AwsClientsConfig } from './clients';
import { DOCUMENT_CLIENT_TRANSLATE_CONFIG } from './document-client';
import { ecrClientsByLocation } from './ecr-clients';
import { onceAsync } from './once-async';

/**
 * The Lambda functions' SDK clients, each built when a path first asks for it and kept for the execution environment.
 * DynamoDB, ECS and ECR serve the first event of every kind (a task event, a hook invocation), so their packages are
 * imported statically; CodeBuild (a scan to start), S3 (a report to read) and EventBridge (a decision to publish) are
 * needed only on some paths, so their packages are `import()`ed then: a cold start that needs none of them does not
 * load, parse or configure them (the function's bundle puts each in a chunk of its own, infra/function-bundling.ts).
 * The settings are `createAwsClients`' (client-config.ts).
 */
export interface LazyAwsClients {
  dynamo(): DynamoDBDocumentClient;
  ecs(): ECSClient;
  /** ECR client for the registry's region (and FIPS endpoint), cached per location (see `ecrClientsByLocation`). */
  ecrFor(location: EcrLocation): ECRClient;
  codeBuild(): Promise<CodeBuildClient>;
  s3(): Promise<S3Client>;
  eventBridge(): Promise<EventBridgeClient>;
}

export function createLazyAwsClients(config: AwsClientsConfig = {}): LazyAwsClients {
  const settings = clientSettings(config);
  let dynamo: DynamoDBDocumentClient | undefined;
  let ecs: ECSClient | undefined;
  return {
    dynamo: () => (dynamo ??= DynamoDBDocumentClient.from(new DynamoDBClient(settings.common), DOCUMENT_CLIENT_TRANSLATE_CONFIG)),
    ecs: () => (ecs ??= new ECSClient(settings.common)),
    ecrFor: ecrClientsByLocation(settings.common),
    codeBuild: onceAsync(async () => new (await import('@aws-sdk/client-codebuild')).CodeBuildClient(settings.codeBuild)),
    s3: onceAsync(async () => new (await import('@aws-sdk/client-s3')).S3Client(settings.common)),
    eventBridge: onceAsync(async () => new (await import('@aws-sdk/client-eventbridge')).EventBridgeClient(settings.common)),
  };
}
