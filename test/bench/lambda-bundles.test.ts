import { bareClientsEntry, clientPackagesOf } from '../../bench/lambda-bundles';

describe('clientPackagesOf', () => {
  it('names each AWS SDK client package of a metafile once, sorted, and nothing else', () => {
    const metafile = {
      inputs: {
        'node_modules/@aws-sdk/client-s3/dist-es/S3Client.js': {},
        'node_modules/@aws-sdk/client-s3/dist-es/commands/GetObjectCommand.js': {},
        'node_modules/@aws-sdk/client-dynamodb/dist-es/DynamoDBClient.js': {},
        'node_modules/@aws-sdk/lib-dynamodb/dist-es/DynamoDBDocumentClient.js': {},
        'node_modules/@aws-sdk/nested-clients/dist-es/submodules/sts/STSClient.js': {},
        '../other/node_modules/@aws-sdk/client-ecs/dist-es/ECSClient.js': {},
        'functions/adapters/client-s3-notes.ts': {},
      },
    };
    expect(clientPackagesOf(metafile)).toEqual(['@aws-sdk/client-dynamodb', '@aws-sdk/client-ecs', '@aws-sdk/client-s3']);
  });
});

describe('bareClientsEntry', () => {
  it('exports exactly the client class of each package', () => {
    expect(bareClientsEntry(['@aws-sdk/client-ecs', '@aws-sdk/client-s3'], { '@aws-sdk/client-ecs': 'ECSClient', '@aws-sdk/client-s3': 'S3Client' })).toBe(
      "export { ECSClient } from '@aws-sdk/client-ecs';\nexport { S3Client } from '@aws-sdk/client-s3';\n",
    );
  });

  it('refuses a package whose client class is unknown rather than leave it out of the baseline', () => {
    expect(() => bareClientsEntry(['@aws-sdk/client-ecr'], {})).toThrow('no client class known for @aws-sdk/client-ecr');
  });
});
