import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT, fixture } from './harness';

/*
 * The real binary, as `npx fargate-gate` runs it right after `npm ci`: bin/fargate-gate.js loads the TypeScript
 * CLI through tsx. This is the only test that pays for a child process; everything else drives runCli in-process.
 */
const BIN = join(REPO_ROOT, 'bin/fargate-gate.js');

function run(args: string[]) {
  const child = spawnSync(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  if (child.error) throw child.error;
  return child;
}

describe('bin/fargate-gate.js', () => {
  it('evaluate --format json: the result on stdout and the policy verdict as the exit status', () => {
    const child = run(['evaluate', '--report', fixture('trivy-payments-api-root-critical.json'), '--format', 'json']);
    expect(child.stderr).toBe('');
    expect(child.status).toBe(1);
    const result = JSON.parse(child.stdout) as { decision: string; violations: { rule: string; id: string }[] };
    expect(result.decision).toBe('fail');
    expect(result.violations.map((v) => `${v.rule} ${v.id}`).sort()).toEqual(['rootUser rootUser', 'vulnerabilities CVE-2024-45491']);
  });

  it('--help: usage on stdout, exit 0', () => {
    const child = run(['--help']);
    expect(child.status).toBe(0);
    expect(child.stdout).toContain('Usage: fargate-gate [options] [command]');
    expect(child.stdout).toMatch(/evaluate \[options\]/);
    expect(child.stdout).toMatch(/policy/);
  });

  it('bad input: a message on stderr, exit 2', () => {
    const child = run(['evaluate', '--report', 'no-such-report.json']);
    expect(child.status).toBe(2);
    expect(child.stdout).toBe('');
    expect(child.stderr).toBe('fargate-gate: no-such-report.json: cannot read scan report: no such file or directory\n');
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
