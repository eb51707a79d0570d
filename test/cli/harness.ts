import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCli, type CliIo } from '../../functions/cli/program';

/** `test/fixtures/cli/NAME`. */
export function fixture(name: string): string {
  return resolve(__dirname, '../fixtures/cli', name);
}

export const REPO_ROOT = resolve(__dirname, '../..');

/**
 * The clock the CLI sees in tests, so a result (evaluatedAt, exception expiry, scan age under --check-scan-age)
 * never depends on the day the tests run. The fixtures' scans ran on 2025-06-02..04, within maxScanAge 7d of it.
 */
export const FIXTURE_NOW = new Date('2025-06-05T12:00:00Z');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  now?: Date;
  isTty?: boolean;
  columns?: number;
  cwd?: string;
}

/** Runs the CLI in-process with captured output. */
export async function cli(argv: readonly string[], options: RunOptions = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    isTty: options.isTty ?? false,
    now: () => options.now ?? FIXTURE_NOW,
    ...(options.columns !== undefined ? { columns: options.columns } : {}),
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(prefix = 'fargate-gate-cli-'): { dir: string; path: (name: string) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, path: (name) => join(dir, name), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

// eslint-disable-next-line no-control-regex
export const ANSI = /\u001b\[[0-9;]*m/;
