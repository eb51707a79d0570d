import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, fixture } from './harness';

/*
 * The real binary, as `npx fargate-gate` runs it: bin/fargate-gate.js loads the compiled CLI (dist/cli, built by
 * scripts/build.mjs). These are the only CLI tests that pay for child processes; everything else drives runCli in-process.
 * Every command, and every command's --help, runs on each supported Node.js major: 20 (package.json engines) and 22
 * (the Lambda runtime, and the current LTS).
 */
const BIN = join(REPO_ROOT, 'bin/fargate-gate.js');
const SUPPORTED_NODE_MAJORS = [20, 22] as const;

// The bundle the bin loads is rebuilt from the current sources first (esbuild, about a second), so a stale dist/ is never what is tested.
const build = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts/build.mjs'), 'cli'], { cwd: REPO_ROOT, encoding: 'utf8' });
if (build.status !== 0) throw new Error(`scripts/build.mjs cli failed:\n${build.stderr}`);

function run(args: string[], node: string = process.execPath): SpawnSyncReturns<string> {
  const child = spawnSync(node, [BIN, ...args], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  if (child.error) throw child.error;
  return child;
}

/**
 * The `node` of a supported major: this Jest's own when it is that major, else FARGATE_GATE_NODE<major>, else the
 * cache scripts/install-node.mjs installs to. Missing, the test fails saying how to provide it: it never skips.
 */
function nodeBinary(major: number): string {
  if (Number(process.versions.node.split('.')[0]) === major) return process.execPath;
  const variable = `FARGATE_GATE_NODE${major}`;
  const fromEnv = process.env[variable];
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`${variable}=${fromEnv}: no such file`);
    return fromEnv;
  }
  const where = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts/install-node.mjs'), String(major), '--where'], { encoding: 'utf8' });
  const cached = where.stdout.trim();
  if (where.status === 0 && existsSync(cached)) return cached;
  throw new Error(
    `Node.js ${major} is needed to test the bin on every supported Node, and none was found. Install it with ` +
      `\`node scripts/install-node.mjs ${major}\` (from the npm registry, into ${cached}), or set ${variable} to a Node.js ${major} binary.`,
  );
}

/**
 * Command paths (`evaluate`, `policy validate`) as the bin's own --help lists them, recursively: a new command is covered
 * without editing this test. `help [command]` is commander's own help command: run (RUNS), but it has no --help of its own.
 */
function listCommands(path: string[] = []): { path: string[]; hasSubcommands: boolean }[] {
  const help = run([...path, '--help']);
  if (help.status !== 0) throw new Error(`fargate-gate ${[...path, '--help'].join(' ')} exited ${help.status}: ${help.stderr}`);
  const section = help.stdout.split(/^Commands:\n/m)[1];
  if (section === undefined) return [];
  // Each command starts a line with two spaces and its name; description continuation lines are indented further.
  const names = [...section.matchAll(/^ {2}(\S+)/gm)].map((match) => match[1]);
  return names.flatMap((name) => {
    const sub = name === 'help' ? [] : listCommands([...path, name]);
    return [{ path: [...path, name], hasSubcommands: sub.length > 0 }, ...sub];
  });
}

const COMMANDS = listCommands();
const GROUPS = COMMANDS.filter((command) => command.hasSubcommands).map((command) => command.path.join(' '));
const LEAVES = COMMANDS.filter((command) => !command.hasSubcommands).map((command) => command.path.join(' '));

/** One real run of every command that does something, and what it must print. A command the bin lists must have one. */
const RUNS: Record<string, { args: string[]; check: (child: SpawnSyncReturns<string>) => void }> = {
  evaluate: {
    args: ['evaluate', '--report', fixture('trivy-payments-api-root-critical.json'), '--format', 'json'],
    check: (child) => {
      expect(child.stderr).toBe('');
      expect(child.status).toBe(1);
      const result = JSON.parse(child.stdout) as { decision: string; violations: { rule: string; id: string }[] };
      expect(result.decision).toBe('fail');
      expect(result.violations.map((v) => `${v.rule} ${v.id}`).sort()).toEqual(['rootUser rootUser', 'vulnerabilities CVE-2024-45491']);
    },
  },
  'policy validate': {
    args: ['policy', 'validate', 'policies/strict.json'],
    check: (child) => {
      expect(child.stderr).toBe('');
      expect(child.status).toBe(0);
      expect(child.stdout).toMatch(/^policies\/strict\.json: valid policy "[^"]+" \(schemaVersion \d+, sha256 [0-9a-f]{64}\)\n$/);
    },
  },
  'policy schema': {
    args: ['policy', 'schema'],
    check: (child) => {
      expect(child.status).toBe(0);
      expect(JSON.parse(child.stdout)).toEqual(JSON.parse(readFileSync(join(REPO_ROOT, 'policies/policy.schema.json'), 'utf8')));
    },
  },
  // The demo, as README's quick start tells a user to run it: `npx fargate-gate simulate --scenario examples/scenarios/demo.json`.
  simulate: {
    args: ['simulate', '--scenario', 'examples/scenarios/demo.json'],
    check: (child) => {
      expect(child.stderr).toBe('');
      expect(child.status).toBe(0);
      expect(child.stdout).toMatch(/expectations: (\d+)\/\1 met/);
    },
  },
  // The in-use report of a simulation's end, as CSV: the running ingest worker, passing under its exception.
  report: {
    args: ['report', '--scenario', 'examples/scenarios/exception.json', '--format', 'csv'],
    check: (child) => {
      expect(child.stderr).toBe('');
      expect(child.status).toBe(0);
      const lines = child.stdout.split('\r\n');
      expect(lines[0]).toMatch(/^digest,decision,mode,images,/);
      expect(lines[1]).toMatch(/^sha256:[0-9a-f]{64},pass,enforce,[^,]*ingest-worker/);
      expect(lines).toHaveLength(3);
    },
  },
  help: {
    args: ['help', 'evaluate'],
    check: (child) => {
      expect(child.status).toBe(0);
      expect(child.stdout).toContain('Usage: fargate-gate evaluate [options]');
    },
  },
  'policy help': {
    args: ['policy', 'help', 'validate'],
    check: (child) => {
      expect(child.status).toBe(0);
      expect(child.stdout).toContain('Usage: fargate-gate policy validate [options] <FILE>');
    },
  },
};

describe('bin/fargate-gate.js: the commands it lists', () => {
  it('lists the commands this test runs, each with a real run in RUNS (add one for a new command)', () => {
    expect(GROUPS).toEqual(['policy']);
    expect([...LEAVES].sort()).toEqual(Object.keys(RUNS).sort());
  });
});

describe.each(SUPPORTED_NODE_MAJORS)('bin/fargate-gate.js on Node.js %i', (major) => {
  it(`runs on Node.js ${major}`, () => {
    const version = spawnSync(nodeBinary(major), ['--version'], { encoding: 'utf8' }).stdout.trim();
    expect(version).toMatch(new RegExp(`^v${major}\\.`));
  });

  it.each(LEAVES)('%s', (command) => {
    const { args, check } = RUNS[command];
    check(run(args, nodeBinary(major)));
  });

  it.each([[], ...COMMANDS.map((command) => command.path).filter((path) => path.at(-1) !== 'help')].map((path) => [[...path, '--help'].join(' '), path]))('%s', (_name, path) => {
    const child = run([...path, '--help'], nodeBinary(major));
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    expect(child.stdout).toContain(`Usage: ${['fargate-gate', ...path].join(' ')} [options]`);
  });

  it('simulate of a missing scenario: a message naming the file on stderr, exit 2', () => {
    const child = run(['simulate', '--scenario', 'no-such-scenario.json'], nodeBinary(major));
    expect(child.status).toBe(2);
    expect(child.stdout).toBe('');
    expect(child.stderr).toBe(`fargate-gate simulate: ${join(REPO_ROOT, 'no-such-scenario.json')}: cannot read scenario: no such file or directory\n`);
  });
});

describe('bin/fargate-gate.js', () => {
  // The organisation example (docs/organisation.md) through the bundle: the in-memory organisation, the account routing
  // and the member credentials are in dist/cli/simulate.js.
  it('simulate of the organisation example: met, with the stop in the member account that runs the failing task', () => {
    const child = run(['simulate', '--scenario', 'examples/scenarios/organisation-two-members.json']);
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    expect(child.stdout).toMatch(/expectations: (\d+)\/\1 met/);
    expect(child.stdout).toContain('account 444455556666 (member): stopTask 1, member role assumptions 1, MemberRoleErrors none');
    expect(child.stdout).toContain('account 777788889999 (member): stopTask 0, member role assumptions 1, MemberRoleErrors none');
  });

  it('bad input: a message on stderr, exit 2', () => {
    const child = run(['evaluate', '--report', 'no-such-report.json']);
    expect(child.status).toBe(2);
    expect(child.stdout).toBe('');
    expect(child.stderr).toBe('fargate-gate: no-such-report.json: cannot read scan report: no such file or directory\n');
  });

  it('leaves the simulator to its own bundle: evaluate and report --in-use never parse it', () => {
    const main = readFileSync(join(REPO_ROOT, 'dist/cli/main.js'), 'utf8');
    const simulator = readFileSync(join(REPO_ROOT, 'dist/cli/simulate.js'), 'utf8');
    for (const name of ['function runScenario', 'function loadScenario', 'function inUseReportOfScenario']) {
      expect({ name, inMain: main.includes(name), inSimulator: simulator.includes(name) }).toEqual({ name, inMain: false, inSimulator: true });
    }
  });

  it('without a build (dist/cli missing): says how to build, exit 2', () => {
    // A copy of the bin beside no dist/: what a clone installed with --ignore-scripts has.
    const dir = mkdtempSync(join(tmpdir(), 'fargate-gate-bin-'));
    try {
      mkdirSync(join(dir, 'bin'));
      copyFileSync(BIN, join(dir, 'bin/fargate-gate.js'));
      const child = spawnSync(process.execPath, [join(dir, 'bin/fargate-gate.js'), '--help'], { encoding: 'utf8' });
      expect(child.status).toBe(2);
      expect(child.stdout).toBe('');
      expect(child.stderr).toContain(`the CLI is not built (${join(dir, 'dist/cli/main.js')} is missing)`);
      expect(child.stderr).toContain('npm run build');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  /** Runs the binary with stdout a pipe whose reader is gone before anything is written, as with `| head -0` or a consumer that quit. */
  function runIntoClosedPipe(args: string[]): Promise<{ code: number | null; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
      // Closing our end of the pipe leaves the child's stdout without a reader: its first write fails with EPIPE.
      child.stdout.destroy();
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
      });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stderr }));
    });
  }

  it('a reader that goes away (`| head -1`): no stack trace, and the exit status is still the verdict', async () => {
    const passing = await runIntoClosedPipe(['evaluate', '--report', fixture('trivy-payments-api-nonroot.json'), '--format', 'json']);
    expect(passing).toEqual({ code: 0, stderr: '' });
    const failing = await runIntoClosedPipe(['evaluate', '--report', fixture('trivy-payments-api-root-critical.json')]);
    expect(failing).toEqual({ code: 1, stderr: '' });
  });
});
