import { measureBundles, type BundleFigures, type FunctionBundleFigures } from './lambda-bundles';
import { defaultPolicy, measureEngineGrowth, type EngineFigures, type EngineGrowth, type Spread } from './policy-engine';

/**
 * The "small, fast Lambda" figures: the policy engine against `JSON.parse` of the same report and its growth with the
 * report's size (Part A continued), and the functions' bundles with their cold import against the bare SDK clients
 * (Part D). Targets (issue 9): engine at most 2x JSON.parse and linear; bundle code at most 800 KB; cold import at
 * most 1.5x the bare clients, with source maps not loaded at start; the cold start is the import and the first typical
 * event, against the bare clients that event calls, each built and sent its first call (bench/lambda-bundles.ts).
 */
export interface LambdaFigures {
  engine: Pick<EngineFigures, 'findings' | 'runs' | 'gc' | 'totalMs' | 'jsonParseMs' | 'engineToParseRatio' | 'totalSpread' | 'jsonParseSpread' | 'ratioSpread'>;
  growth: EngineGrowth;
  bundles: BundleFigures;
}

/** Even run counts: half the runs time the bare parse first, half the engine (bench/policy-engine.ts `alternatingOrders`). */
export const ENGINE_GROWTH_SIZES = [
  { findings: 1_000, runs: 16 },
  { findings: 10_000, runs: 6 },
  { findings: 100_000, runs: 4 },
];
/** Fresh processes per bundle and setting (the median is the figure). */
export const COLD_IMPORT_RUNS = 9;

export async function measureLambdaFigures(root: string, engine: EngineFigures): Promise<LambdaFigures> {
  const growth = measureEngineGrowth(defaultPolicy(root), ENGINE_GROWTH_SIZES);
  const bundles = await measureBundles({ root, runs: COLD_IMPORT_RUNS });
  const { findings, runs, gc, totalMs, jsonParseMs, engineToParseRatio, totalSpread, jsonParseSpread, ratioSpread } = engine;
  return { engine: { findings, runs, gc, totalMs, jsonParseMs, engineToParseRatio, totalSpread, jsonParseSpread, ratioSpread }, growth, bundles };
}

export function printLambdaFigures(figures: LambdaFigures, out: (line?: string) => void): void {
  const { engine, growth, bundles } = figures;
  out('Part D: a small, fast Lambda');
  const ms = (spread: Spread) => `${spread.min.toFixed(1)}-${spread.max.toFixed(1)}`;
  const ratio = (spread: Spread) => `${spread.min.toFixed(2)}-${spread.max.toFixed(2)}`;
  out(`  engine vs JSON.parse of the same ${engine.findings}-finding text, median of ${engine.runs} runs (min-max): ${engine.totalMs.toFixed(1)} ms (${ms(engine.totalSpread)}) vs ${engine.jsonParseMs.toFixed(1)} ms (${ms(engine.jsonParseSpread)}), ratio ${engine.engineToParseRatio} (per run ${ratio(engine.ratioSpread)}; target <= 2)`);
  out(`    order alternated run by run (parse first, engine first); collection before each timed step: ${engine.gc}`);
  for (const size of growth.sizes) {
    out(`    ${size.findings} findings: ${size.totalMs} ms (median of ${size.runs}, ${ms(size.totalSpread)}), ${size.microsPerFinding} us per finding, JSON.parse ${size.jsonParseMs} ms (${ms(size.jsonParseSpread)}), ratio ${size.engineToParseRatio} (per run ${ratio(size.ratioSpread)})`);
  }
  out(`    growth, from the same alternated runs for both (time per finding at ${growth.sizes[growth.sizes.length - 1].findings} / at ${growth.sizes[0].findings}): ${growth.growth} (target ~1); JSON.parse of the same texts: ${growth.jsonParseGrowth}`);
  out(`    engine growth / JSON.parse growth: ${growth.growthVsJsonParse} (1: the engine grows as the parse it cannot avoid does${growth.jsonParseGrowth > 1.2 ? '; JSON.parse itself grows superlinearly here, so this is the figure to read' : ''})`);
  out(`  function bundles, built as the stack builds them (ES module chunks); fresh node processes, median of ${bundles.runs}, alternating with the baseline:`);
  out('    cold start = import of the entry + the first typical event handled (lazy chunks loaded, clients built, AWS calls answered');
  out('    by a local endpoint); baseline = the bare SDK clients that event called, each built and sent its first call. The target');
  out('    (<= 1.5) and coldStartRatio apply to this; "import" (entry import vs bare client import) is shown beside it');
  for (const fn of bundles.functions) {
    out(`  ${fn.name}: code a cold start loads ${fn.codeKb} KB (target <= 800; entry ${fn.entryKb} KB), all chunks ${fn.totalKb} KB, maps ${fn.mapKb} KB beside them (not loaded by default)`);
    out(`    first event calls ${fn.firstEventCalls.join(', ')}; baseline clients (${fn.pathClientPackages.map((p) => p.replace('@aws-sdk/client-', '')).join(', ')}) ${fn.bareClientsKb} KB`);
    out(`    cold start ${fn.coldStart.firstEvent.bundleMs} ms vs ${fn.coldStart.firstEvent.bareClientsMs} ms bare clients: ratio ${fn.coldStart.firstEvent.ratio} (target <= 1.5); with --enable-source-maps ${fn.coldStartWithSourceMaps.firstEvent.bundleMs} ms, ratio ${fn.coldStartWithSourceMaps.firstEvent.ratio}`);
    out(`    import only ${fn.coldStart.importOnly.bundleMs} ms vs ${fn.coldStart.importOnly.bareClientsMs} ms: ratio ${fn.coldStart.importOnly.ratio}; with --enable-source-maps ratio ${fn.coldStartWithSourceMaps.importOnly.ratio}`);
  }
}

/** The figures the bench's last JSON line carries; `coldStartRatio` is the worse of the two functions. */
export function lambdaJsonFigures(figures: LambdaFigures): Record<string, number> {
  const byName = (name: string): FunctionBundleFigures => {
    const found = figures.bundles.functions.find((fn) => fn.name === name);
    if (!found) throw new Error(`no bundle figures for the ${name} function`);
    return found;
  };
  const gate = byName('gate');
  const hook = byName('hook');
  return {
    gateBundleKb: gate.codeKb,
    hookBundleKb: hook.codeKb,
    gateEntryKb: gate.entryKb,
    hookEntryKb: hook.entryKb,
    gateTotalKb: gate.totalKb,
    hookTotalKb: hook.totalKb,
    // The honest figure: import and the first event (see bench/lambda-bundles.ts); the import alone beside it.
    coldStartRatio: Math.max(gate.coldStart.firstEvent.ratio, hook.coldStart.firstEvent.ratio),
    coldStartRatioWithSourceMaps: Math.max(gate.coldStartWithSourceMaps.firstEvent.ratio, hook.coldStartWithSourceMaps.firstEvent.ratio),
    coldImportRatio: Math.max(gate.coldStart.importOnly.ratio, hook.coldStart.importOnly.ratio),
    engineToParseRatio: figures.engine.engineToParseRatio,
    engineGrowth: figures.growth.growth,
    jsonParseGrowth: figures.growth.jsonParseGrowth,
    engineGrowthVsJsonParse: figures.growth.growthVsJsonParse,
  };
}
