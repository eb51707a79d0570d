import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { coldStartOutputs, type Metafile } from '../../bench/lambda-bundles';
import { bundleFunction, FUNCTION_ENTRY_FILE } from '../../infra/function-bundling';

/**
 * The SDK barrel flattening of the functions' first pass (infra/sdk-barrels.ts), on small packages laid out as the SDK's
 * are (`node_modules/@smithy/<name>/dist-es`, `sideEffects: false`). Each package is a barrel that also re-exports
 * `lazyOnly` (lazy-only.js), which only the function's lazy path uses: esbuild puts that file in the cold start's chunk
 * exactly when the cold path still reaches the barrel, so where `lazy-only.js` of a package lands says whether the
 * import through its barrel was flattened. The bundle is then run: the flattened imports give the same values.
 */
/** A package laid out as the SDK's are, under `dir`/node_modules/@smithy/`name`, its files in dist-es. */
function writePackage(dir: string, name: string, files: Record<string, string>, sideEffects: false | string[] = false): void {
  const root = join(dir, 'node_modules/@smithy', name);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, 'dist-es', file)), { recursive: true });
    writeFileSync(join(root, 'dist-es', file), text);
  }
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: `@smithy/${name}`, version: '1.0.0', module: './dist-es/index.js', sideEffects }));
}

describe('the functions\' bundling past SDK barrels', () => {
  let dir: string;
  let metafile: Metafile;
  let out: string;

  const pkg = (name: string, files: Record<string, string>, sideEffects: false | string[] = false) =>
    writePackage(dir, name, { ...files, 'lazy-only.js': 'export const lazyOnly = () => "lazy";\n' }, sideEffects);

  /** The packages whose barrels the cold path goes through; every index.js also re-exports lazyOnly. */
  const CASES = ['fg-named', 'fg-star', 'fg-mixed', 'fg-twice', 'fg-namespace', 'fg-default', 'fg-effect', 'fg-deep', 'fg-cycle'];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'fargate-gate-sdk-barrels-'));
    const lazyOnly = 'export { lazyOnly } from "./lazy-only";\n';
    // Named re-exports, one renamed (`b as c`), imported under another local name.
    pkg('fg-named', { 'index.js': `export { a, b as c } from "./ab";\n${lazyOnly}`, 'ab.js': 'export const a = "a";\nexport const b = "b";\n' });
    // `export *`, a nested barrel (a renamed named re-export and a further `export *`) and a comment.
    pkg('fg-star', {
      'index.js': `/* a barrel */\nexport * from "./star";\nexport * from "./nested/index";\n${lazyOnly}`,
      'star.js': 'export function s() {\n  return "s";\n}\n',
      'nested/index.js': 'export { deep as deepAlias } from "./deep";\nexport * from "./deeper";\n',
      'nested/deep.js': 'export const deep = "deep";\n',
      'nested/deeper.js': 'export class Deeper {\n  value() {\n    return "deeper";\n  }\n}\n',
    });
    // A module with code of its own that exports an imported binding (`import { m }` then `export { m }`).
    pkg('fg-mixed', {
      'index.js': `import { m } from "./m";\nexport { m };\nexport const own = "own";\n${lazyOnly}`,
      'm.js': 'export const m = "m";\n',
    });
    // One binding found two ways through `export *`: straight, and through a module that re-exports it. The same binding
    // both ways (no ambiguity), all pure: taken from t.js.
    pkg('fg-twice', { 'index.js': `export * from "./t";\nexport * from "./u";\n${lazyOnly}`, 't.js': 'export const t = "t";\n', 'u.js': 'export { t } from "./t";\n' });
    // Imported as a namespace: left as written.
    pkg('fg-namespace', { 'index.js': `export { n } from "./n";\n${lazyOnly}`, 'n.js': 'export const n = "n";\n' });
    // A default export re-exported and imported by name: left as written.
    pkg('fg-default', { 'index.js': `export { default } from "./d";\n${lazyOnly}`, 'd.js': 'export default "d";\n' });
    // A barrel that re-exports a module with side effects: passing it would skip them, so it is left as written.
    pkg('fg-effect', { 'index.js': `export { pure } from "./pure";\nexport * from "./effect";\n${lazyOnly}`, 'pure.js': 'export const pure = "pure";\n', 'effect.js': 'globalThis.fgEffect = "ran";\nexport const effect = 1;\n' }, ['./dist-es/effect.js']);
    // The same a level further: the barrel's modules are all free of side effects by the package.json, but one of them
    // imports a module that has some. Passing the barrel would take that module off the cold path (its side effect would
    // run only when the lazy path loads): left as written.
    pkg('fg-deep', { 'index.js': `export { x } from "./x";\nexport { y } from "./d";\n${lazyOnly}`, 'x.js': 'export const x = "x";\n', 'd.js': 'import "./e";\nexport const y = "y";\n', 'e.js': 'globalThis.fgDeep = "ran";\n' }, ['./dist-es/e.js']);
    // Pure modules that import each other: the check of what the barrel reaches ends, and passes it.
    pkg('fg-cycle', {
      'index.js': `export { c1 } from "./c1";\n${lazyOnly}`,
      'c1.js': 'import { c2 } from "./c2";\nexport const c1 = "c1";\nexport const toC2 = () => c2;\n',
      'c2.js': 'import { c1 } from "./c1";\nexport const c2 = "c2";\nexport const toC1 = () => c1;\n',
    });
    // The importer, an SDK module as the flattening takes (under @smithy, in dist-es).
    pkg('fg-app', {
      'index.js': [
        'import { a, c as cee } from "@smithy/fg-named";',
        'import { s, deepAlias, Deeper } from "@smithy/fg-star";',
        'import {',
        '  m',
        '} from "@smithy/fg-mixed";',
        'import { t } from "@smithy/fg-twice";',
        'import * as ns from "@smithy/fg-namespace";',
        'import { default as d } from "@smithy/fg-default";',
        'import { pure } from "@smithy/fg-effect";',
        'import { x } from "@smithy/fg-deep";',
        'import { c1 } from "@smithy/fg-cycle";',
        'export const coldValues = () => [a, cee, s(), deepAlias, new Deeper().value(), m, t, ns.n, d, pure, globalThis.fgEffect, x, globalThis.fgDeep, c1];',
        '',
      ].join('\n'),
    });
    writeFileSync(
      join(dir, 'entry.mjs'),
      'import { coldValues } from "@smithy/fg-app";\nexport async function handler() {\n  return { cold: coldValues(), lazy: (await import("./lazy.mjs")).lazyValues() };\n}\n',
    );
    writeFileSync(
      join(dir, 'lazy.mjs'),
      // fg-deep's y too: the lazy path makes d.js (and so e.js, which it imports) part of the bundle.
      CASES.map((name, i) => `import { lazyOnly as lazy${i} } from "@smithy/${name}";\n`).join('') +
        'import { y } from "@smithy/fg-deep";\n' +
        `export const lazyValues = () => [${CASES.map((_, i) => `lazy${i}()`).join(', ')}, y];\n`,
    );
    out = join(dir, 'out');
    const built = bundleFunction(join(dir, 'entry.mjs'), out, undefined);
    if (built === false || built.metafile === undefined) throw new Error('esbuild cannot be loaded');
    metafile = built.metafile as Metafile;
  }, 60_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Whether the cold start's files hold the lazy-only module of `name`. */
  const lazyOnlyCold = (name: string) =>
    coldStartOutputs(metafile)
      .flatMap((output) => Object.keys(metafile.outputs![output].inputs ?? {}))
      .some((input) => input.endsWith(`@smithy/${name}/dist-es/lazy-only.js`));

  it('runs, the flattened imports giving the values the barrels give', () => {
    const script = `const m = await import(${JSON.stringify(pathToFileURL(join(out, FUNCTION_ENTRY_FILE)).href)}); console.log(JSON.stringify(await m.handler()));`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { PATH: process.env.PATH } });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({
      // fg-effect's and fg-deep's side effects ran at cold start, as they do without the flattening.
      cold: ['a', 'b', 's', 'deep', 'deeper', 'm', 't', 'n', 'd', 'pure', 'ran', 'x', 'ran', 'c1'],
      lazy: [...CASES.map(() => 'lazy'), 'y'],
    });
  });

  it('takes named, renamed, `export *` and nested re-exports, an exported import, one binding reached two ways and pure modules in a cycle, from the modules that define them: the cold start no longer holds what only the lazy path uses', () => {
    for (const name of ['fg-named', 'fg-star', 'fg-mixed', 'fg-twice', 'fg-cycle']) expect([name, lazyOnlyCold(name)]).toEqual([name, false]);
  });

  it('leaves as written a namespace import, a default export and a barrel that loads a module with side effects, directly or deeper', () => {
    for (const name of ['fg-namespace', 'fg-default', 'fg-effect', 'fg-deep']) expect([name, lazyOnlyCold(name)]).toEqual([name, true]);
  });
});

/**
 * A name that `export *` binds to two different definitions is no export at all (ES), and esbuild fails the build that
 * imports it: the flattening must not choose one, even when one definition is a declaration of several names, which the
 * rewrite cannot read completely.
 */
describe('an SDK barrel whose `export *` binds a name to two different definitions', () => {
  const AMBIGUOUS = /Ambiguous import "z" has multiple matching exports/;
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'fargate-gate-sdk-ambiguous-'));
    const q = 'export const z = "q";\n';
    writePackage(dir, 'fg-two-definitions', { 'index.js': 'export * from "./p";\nexport * from "./q";\n', 'p.js': 'export const z = "p";\n', 'q.js': q });
    writePackage(dir, 'fg-two-declarators', { 'index.js': 'export * from "./p";\nexport * from "./q";\n', 'p.js': 'export const a = "a", z = "p";\n', 'q.js': q });
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(['fg-two-definitions', 'fg-two-declarators'])('%s: the build fails with esbuild\'s own error, as it does without the flattening', (name) => {
    // The importer, an SDK module as the flattening takes.
    writePackage(dir, `${name}-app`, { 'index.js': `import { z } from "@smithy/${name}";\nexport const value = () => z;\n` });
    const entry = join(dir, `${name}.mjs`);
    writeFileSync(entry, `import { value } from "@smithy/${name}-app";\nexport const handler = () => value();\n`);
    // esbuild alone, without the plugin: the error the flattening must keep.
    const plain = () => esbuild.buildSync({ entryPoints: [entry], bundle: true, write: false, format: 'esm', platform: 'node', mainFields: ['module', 'main'], logLevel: 'silent' });
    expect(plain).toThrow(AMBIGUOUS);
    expect(() => bundleFunction(entry, join(dir, `${name}-out`), undefined)).toThrow(AMBIGUOUS);
  });
});

/**
 * The real SDK, bundled as the functions are: a cold path on the ECR client (JSON), lazy paths on S3 (REST-XML, streams,
 * response checksums) and STS (Query), whose protocol code the flattening moved out of the cold start's chunk into
 * theirs. Each path sends a request to a local endpoint and reads the answer, so a binding lost or misplaced by the
 * rewrite would fail the call.
 */
describe('a bundle of the real SDK clients whose lazy paths speak XML and Query', () => {
  let dir: string;
  let metafile: Metafile;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'fargate-gate-sdk-protocols-'));
    // The SDK from the project's node_modules, as the functions' own entries resolve it.
    symlinkSync(join(__dirname, '../../node_modules'), join(dir, 'node_modules'), 'dir');
    writeFileSync(
      join(dir, 'entry.mjs'),
      [
        "import { ECRClient, DescribeImagesCommand } from '@aws-sdk/client-ecr';",
        'export async function handler(endpoint) {',
        "  const config = { endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } };",
        "  const images = await new ECRClient(config).send(new DescribeImagesCommand({ repositoryName: 'app' }));",
        "  const { S3Client, GetObjectCommand } = await import('@aws-sdk/client-s3');",
        "  const object = await new S3Client({ ...config, forcePathStyle: true }).send(new GetObjectCommand({ Bucket: 'reports', Key: 'report.json' }));",
        "  const { STSClient, GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');",
        '  const identity = await new STSClient(config).send(new GetCallerIdentityCommand({}));',
        '  return { digest: images.imageDetails[0].imageDigest, report: await object.Body.transformToString(), account: identity.Account };',
        '}',
        '',
      ].join('\n'),
    );
    const built = bundleFunction(join(dir, 'entry.mjs'), join(dir, 'out'), undefined);
    if (built === false || built.metafile === undefined) throw new Error('esbuild cannot be loaded');
    metafile = built.metafile as Metafile;
  }, 120_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('leaves the XML and Query protocols out of the cold start and bundles them for the lazy paths', () => {
    const inputsOf = (names: string[]) => names.flatMap((name) => Object.keys(metafile.outputs?.[name].inputs ?? {}));
    const cold = inputsOf(coldStartOutputs(metafile));
    const all = inputsOf(Object.keys(metafile.outputs ?? {}));
    for (const module of ['protocols/xml/XmlShapeDeserializer.js', 'protocols/query/AwsQueryProtocol.js']) {
      expect([module, cold.some((input) => input.endsWith(module)), all.some((input) => input.endsWith(module))]).toEqual([module, false, true]);
    }
  });

  it('sends each client\'s request and reads its answer: JSON on the cold path, REST-XML and Query on the lazy ones', () => {
    const script = `
      import { createServer } from 'node:http';
      const server = createServer((req, res) => {
        let body = '';
        req.on('data', (chunk) => { body += chunk; });
        req.on('end', () => {
          if (String(req.headers['x-amz-target']).startsWith('AmazonEC2ContainerRegistry_V20150921.DescribeImages')) {
            res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify({ imageDetails: [{ imageDigest: 'sha256:abc' }] }));
          } else if (req.method === 'GET' && req.url.startsWith('/reports/report.json')) {
            res.writeHead(200, { 'content-type': 'application/json' }).end('{"Results":[]}');
          } else if (req.method === 'POST' && body.includes('Action=GetCallerIdentity')) {
            res.writeHead(200, { 'content-type': 'text/xml' }).end('<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/gate</Arn><UserId>AIDEXAMPLE</UserId><Account>123456789012</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>');
          } else {
            res.writeHead(400, { 'content-type': 'application/json' }).end('{"__type":"Unexpected"}');
          }
        });
      });
      await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { handler } = await import(${JSON.stringify(pathToFileURL(join(dir, 'out', FUNCTION_ENTRY_FILE)).href)});
      console.log(JSON.stringify(await handler('http://127.0.0.1:' + server.address().port)));
      server.close();
    `;
    // The SDK warns on Node.js below 22 (this machine's may be), which is no failure of the bundle: its switch turns it off.
    const env = { PATH: process.env.PATH, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ digest: 'sha256:abc', report: '{"Results":[]}', account: '123456789012' });
  }, 60_000);
});
