import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { coldStartOutputs, type Metafile } from '../../../bench/lambda-bundles';
import { bundleFunction } from '../../../infra/function-bundling';
import { GATE_HANDLER_ENTRY, HOOK_HANDLER_ENTRY } from '../../../infra/paths';

const ROOT = resolve(__dirname, '../../..');

/**
 * The gate and hook bundles, built as the stack builds them, read through esbuild's metafile: their cold start (the
 * entry and the chunks it imports statically) holds no zod, which is loaded by `import()` (functions/io/zod-loader.ts)
 * only for an event or item that is not plainly well formed (core/zod-on-demand.ts); the bundle still holds it.
 */
describe.each([
  ['gate', GATE_HANDLER_ENTRY],
  ['hook', HOOK_HANDLER_ENTRY],
])('the %s function bundle', (_name, entry) => {
  let outdir: string;
  let coldInputs: string[];
  let allInputs: string[];

  beforeAll(() => {
    outdir = mkdtempSync(join(tmpdir(), 'fargate-gate-cold-zod-'));
    const built = bundleFunction(join(ROOT, entry), outdir, join(ROOT, 'policies/default.json'));
    if (built === false || built.metafile === undefined) throw new Error('esbuild cannot be loaded: the function cannot be bundled');
    const metafile = built.metafile as Metafile;
    const outputs = metafile.outputs ?? {};
    const inputsOf = (names: string[]) => [...new Set(names.flatMap((name) => Object.keys(outputs[name].inputs ?? {})))];
    coldInputs = inputsOf(coldStartOutputs(metafile));
    allInputs = inputsOf(Object.keys(outputs).filter((name) => name.endsWith('.mjs')));
  }, 120_000);

  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  const zodOf = (inputs: string[]) => inputs.filter((input) => input.includes('node_modules/zod/'));

  it('loads no zod at cold start; zod is in a chunk the loader imports', () => {
    expect(zodOf(coldInputs)).toEqual([]);
    expect(zodOf(allInputs).length).toBeGreaterThan(0);
    expect(coldInputs).toContain('functions/io/zod-loader.ts');
  });

  it('loads neither the policy schema nor a hardening rule schema module that imports zod', () => {
    expect(coldInputs.filter((input) => /functions\/core\/policy\/schema\.ts$|drift-schema\.ts$/.test(input))).toEqual([]);
  });
});
