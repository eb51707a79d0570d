import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { coldStartOutputs, type Metafile } from '../../bench/lambda-bundles';
import { bundleFunction } from '../../infra/function-bundling';

const ROOT = resolve(__dirname, '../..');

/** A function bundle built as the stack builds it, read through esbuild's metafile. */
export interface BuiltFunctionBundle {
  outdir: string;
  metafile: Metafile;
  /** The sources whose code a cold start loads (the entry and the chunks it imports statically). */
  coldInputs: string[];
  /** The sources of every code file of the bundle. */
  allInputs: string[];
  /** Removes the output directory. */
  remove(): void;
}

/**
 * Bundles `entry` (a path from the project root) with the stack's `bundleFunction` and the default policy into a new
 * temporary directory; throws when esbuild cannot be loaded, so no test of the bundle passes without one.
 */
export function buildFunctionBundle(entry: string, prefix: string): BuiltFunctionBundle {
  const outdir = mkdtempSync(join(tmpdir(), prefix));
  const built = bundleFunction(join(ROOT, entry), outdir, join(ROOT, 'policies/default.json'));
  if (built === false || built.metafile === undefined) throw new Error(`esbuild cannot be loaded: ${entry} cannot be bundled`);
  const metafile = built.metafile as Metafile;
  const outputs = metafile.outputs ?? {};
  const inputsOf = (names: string[]) => [...new Set(names.flatMap((name) => Object.keys(outputs[name].inputs ?? {})))];
  return {
    outdir,
    metafile,
    coldInputs: inputsOf(coldStartOutputs(metafile)),
    allInputs: inputsOf(Object.keys(outputs).filter((name) => name.endsWith('.mjs'))),
    remove: () => rmSync(outdir, { recursive: true, force: true }),
  };
}
