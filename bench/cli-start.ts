import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface CliStartFigures {
  /** Median wall time of `node -e 0`, ms. */
  bareNodeMs: number;
  /** Median wall time of `node bin/fargate-gate.js evaluate --report <small report>`, ms. */
  cliMs: number;
  /** cliMs / bareNodeMs: the CLI's start-up cost in units of a bare Node start on the same machine, in the same run. */
  ratio: number;
  runs: number;
}

/**
 * The CLI's start-up, as a CI pipeline pays it on every run: the real bin evaluating a small report (a 3 KiB Trivy
 * report, default policy), against a bare `node -e 0`. The two alternate run by run, so a busy machine slows both
 * alike; each figure is the median of `runs`. Runs the compiled CLI, which `npm run build` (or npm ci's prepare) makes.
 */
export function measureCliStart(root: string, runs = 5): CliStartFigures {
  const bin = join(root, 'bin/fargate-gate.js');
  if (!existsSync(join(root, 'dist/cli/main.js'))) throw new Error('the CLI is not built: run `npm run build` before the bench');
  const report = join(root, 'test/fixtures/cli/trivy-payments-api-nonroot.json');
  const time = (args: string[], expectedStatus: number): number => {
    const start = process.hrtime.bigint();
    const child = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (child.status !== expectedStatus) throw new Error(`node ${args.join(' ')} exited ${child.status}: ${child.stderr}`);
    return ms;
  };
  // One warm-up each: the first start reads files the later ones find in the page cache.
  time(['-e', '0'], 0);
  time([bin, 'evaluate', '--report', report], 0);
  const bare: number[] = [];
  const cli: number[] = [];
  for (let i = 0; i < runs; i++) {
    bare.push(time(['-e', '0'], 0));
    cli.push(time([bin, 'evaluate', '--report', report], 0));
  }
  const bareNodeMs = median(bare);
  const cliMs = median(cli);
  return { bareNodeMs: round1(bareNodeMs), cliMs: round1(cliMs), ratio: Math.round((cliMs / bareNodeMs) * 100) / 100, runs };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const round1 = (ms: number): number => Math.round(ms * 10) / 10;
