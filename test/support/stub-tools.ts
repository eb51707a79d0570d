/**
 * Runs buildspec steps under bash with stub tools in place of the real ones (shared by the buildspec tests): no
 * network, and every stub that logs writes to one calls.log a test reads back.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ToolRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface StubTools {
  /** The test's scratch directory: the steps' working directory and HOME; calls.log lives here. */
  readonly work: string;
  /** The directory first on PATH, where `stub` writes unless told another. */
  readonly stubs: string;
  /** Writes an executable bash script `name` with `body` into `dir` (the stubs directory by default). */
  stub(name: string, body: string, dir?: string): void;
  /** Runs `script` under bash in the scratch directory, with the stubs first on PATH, the base environment and `env`. */
  run(script: string, env: Record<string, string>): ToolRun;
  /** What the stubs logged, as one string ('' before any call). */
  calls(): string;
  /** What the stubs logged, a line each. */
  callLines(): string[];
  /**
   * A release tarball holding one executable `binary` with `body`, which the curl stub then serves (copying it to its
   * `--output`) and logs; returns the tarball's SHA-256 (hex).
   */
  serveRelease(binary: string, body: string): string;
}

/**
 * Gives each test of the calling file a fresh scratch directory (registers beforeEach/afterEach), in which curl and
 * aws are stubs that log and fail loudly until a test stubs them itself. `baseEnv` is the steps' environment before
 * the per-run `env`, given the scratch directory.
 */
export function useStubTools(prefix: string, baseEnv: (work: string) => Record<string, string>): StubTools {
  let work = '';
  let stubs = '';
  const calls = () => (existsSync(join(work, 'calls.log')) ? readFileSync(join(work, 'calls.log'), 'utf8') : '');
  const stub = (name: string, body: string, dir = stubs): void => {
    const path = join(dir, name);
    writeFileSync(path, `#!/usr/bin/env bash\n${body}\n`);
    chmodSync(path, 0o755);
  };

  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), prefix));
    stubs = join(work, 'stubs');
    mkdirSync(stubs);
    // Any network tool that is not stubbed per test fails loudly.
    stub('curl', `echo "curl $*" >> "${work}/calls.log"; exit 97`);
    stub('aws', `echo "aws $*" >> "${work}/calls.log"; exit 97`);
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  return {
    get work() {
      return work;
    },
    get stubs() {
      return stubs;
    },
    stub,
    run: (script, env) => {
      const result = spawnSync('bash', ['-c', script], {
        cwd: work,
        encoding: 'utf8',
        env: { PATH: `${stubs}:${process.env.PATH}`, HOME: work, ...baseEnv(work), ...env },
      });
      return { status: result.status, stdout: result.stdout, stderr: result.stderr };
    },
    calls,
    callLines: () => calls().trimEnd().split('\n').filter(Boolean),
    serveRelease: (binary, body) => {
      const release = join(work, 'release');
      mkdirSync(release, { recursive: true });
      stub(binary, body, release);
      const tarball = join(work, `${binary}.tar.gz`);
      execFileSync('tar', ['-czf', tarball, '-C', release, binary]);
      // curl serves the fake release from disk and records what it was asked for.
      stub('curl', `echo "curl $*" >> "${work}/calls.log"; out=""; while [ $# -gt 0 ]; do if [ "$1" = --output ]; then out="$2"; shift; fi; shift; done; cp "${tarball}" "$out"`);
      return createHash('sha256').update(readFileSync(tarball)).digest('hex');
    },
  };
}
