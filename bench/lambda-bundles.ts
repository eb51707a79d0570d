import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bareFirstSendEntry, cannedResponses, describeCall, FIRST_EVENTS, functionEnvironment, runProbe, writeCanned, type ProbeRun, type ProbeTiming } from './lambda-first-event';
import { median, roundedRatio } from './policy-engine';

/**
 * Part D of the benchmark: the functions' bundles. The gate and hook entry points are bundled exactly as the stack
 * bundles them (`bundleFunction`, the stack's local bundling: ES module chunks). Each function's cold start is measured
 * in fresh `node` processes as the import of its entry and then the first typical event handled (bench/lambda-first-event.ts:
 * every AWS call answered by a local endpoint), against a baseline bundle of only the SDK clients that path called, each
 * constructed and sent its first operation the same way. Both figures come from the same processes: "import" (the
 * entry's import alone) and "cold start" (import + first event, the honest one, which the 1.5 target applies to). The
 * two bundles run alternately so both meet the same machine load; the median of several runs of each is the figure.
 */

export interface ColdTiming {
  /** Median ms in the function's process. */
  bundleMs: number;
  /** Median ms in the baseline's process: the bare SDK clients of the path. */
  bareClientsMs: number;
  ratio: number;
}

export interface ColdStart {
  /** Import of the entry (with the chunks it imports statically) against import of the bare clients. */
  importOnly: ColdTiming;
  /** Import and the first event (lazy chunks, clients built, the calls answered) against the bare clients' first sends. */
  firstEvent: ColdTiming;
}

export interface FunctionBundleFigures {
  name: string;
  /** Code a cold start loads: the entry (`index.mjs`) and the chunks it imports statically, KiB. */
  codeKb: number;
  /** The entry file alone, KiB. */
  entryKb: number;
  /** All code files, with the chunks imported when a path needs them (scan completion, the PAUSE hook), KiB. */
  totalKb: number;
  /** Size of the source maps (`*.mjs.map`), deployed beside the code, KiB. */
  mapKb: number;
  /** The `@aws-sdk/client-*` packages anywhere in the bundle. */
  clientPackages: string[];
  /** The AWS operations of the first event, in order (`ecs.DescribeTaskDefinition`). */
  firstEventCalls: string[];
  /** The client packages the first event called: what the baseline constructs and sends with. */
  pathClientPackages: string[];
  bareClientsKb: number;
  /** Without source maps, as the functions run by default. */
  coldStart: ColdStart;
  /** With `NODE_OPTIONS=--enable-source-maps`, as with the construct's `sourceMapsAtRuntime`. */
  coldStartWithSourceMaps: ColdStart;
}

export interface BundleFigures {
  runs: number;
  functions: FunctionBundleFigures[];
}

export interface BundleOptions {
  root: string;
  /** Processes per bundle and setting. */
  runs: number;
}

const ENTRIES = [
  { name: 'gate', entry: 'functions/handlers/lambda/gate.ts' },
  { name: 'hook', entry: 'functions/handlers/lambda/hook.ts' },
] as const;

export async function measureBundles(options: BundleOptions): Promise<BundleFigures> {
  const { root } = options;
  // The baseline entries sit inside the project, so the SDK resolves from its node_modules.
  const workDir = mkdtempSync(join(root, 'bench', '.bundles-'));
  const outdir = mkdtempSync(join(tmpdir(), 'fargate-gate-bench-bundles-'));
  const canned = writeCanned(await cannedResponses(root));
  try {
    const { bundleFunction } = await import('../infra/function-bundling');
    const build = (name: string, entry: string): { dir: string; metafile: Metafile } => {
      const dir = join(outdir, name);
      const built = bundleFunction(entry, dir, join(root, 'policies/default.json'));
      if (built === false || built.metafile === undefined) throw new Error('esbuild cannot be loaded: the functions cannot be bundled locally');
      return { dir, metafile: built.metafile as Metafile };
    };
    const functions = ENTRIES.map((e): FunctionBundleFigures => {
      const first = FIRST_EVENTS.find((f) => f.name === e.name);
      if (!first) throw new Error(`no first event for the ${e.name} function`);
      const bundle = build(e.name, join(root, e.entry));
      const probe = (entryFile: string, withEvent: boolean, nodeOptions: string): ProbeRun => runProbe({
        entryFile,
        ...(withEvent ? { eventFile: join(root, first.eventFile) } : {}),
        cannedFile: canned.file,
        withContext: first.withContext,
        env: functionEnvironment(bundle.dir),
        nodeOptions,
      });
      // One untimed run finds the path's calls (and checks that the event is handled, not failed).
      const discovery = probe(join(bundle.dir, ENTRY_FILE), true, '');
      assertHandled(e.name, discovery);
      const bareFile = join(workDir, `${e.name}-bare-clients.ts`);
      writeFileSync(bareFile, bareFirstSendEntry(discovery.calls));
      const bare = build(`${e.name}-bare-clients`, bareFile);
      const files = { bundle: join(bundle.dir, ENTRY_FILE), bare: join(bare.dir, ENTRY_FILE) };
      const code = codeSizes(bundle.metafile);
      const timed = (nodeOptions: string) => coldStart(options.runs, () => probe(files.bundle, true, nodeOptions), () => probe(files.bare, false, nodeOptions));
      return {
        name: e.name,
        codeKb: kib(code.coldStartBytes),
        entryKb: kib(code.entryBytes),
        totalKb: kib(code.totalBytes),
        mapKb: kib(code.mapBytes),
        clientPackages: clientPackagesOf(bundle.metafile),
        firstEventCalls: discovery.calls.map(describeCall),
        pathClientPackages: clientPackagesOf(bare.metafile),
        bareClientsKb: kib(codeSizes(bare.metafile).coldStartBytes),
        coldStart: timed(''),
        coldStartWithSourceMaps: timed('--enable-source-maps'),
      };
    });
    return { runs: options.runs, functions };
  } finally {
    canned.remove();
    rmSync(workDir, { recursive: true, force: true });
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** The first event must take the path it stands for: a judged, admitted image, not an error or a wait for a scan. */
function assertHandled(name: string, run: ProbeRun): void {
  const result = JSON.stringify(run.result);
  const expected = name === 'hook' ? '{"hookStatus":"SUCCEEDED"}' : '"status":"provisional","decision":"pass"';
  if (!result.includes(expected)) throw new Error(`the ${name} function's first event did not take the known-digest path: ${result}`);
}

const ENTRY_FILE = 'index.mjs';

/** The subset of esbuild's metafile outputs read here. */
export interface MetafileOutput {
  bytes: number;
  entryPoint?: string;
  imports: { path: string; kind: string; external?: boolean }[];
  /** The source files whose code is in this output (esbuild writes it for every output). */
  inputs?: Record<string, { bytesInOutput: number }>;
}

/**
 * Sizes of a split bundle from esbuild's metafile: the entry, what a cold start loads (the entry and, transitively, the
 * chunks it imports with import statements; `import()`ed chunks load only when a path calls for them), all code, the maps.
 */
export function codeSizes(metafile: Metafile): { entryBytes: number; coldStartBytes: number; totalBytes: number; mapBytes: number } {
  const outputs = metafile.outputs ?? {};
  const names = Object.keys(outputs);
  const entry = entryOutput(metafile);
  const sum = (files: string[]) => files.reduce((total, name) => total + outputs[name].bytes, 0);
  return {
    entryBytes: outputs[entry].bytes,
    coldStartBytes: sum(coldStartOutputs(metafile)),
    totalBytes: sum(names.filter((name) => name.endsWith('.mjs'))),
    mapBytes: sum(names.filter((name) => name.endsWith('.map'))),
  };
}

/** The output files a cold start loads: the entry and, transitively, the chunks it imports with import statements. */
export function coldStartOutputs(metafile: Metafile): string[] {
  const outputs = metafile.outputs ?? {};
  const loaded = new Set<string>();
  const visit = (name: string): void => {
    if (loaded.has(name) || outputs[name] === undefined) return;
    loaded.add(name);
    for (const imported of outputs[name].imports) if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
  };
  visit(entryOutput(metafile));
  return [...loaded];
}

/** The entry file by its name: chunks that are `import()`ed are entry points in the metafile too (`entryPoint` set). */
function entryOutput(metafile: Metafile): string {
  const outputs = metafile.outputs ?? {};
  const entry = Object.keys(outputs).find((name) => outputs[name].entryPoint !== undefined && (name === ENTRY_FILE || name.endsWith(`/${ENTRY_FILE}`)));
  if (entry === undefined) throw new Error('the metafile names no entry output');
  return entry;
}

/** The subset of esbuild's metafile read here. */
export interface Metafile {
  inputs: Record<string, unknown>;
  outputs?: Record<string, MetafileOutput>;
}

/** The `@aws-sdk/client-*` packages a bundle holds, from esbuild's metafile, sorted. */
export function clientPackagesOf(metafile: Metafile): string[] {
  const found = new Set<string>();
  for (const input of Object.keys(metafile.inputs)) {
    const match = /(?:^|\/)node_modules\/(@aws-sdk\/client-[a-z0-9-]+)\//.exec(input);
    if (match) found.add(match[1]);
  }
  return [...found].sort();
}

/** Runs the two probes alternately, `runs` times each, and takes the medians of both figures. */
function coldStart(runs: number, bundleRun: () => ProbeTiming, bareRun: () => ProbeTiming): ColdStart {
  const bundle: ProbeTiming[] = [];
  const bare: ProbeTiming[] = [];
  for (let i = 0; i < runs; i += 1) {
    bundle.push(bundleRun());
    bare.push(bareRun());
  }
  const timing = (pick: (t: ProbeTiming) => number): ColdTiming => {
    const bundleMs = median(bundle.map(pick));
    const bareClientsMs = median(bare.map(pick));
    return { bundleMs: round1(bundleMs), bareClientsMs: round1(bareClientsMs), ratio: roundedRatio(bundleMs, bareClientsMs) };
  };
  return { importOnly: timing((t) => t.importMs), firstEvent: timing((t) => t.firstEventMs) };
}

const kib = (bytes: number) => Math.round((bytes / 1024) * 10) / 10;
const round1 = (value: number) => Math.round(value * 10) / 10;
