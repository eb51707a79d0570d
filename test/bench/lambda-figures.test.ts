import type { FunctionBundleFigures } from '../../bench/lambda-bundles';
import { lambdaJsonFigures, type LambdaFigures } from '../../bench/lambda-figures';

const timing = (ratio: number) => ({ bundleMs: 2, bareClientsMs: 1, ratio });
const bundle = (name: string, codeKb: number, ratio: number, withMaps: number, importRatio = 1): FunctionBundleFigures => ({
  name,
  codeKb,
  entryKb: codeKb - 10,
  totalKb: codeKb + 100,
  mapKb: 1,
  clientPackages: [],
  firstEventCalls: [],
  pathClientPackages: [],
  bareClientsKb: 1,
  coldStart: { importOnly: timing(importRatio), firstEvent: timing(ratio) },
  coldStartWithSourceMaps: { importOnly: timing(9), firstEvent: timing(withMaps) },
});

const figures = (functions: FunctionBundleFigures[]): LambdaFigures => ({
  engine: {
    findings: 10_000,
    runs: 8,
    gc: 'global.gc (node --expose-gc)',
    totalMs: 30,
    jsonParseMs: 20,
    engineToParseRatio: 1.5,
    totalSpread: { median: 30, min: 28, max: 33 },
    jsonParseSpread: { median: 20, min: 19, max: 22 },
    ratioSpread: { median: 1.5, min: 1.4, max: 1.6 },
  },
  growth: { sizes: [], gc: 'global.gc (node --expose-gc)', growth: 1.1, jsonParseGrowth: 1.3, growthVsJsonParse: 0.85 },
  bundles: { runs: 3, functions },
});

describe('lambdaJsonFigures', () => {
  it('carries each bundle size, the worse cold-start ratio (import and first event) of the two functions, the import-only ratio beside it, and the engine figures', () => {
    expect(lambdaJsonFigures(figures([bundle('gate', 700, 1.2, 2.1, 3.1), bundle('hook', 650, 1.4, 1.9, 2.5)]))).toEqual({
      gateBundleKb: 700,
      hookBundleKb: 650,
      gateEntryKb: 690,
      hookEntryKb: 640,
      gateTotalKb: 800,
      hookTotalKb: 750,
      coldStartRatio: 1.4,
      coldStartRatioWithSourceMaps: 2.1,
      coldImportRatio: 3.1,
      engineToParseRatio: 1.5,
      engineGrowth: 1.1,
      jsonParseGrowth: 1.3,
      engineGrowthVsJsonParse: 0.85,
    });
  });

  it('fails loudly when a function was not measured', () => {
    expect(() => lambdaJsonFigures(figures([bundle('gate', 700, 1.2, 2.1)]))).toThrow('no bundle figures for the hook function');
  });
});
