import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { preparePolicy } from '../../functions/core/policy/prepared';
import { loadBundledPolicy, preparedPolicyPath, readBundledPolicy } from '../../functions/io/bundled-policy';
import { loadBundledPolicyFileSync } from '../../functions/io/bundled-policy-file';
import { readPolicyFileSync } from '../../functions/io/policy-file';
import { FUNCTION_ESBUILD_OPTIONS } from '../../infra/function-bundling';
import { rejection, thrown } from '../support/thrown';

const ROOT = join(__dirname, '../..');
const DEFAULT_TEXT = readFileSync(join(ROOT, 'policies/default.json'), 'utf8');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fargate-gate-bundled-policy-async-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A bundle's policy: `policy.json` with `text` and, unless `prepared` is false, its prepared form made from `preparedFrom`. */
function bundle(text: string, preparedFrom: string | null = text): string {
  const path = join(dir, 'policy.json');
  writeFileSync(path, text);
  if (preparedFrom !== null) {
    const source = join(dir, 'source.json');
    writeFileSync(source, preparedFrom);
    writeFileSync(preparedPolicyPath(path), JSON.stringify(preparePolicy(readPolicyFileSync(source), preparedFrom)));
  }
  return path;
}



describe('loadBundledPolicy', () => {
  it('takes the prepared policy that stands for the file, as the synchronous reader does', async () => {
    const path = bundle(DEFAULT_TEXT);
    const loaded = await loadBundledPolicy(path);
    expect(loaded.prepared).toBe(true);
    expect(loaded).toEqual(loadBundledPolicyFileSync(path));
    expect((await readBundledPolicy(path, 'bundled policy')).source).toBe('bundled policy');
  });

  it('validates in full, loading the validation then, when there is no prepared policy', async () => {
    const path = bundle(DEFAULT_TEXT, null);
    const loaded = await loadBundledPolicy(path);
    expect(loaded).toMatchObject({ prepared: false, why: expect.stringContaining('no readable prepared policy (ENOENT)') });
    expect(loaded.policy).toEqual(readPolicyFileSync(path));
  });

  it('a policy edited after synth into an invalid one fails with the message the CLI gives', async () => {
    const path = bundle(DEFAULT_TEXT.replace('"mode": "enforce"', '"mode": "yolo"'), DEFAULT_TEXT);
    const error = await rejection(loadBundledPolicy(path));
    expect(error).toEqual(thrown(() => readPolicyFileSync(path)));
    expect(error.message).toContain('at mode');
  });

  it('a missing policy file fails with the message the CLI gives', async () => {
    const path = join(dir, 'policy.json');
    expect(await rejection(loadBundledPolicy(path))).toEqual(thrown(() => readPolicyFileSync(path)));
  });
});

/** The sources in the outputs a cold start of `entry` loads: the entry and the chunks it imports statically, not those it `import()`s. */
function coldPathSources(metafile: Metafile): { cold: Set<string>; all: Set<string> } {
  const outputs = metafile.outputs;
  const entry = Object.keys(outputs).find((name) => name.endsWith('index.mjs'));
  if (!entry) throw new Error('no index.mjs in the bundle');
  const loaded = new Set<string>();
  const visit = (name: string) => {
    if (loaded.has(name) || !outputs[name]) return;
    loaded.add(name);
    for (const edge of outputs[name].imports) if (edge.kind === 'import-statement' && !edge.external) visit(edge.path);
  };
  visit(entry);
  const sourcesOf = (names: Iterable<string>) => new Set([...names].flatMap((name) => Object.keys(outputs[name].inputs)));
  return { cold: sourcesOf(loaded), all: sourcesOf(Object.keys(outputs)) };
}

describe('the bundles of the gate and the hook', () => {
  const VALIDATION = ['functions/core/policy/schema.ts', 'functions/core/policy/drift-schema.ts', 'functions/core/policy/load.ts', 'functions/io/policy-file.ts'];

  it.each(['gate', 'hook'])('%s: a cold start loads no policy schema; the full validation is a chunk loaded by import()', async (which) => {
    const { metafile } = await build({
      ...(FUNCTION_ESBUILD_OPTIONS as Parameters<typeof build>[0]),
      entryPoints: [join(ROOT, `functions/handlers/lambda/${which}.ts`)],
      outdir: join(dir, which),
      absWorkingDir: ROOT,
      metafile: true,
      write: false,
      sourcemap: false,
    });
    const { cold, all } = coldPathSources(metafile!);
    // The cold path does hold the policy engine, so the check looks at the right graph.
    expect(cold).toContain('functions/core/policy/evaluate.ts');
    for (const source of VALIDATION) {
      expect(all).toContain(source);
      expect(cold).not.toContain(source);
    }
  });
});
