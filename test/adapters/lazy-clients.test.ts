import { CodeBuildClient } from '@aws-sdk/client-codebuild';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { createLazyAwsClients } from '../../functions/adapters/lazy-clients';

describe('createLazyAwsClients', () => {
  const clients = createLazyAwsClients({ region: 'eu-west-1', maxAttempts: 5 });

  it('builds each client once, on first use, with the settings createAwsClients gives: fewer attempts for CodeBuild', async () => {
    expect(clients.dynamo()).toBe(clients.dynamo());
    expect(clients.ecs()).toBe(clients.ecs());
    expect(await clients.ecs().config.maxAttempts()).toBe(5);
    expect(((await clients.ecs().config.retryStrategy()) as { mode?: string }).mode).toBe('standard');
    const [codeBuild, again] = await Promise.all([clients.codeBuild(), clients.codeBuild()]);
    expect(codeBuild).toBeInstanceOf(CodeBuildClient);
    expect(again).toBe(codeBuild);
    expect(await codeBuild.config.maxAttempts()).toBe(2);
    const s3 = await clients.s3();
    expect(s3).toBeInstanceOf(S3Client);
    expect(await s3.config.maxAttempts()).toBe(5);
    const eventBridge = await clients.eventBridge();
    expect(eventBridge).toBeInstanceOf(EventBridgeClient);
    expect(await eventBridge.config.region()).toBe('eu-west-1');
  });

  it('builds one ECR client per registry region and FIPS setting', async () => {
    const here = clients.ecrFor({ region: 'eu-west-1', fips: false } as never);
    expect(clients.ecrFor({ region: 'eu-west-1', fips: false } as never)).toBe(here);
    const fips = clients.ecrFor({ region: 'us-east-2', fips: true } as never);
    expect(fips).not.toBe(here);
    expect(await fips.config.useFipsEndpoint()).toBe(true);
  });
});
