import { createAwsClients } from '../../functions/adapters/clients';

describe('createAwsClients', () => {
  const clients = createAwsClients({ region: 'eu-west-1', maxAttempts: 5, codeBuildMaxAttempts: 2 });
  afterAll(() => clients.destroy());

  it('configures retries: standard mode, fewer attempts for CodeBuild', async () => {
    expect(await clients.ecs.config.maxAttempts()).toBe(5);
    expect(((await clients.ecs.config.retryStrategy()) as { mode?: string }).mode).toBe('standard');
    expect(await clients.s3.config.maxAttempts()).toBe(5);
    expect(await clients.codeBuild.config.maxAttempts()).toBe(2);
    expect(await clients.eventBridge.config.region()).toBe('eu-west-1');
  });

  it('builds one ECR client per registry region and FIPS setting', async () => {
    const here = clients.ecrFor({ region: 'eu-west-1', fips: false });
    expect(clients.ecrFor({ region: 'eu-west-1', fips: false })).toBe(here);
    const there = clients.ecrFor({ region: 'us-east-2', fips: false });
    expect(there).not.toBe(here);
    expect(await there.config.region()).toBe('us-east-2');
    const fips = clients.ecrFor({ region: 'us-east-2', fips: true });
    expect(fips).not.toBe(there);
    expect(await fips.config.useFipsEndpoint()).toBe(true);
  });

  it('defaults to four attempts', async () => {
    const defaults = createAwsClients({ region: 'eu-west-1' });
    try {
      expect(await defaults.ecs.config.maxAttempts()).toBe(4);
      expect(await defaults.codeBuild.config.maxAttempts()).toBe(2);
    } finally {
      defaults.destroy();
    }
  });
});
