import type { createLazyAwsClients as CreateLazyAwsClients } from '../../functions/adapters/lazy-clients';

/**
 * Every SDK client class the lazy clients may build is replaced by a subclass that counts its constructions, and each
 * package's mock factory records that the package was evaluated. Jest evaluates a factory when the module is first
 * required (the `import()` of CodeBuild, S3 and EventBridge compiles to a `require` inside a promise), so "evaluated"
 * is what a cold start would load. Names start with `mock` so jest.mock's hoisting lets the factories read them.
 */
const mockBuilt: Record<string, number> = {};
const mockEvaluated = new Set<string>();

function mockCountingPackage(packageName: string, className: string): Record<string, unknown> {
  mockEvaluated.add(packageName);
  const actual = jest.requireActual<Record<string, unknown>>(packageName);
  const Actual = actual[className] as new (...args: unknown[]) => object;
  const Counted = class extends Actual {
    constructor(...args: unknown[]) {
      super(...args);
      mockBuilt[className] = (mockBuilt[className] ?? 0) + 1;
    }
  };
  return { ...actual, [className]: Counted };
}

jest.mock('@aws-sdk/client-dynamodb', () => mockCountingPackage('@aws-sdk/client-dynamodb', 'DynamoDBClient'));
jest.mock('@aws-sdk/client-ecs', () => mockCountingPackage('@aws-sdk/client-ecs', 'ECSClient'));
jest.mock('@aws-sdk/client-ecr', () => mockCountingPackage('@aws-sdk/client-ecr', 'ECRClient'));
jest.mock('@aws-sdk/client-codebuild', () => mockCountingPackage('@aws-sdk/client-codebuild', 'CodeBuildClient'));
jest.mock('@aws-sdk/client-s3', () => mockCountingPackage('@aws-sdk/client-s3', 'S3Client'));
jest.mock('@aws-sdk/client-eventbridge', () => mockCountingPackage('@aws-sdk/client-eventbridge', 'EventBridgeClient'));

const LAZY_PACKAGES = ['@aws-sdk/client-codebuild', '@aws-sdk/client-s3', '@aws-sdk/client-eventbridge'];

/** The module loaded afresh (a new module registry), with no client built and no package evaluated yet. */
function freshLazyClients(): typeof CreateLazyAwsClients {
  jest.resetModules();
  for (const key of Object.keys(mockBuilt)) delete mockBuilt[key];
  mockEvaluated.clear();
  return (jest.requireActual('../../functions/adapters/lazy-clients') as { createLazyAwsClients: typeof CreateLazyAwsClients }).createLazyAwsClients;
}

describe('createLazyAwsClients', () => {
  it('builds no client when the module loads or the factory runs, and loads no path-only package', () => {
    const createLazyAwsClients = freshLazyClients();
    createLazyAwsClients({ region: 'eu-west-1', maxAttempts: 5 });
    expect(mockBuilt).toEqual({});
    // DynamoDB, ECS and ECR are imported statically by design (every first event needs them); the others are not.
    expect(LAZY_PACKAGES.filter((name) => mockEvaluated.has(name))).toEqual([]);
  });

  it('builds each client once, on first use, with the settings createAwsClients gives: fewer attempts for CodeBuild', async () => {
    const clients = freshLazyClients()({ region: 'eu-west-1', maxAttempts: 5 });
    expect(clients.dynamo()).toBe(clients.dynamo());
    expect(mockBuilt).toEqual({ DynamoDBClient: 1 });
    expect(clients.ecs()).toBe(clients.ecs());
    expect(mockBuilt).toEqual({ DynamoDBClient: 1, ECSClient: 1 });
    expect(await clients.ecs().config.maxAttempts()).toBe(5);
    expect(((await clients.ecs().config.retryStrategy()) as { mode?: string }).mode).toBe('standard');
    expect(LAZY_PACKAGES.filter((name) => mockEvaluated.has(name))).toEqual([]);

    const [codeBuild, again] = await Promise.all([clients.codeBuild(), clients.codeBuild()]);
    expect(codeBuild).toBeInstanceOf(jest.requireActual<typeof import('@aws-sdk/client-codebuild')>('@aws-sdk/client-codebuild').CodeBuildClient);
    expect(again).toBe(codeBuild);
    expect(await clients.codeBuild()).toBe(codeBuild);
    expect(mockBuilt.CodeBuildClient).toBe(1);
    expect(mockEvaluated.has('@aws-sdk/client-codebuild')).toBe(true);
    expect(mockEvaluated.has('@aws-sdk/client-s3') || mockEvaluated.has('@aws-sdk/client-eventbridge')).toBe(false);
    expect(await codeBuild.config.maxAttempts()).toBe(2);

    const s3 = await clients.s3();
    expect(s3).toBeInstanceOf(jest.requireActual<typeof import('@aws-sdk/client-s3')>('@aws-sdk/client-s3').S3Client);
    expect(await clients.s3()).toBe(s3);
    expect(await s3.config.maxAttempts()).toBe(5);
    const eventBridge = await clients.eventBridge();
    expect(eventBridge).toBeInstanceOf(jest.requireActual<typeof import('@aws-sdk/client-eventbridge')>('@aws-sdk/client-eventbridge').EventBridgeClient);
    expect(await clients.eventBridge()).toBe(eventBridge);
    expect(await eventBridge.config.region()).toBe('eu-west-1');
    expect(mockBuilt).toEqual({ DynamoDBClient: 1, ECSClient: 1, CodeBuildClient: 1, S3Client: 1, EventBridgeClient: 1 });
  });

  it('builds one ECR client per registry region and FIPS setting, when first asked for', async () => {
    const clients = freshLazyClients()({ region: 'eu-west-1', maxAttempts: 5 });
    expect(mockBuilt.ECRClient).toBeUndefined();
    const here = clients.ecrFor({ region: 'eu-west-1', fips: false } as never);
    expect(clients.ecrFor({ region: 'eu-west-1', fips: false } as never)).toBe(here);
    expect(mockBuilt.ECRClient).toBe(1);
    const fips = clients.ecrFor({ region: 'us-east-2', fips: true } as never);
    expect(fips).not.toBe(here);
    expect(mockBuilt.ECRClient).toBe(2);
    expect(await fips.config.useFipsEndpoint()).toBe(true);
  });
});
