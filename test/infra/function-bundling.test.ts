import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { coldStartOutputs, type Metafile } from '../../bench/lambda-bundles';
import { FUNCTION_EXTERNAL_MODULES } from '../../infra/bundling';
import { bundleFunction, FIRST_PASS_DIR, FUNCTION_ENTRY_FILE } from '../../infra/function-bundling';
import { GATE_HANDLER_ENTRY, HOOK_HANDLER_ENTRY } from '../../infra/paths';

const ROOT = resolve(__dirname, '../..');

// The real spawnSync, unless a test says otherwise (a process killed by a signal, below).
jest.mock('node:child_process', () => {
  const actual = jest.requireActual<typeof import('node:child_process')>('node:child_process');
  return { ...actual, spawnSync: jest.fn(actual.spawnSync) };
});

/**
 * The shape of the functions' bundles (`bundleFunction`, as the stack bundles them): what a cold start loads. Node's ES
 * module loader costs about a millisecond per file it resolves, links and evaluates, so the cold start of each function
 * loads the entry and one chunk (the first pass alone gave 29 and 30 files), and every path that needs more `import()`s it.
 */
describe.each([
  // Scan completion; the organisation's account routing, loaded only when the gate serves an organisation; what the
  // first event of a task does not need: the enforcement of a conclusive decision, the stores only a verdict change
  // calls (open findings, services' exposure), the lifecycle hook's path (the hook function has its own bundle).
  [
    'gate',
    GATE_HANDLER_ENTRY,
    [
      'functions/handlers/scans/completion.ts',
      'functions/handlers/lambda/organisation.ts',
      'functions/handlers/enforcement/enforce.ts',
      'functions/adapters/dynamo-open-findings.ts',
      'functions/adapters/ecs-service-exposure.ts',
      'functions/handlers/admission/lifecycle-hook.ts',
      // ECS service actions (rollback, restore, scale, paused deployments) and their commands.
      'functions/adapters/ecs-service-actions.ts',
    ],
  ],
  // The scan path of a digest without a verdict; the organisation's account routing.
  ['hook', HOOK_HANDLER_ENTRY, ['functions/handlers/admission/hook-scans.ts', 'functions/handlers/lambda/organisation.ts', 'functions/adapters/ecs-service-actions.ts']],
])('the %s function bundle', (_name, entry, lazySources) => {
  let outdir: string;
  let metafile: Metafile;
  let files: Record<string, string>;

  beforeAll(() => {
    outdir = mkdtempSync(join(tmpdir(), 'fargate-gate-function-bundle-'));
    const built = bundleFunction(join(ROOT, entry), outdir, join(ROOT, 'policies/default.json'));
    if (built === false || built.metafile === undefined) throw new Error('esbuild cannot be loaded: the function cannot be bundled');
    metafile = built.metafile as Metafile;
    files = Object.fromEntries(readdirSync(outdir).filter((name) => name.endsWith('.mjs')).map((name) => [name, readFileSync(join(outdir, name), 'utf8')]));
  }, 120_000);

  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  /** The files a file names in its import statements (`from"./x.mjs"`, `import"./x.mjs"`) and in its `import()`s. */
  const staticImports = (code: string) => [...code.matchAll(/(?:from|import)\s*"\.\/([^"]+)"/g)].map((match) => match[1]);
  const dynamicImports = (code: string) => [...code.matchAll(/import\(\s*"\.\/([^"]+)"\s*\)/g)].map((match) => match[1]);

  /** What Node loads when it imports the entry: the entry and, transitively, the files named in import statements. */
  function coldStartFiles(): string[] {
    const loaded = new Set<string>();
    const visit = (name: string): void => {
      if (loaded.has(name)) return;
      loaded.add(name);
      for (const imported of staticImports(files[name])) visit(imported);
    };
    visit(FUNCTION_ENTRY_FILE);
    return [...loaded];
  }

  it('loads two files at cold start, the entry and one chunk, and leaves the lazy paths to the others', () => {
    const cold = coldStartFiles();
    expect(cold).toContain(FUNCTION_ENTRY_FILE);
    expect(cold.length).toBeLessThanOrEqual(2);
    // The metafile the benchmark reads says the same.
    expect(coldStartOutputs(metafile).map((name) => name.split('/').pop()).sort()).toEqual([...cold].sort());
    // Still split: the paths the first event does not take are in files the cold start does not load.
    for (const lazySource of lazySources) {
      const holding = Object.keys(metafile.outputs ?? {}).filter((name) => Object.keys(metafile.outputs![name].inputs ?? {}).includes(lazySource));
      expect(holding).toHaveLength(1);
      expect([lazySource, cold.includes(holding[0].split('/').pop()!)]).toEqual([lazySource, false]);
    }
    expect(Object.keys(files).length).toBeGreaterThan(cold.length);
  });

  it('loads at cold start only the ECS commands a first event may send; the service actions\' commands are in a lazy chunk', () => {
    const outputs = metafile.outputs ?? {};
    const commandsOf = (names: string[]) => new Set(names.flatMap((name) => Object.keys(outputs[name].inputs ?? {})).flatMap((input) => /client-ecs\/dist-es\/commands\/(\w+)Command\.js$/.exec(input)?.[1] ?? []));
    const cold = commandsOf(coldStartOutputs(metafile));
    const all = commandsOf(Object.keys(outputs));
    for (const command of ['StopServiceDeployment', 'UpdateService', 'DescribeServices', 'ListServiceDeployments', 'DescribeServiceDeployments', 'ContinueServiceDeployment']) {
      expect([command, cold.has(command), all.has(command)]).toEqual([command, false, true]);
    }
    expect(cold.has('DescribeTaskDefinition')).toBe(true);
  });

  // The SDK's clients import their protocol through re-export barrels (`@aws-sdk/core/protocols`), which reach every
  // protocol; esbuild puts a file the cold path reaches in the cold start's chunk when any path uses it, so the S3 and STS
  // clients' protocols came with the cold start until the first pass took names past the barrels (infra/sdk-barrels.ts).
  it('leaves to the lazy paths the SDK protocols only they use (XML, Query, HTTP bindings) and the waiters', () => {
    const inputsOf = (names: string[]) => names.flatMap((name) => Object.keys(metafile.outputs?.[name].inputs ?? {}));
    const cold = inputsOf(coldStartOutputs(metafile));
    const all = inputsOf(Object.keys(metafile.outputs ?? {}));
    const modules = ['protocols/xml/XmlShapeSerializer.js', 'protocols/xml/AwsRestXmlProtocol.js', 'protocols/query/AwsQueryProtocol.js', 'protocols/HttpBindingProtocol.js', 'util-waiter/createWaiter.js'];
    for (const module of modules) {
      expect([module, cold.some((input) => input.endsWith(module)), all.some((input) => input.endsWith(module))]).toEqual([module, false, true]);
    }
  });

  it('links and evaluates every file of the bundle, each lazy path\'s chunks included', () => {
    const urls = Object.keys(files).map((name) => pathToFileURL(join(outdir, name)).href);
    const script = `for (const url of ${JSON.stringify(urls)}) await import(url); console.log('loaded');`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { PATH: process.env.PATH } });
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('loaded');
    expect(urls.length).toBeGreaterThan(2);
  }, 60_000);

  it('holds each module once: every source in exactly one output file', () => {
    const outputs = metafile.outputs ?? {};
    const count = new Map<string, number>();
    for (const output of Object.values(outputs)) for (const input of Object.keys(output.inputs ?? {})) count.set(input, (count.get(input) ?? 0) + 1);
    expect(count.size).toBeGreaterThan(100);
    expect([...count].filter(([, times]) => times !== 1)).toEqual([]);
    // Its own sources and the SDK's are all there, not the first pass's files.
    expect(count.has(entry)).toBe(true);
    expect([...count.keys()].filter((input) => input.includes(FIRST_PASS_DIR) || !input.startsWith('functions/') && !input.startsWith('node_modules/'))).toEqual([]);
  });

  it('imports only files of the bundle, by their own names, and leaves nothing of the first pass behind', () => {
    expect(existsSync(join(outdir, FIRST_PASS_DIR))).toBe(false);
    for (const code of Object.values(files)) {
      for (const imported of [...staticImports(code), ...dynamicImports(code)]) expect(Object.keys(files)).toContain(imported);
    }
    // No import by any other path (a second copy of a chunk, the first pass's directory): only packages left out of the bundle.
    const leftOut = (path: string) => path.startsWith('node:') || builtinModules.includes(path) || FUNCTION_EXTERNAL_MODULES.includes(path);
    const external = Object.values(metafile.outputs ?? {}).flatMap((output) => output.imports.filter((i) => i.external).map((i) => i.path));
    expect(external.length).toBeGreaterThan(0);
    expect(external.filter((path) => !leftOut(path))).toEqual([]);
  });

  it('writes every file in ASCII, so Node decodes each into a one-byte string', () => {
    // One character past ASCII anywhere in a file (esbuild escapes those in strings, not in regular expressions) makes
    // Node's loader decode the whole file into a two-byte string and V8 scan it as one: ~3 ms of the gate's cold import.
    for (const [name, code] of Object.entries(files)) {
      const beyond = [...code.matchAll(/[^\x00-\x7f]/g)].map((match) => `${JSON.stringify(match[0])} at ${match.index}: ${code.slice(Math.max(0, match.index - 40), match.index + 10)}`);
      expect([name, beyond]).toEqual([name, []]);
    }
  });

  it('makes one require per output file, one createRequire call for the cold start\'s chunk however many modules it merges', () => {
    for (const [name, code] of Object.entries(files)) {
      expect([name, code.match(/\bcreateRequire\b/g)?.length]).toEqual([name, 1]);
      expect([name, code.split('import.meta.url').length - 1]).toEqual([name, 1]);
    }
  });

  it('maps its code to the TypeScript sources through both passes', () => {
    const map = JSON.parse(readFileSync(join(outdir, `${FUNCTION_ENTRY_FILE}.map`), 'utf8')) as { sources: string[] };
    expect(map.sources.some((source) => source.endsWith(entry))).toBe(true);
    expect(map.sources.filter((source) => source.includes(FIRST_PASS_DIR) || /(^|\/)(index|chunk-[A-Z0-9]+)\.mjs$/.test(source))).toEqual([]);
  });

  it('names the TypeScript line that threw in a stack trace with --enable-source-maps, and loads no map without it', () => {
    // A function started without its settings fails in readSettings (the hook logs the error, the gate throws it).
    const settings = 'functions/handlers/lambda/settings.ts';
    const line = readFileSync(join(ROOT, settings), 'utf8').split('\n').findIndex((text) => text.includes('is required`)')) + 1;
    expect(line).toBeGreaterThan(0);
    const script = `const m = await import(${JSON.stringify(pathToFileURL(join(outdir, FUNCTION_ENTRY_FILE)).href)}); try { await m.handler({}); } catch (e) { console.log(e.stack); }`;
    const run = (nodeOptions: string[]) => spawnSync(process.execPath, [...nodeOptions, '--input-type=module', '-e', script], { encoding: 'utf8', env: { PATH: process.env.PATH } });
    const mapped = run(['--enable-source-maps']);
    expect(mapped.stdout).toContain('GATE_SCAN_PROJECT_NAME is required');
    expect(mapped.stdout).toContain(`${settings}:${line}:`);
    const plain = run([]);
    expect(plain.stdout).toContain('GATE_SCAN_PROJECT_NAME is required');
    expect(plain.stdout).not.toContain(settings);
  }, 60_000);
});

/**
 * A module that calls `require` for a Node built-in (CommonJS, as some of the SDK's dependencies are) on a path loaded
 * by `import()`: ES module code has no `require`, so the bundle must give that chunk one (esbuild's `__require` throws
 * "Dynamic require ... is not supported" otherwise).
 */
describe('a function bundle whose lazy chunk requires a Node built-in', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'fargate-gate-require-bundle-'));
    const source = join(dir, 'source');
    mkdirSync(source);
    writeFileSync(join(source, 'entry.mjs'), "export async function handler() { return (await import('./lazy.mjs')).hostPlatform(); }\n");
    writeFileSync(join(source, 'lazy.mjs'), "import { hostPlatform } from './built-in.cjs';\nexport { hostPlatform };\n");
    writeFileSync(join(source, 'built-in.cjs'), "const os = require('node:os');\nexports.hostPlatform = () => `platform ${os.platform()}`;\n");
    if (bundleFunction(join(source, 'entry.mjs'), join(dir, 'out'), undefined) === false) throw new Error('esbuild cannot be loaded');
  }, 60_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs: the chunk loaded by import() requires node:os', () => {
    const out = join(dir, 'out');
    // The require is in a chunk the entry does not load at start.
    expect(readFileSync(join(out, FUNCTION_ENTRY_FILE), 'utf8')).not.toContain('node:os');
    expect(readdirSync(out).filter((name) => name.endsWith('.mjs') && readFileSync(join(out, name), 'utf8').includes('"node:os"'))).toHaveLength(1);
    const script = `const m = await import(${JSON.stringify(pathToFileURL(join(out, FUNCTION_ENTRY_FILE)).href)}); console.log(await m.handler());`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { PATH: process.env.PATH } });
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe(`platform ${process.platform}`);
  }, 60_000);
});

/** The passes run in a Node.js process of their own (`FUNCTION_BUNDLE_SCRIPT`): a failed build still fails the synth. */
describe('a function bundle whose build fails', () => {
  it('throws with esbuild\'s message, naming what it could not resolve, and leaves no first pass behind', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fargate-gate-broken-bundle-'));
    try {
      writeFileSync(join(dir, 'entry.mjs'), "import { missing } from './no-such-module.mjs';\nexport const handler = () => missing;\n");
      expect(() => bundleFunction(join(dir, 'entry.mjs'), join(dir, 'out'), undefined)).toThrow(/Could not resolve "\.\/no-such-module\.mjs"/);
      expect(existsSync(join(dir, 'out', FIRST_PASS_DIR))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the signal that killed its process (the OOM killer\'s SIGKILL leaves no exit status and no stderr)', () => {
    // A process killed so, as spawnSync reports it. (NODE_OPTIONS=--require of a script that kills itself cannot do it
    // for real here: spawnSync passes the worker's own environment, which jest's sandboxed process.env does not reach.)
    const killed = { pid: 1, output: [null, '', ''], stdout: '', stderr: '', status: null, signal: 'SIGKILL' as const };
    const spawn = jest.mocked(spawnSync).mockClear().mockReturnValueOnce(killed);
    const dir = mkdtempSync(join(tmpdir(), 'fargate-gate-killed-bundle-'));
    try {
      writeFileSync(join(dir, 'entry.mjs'), 'export const handler = () => 1;\n');
      expect(() => bundleFunction(join(dir, 'entry.mjs'), join(dir, 'out'), undefined)).toThrow(/entry\.mjs: its process was killed by SIGKILL/);
      expect(spawn).toHaveBeenCalledTimes(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
