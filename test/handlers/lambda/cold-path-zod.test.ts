import { GATE_HANDLER_ENTRY, HOOK_HANDLER_ENTRY } from '../../../infra/paths';
import { buildFunctionBundle, type BuiltFunctionBundle } from '../../support/function-bundle';

/**
 * The gate and hook bundles, built as the stack builds them, read through esbuild's metafile: their cold start (the
 * entry and the chunks it imports statically) holds no zod, which is loaded by `import()` (functions/io/zod-loader.ts)
 * only for an event or item that is not plainly well formed (core/zod-on-demand.ts); the bundle still holds it.
 */
describe.each([
  ['gate', GATE_HANDLER_ENTRY],
  ['hook', HOOK_HANDLER_ENTRY],
])('the %s function bundle', (_name, entry) => {
  let bundle: BuiltFunctionBundle;
  let coldInputs: string[];
  let allInputs: string[];

  beforeAll(() => {
    bundle = buildFunctionBundle(entry, 'fargate-gate-cold-zod-');
    ({ coldInputs, allInputs } = bundle);
  }, 120_000);

  afterAll(() => bundle?.remove());

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
