import { clientPackagesOf, codeSizes } from '../../bench/lambda-bundles';

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

describe('codeSizes', () => {
  const output = (bytes: number, imports: { path: string; kind: string; external?: boolean }[], entryPoint?: string) => ({ bytes, imports, ...(entryPoint ? { entryPoint } : {}) });

  it('counts as cold-start code the entry and the chunks it imports statically, transitively, but no import()ed chunk', () => {
    const metafile = {
      inputs: {},
      outputs: {
        'out/index.mjs': output(1000, [
          { path: 'out/chunk-A.mjs', kind: 'import-statement' },
          { path: 'out/chunk-LAZY.mjs', kind: 'dynamic-import' },
          { path: '@aws-sdk/credential-provider-ini', kind: 'dynamic-import', external: true },
        ], 'functions/handlers/lambda/gate.ts'),
        'out/index.mjs.map': output(5000, []),
        'out/chunk-A.mjs': output(100, [{ path: 'out/chunk-B.mjs', kind: 'import-statement' }]),
        'out/chunk-B.mjs': output(10, [{ path: 'out/chunk-A.mjs', kind: 'import-statement' }]),
        'out/chunk-LAZY.mjs': output(300, [{ path: 'out/chunk-A.mjs', kind: 'import-statement' }]),
        'out/chunk-LAZY.mjs.map': output(700, []),
      },
    };
    expect(codeSizes(metafile)).toEqual({ entryBytes: 1000, coldStartBytes: 1110, totalBytes: 1410, mapBytes: 5700 });
  });

  it("takes index.mjs as the entry, not a chunk the entry import()s, which esbuild's metafile also marks as an entry point", () => {
    // esbuild lists the import()ed chunks with `entryPoint` set, and may list one before index.mjs.
    const metafile = {
      inputs: {},
      outputs: {
        'out/chunk-LAZY.mjs': output(300, [{ path: 'out/chunk-A.mjs', kind: 'import-statement' }], 'functions/handlers/scans/completion.ts'),
        'out/chunk-A.mjs': output(100, []),
        'out/index.mjs': output(1000, [{ path: 'out/chunk-A.mjs', kind: 'import-statement' }, { path: 'out/chunk-LAZY.mjs', kind: 'dynamic-import' }], 'functions/handlers/lambda/gate.ts'),
      },
    };
    expect(codeSizes(metafile)).toMatchObject({ entryBytes: 1000, coldStartBytes: 1100, totalBytes: 1400 });
  });

  it('refuses a metafile without an entry output', () => {
    expect(() => codeSizes({ inputs: {}, outputs: { 'out/chunk-A.mjs': output(1, []) } })).toThrow('the metafile names no entry output');
  });
});
