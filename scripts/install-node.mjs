#!/usr/bin/env node
/*
 * `node scripts/install-node.mjs 22`: installs Node.js 22 for the test that runs the bin on every supported Node
 * (test/cli/bin.test.ts) and prints the path of its `node`. The binary is the npm registry's official
 * `node-<platform>-<arch>` package (the release binary, no install script), kept in a cache outside the project,
 * so `npm ci` does not wipe it: `$XDG_CACHE_HOME/fargate-gate/node-<major>` (default `~/.cache/...`).
 *
 * `--where` prints the path it would install to, installing nothing (the test looks there when FARGATE_GATE_NODE<major>
 * is not set).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const [major, flag] = process.argv.slice(2);
if (!/^\d+$/.test(major ?? '') || (flag !== undefined && flag !== '--where')) {
  process.stderr.write('usage: node scripts/install-node.mjs <major version, e.g. 22> [--where]\n');
  process.exit(2);
}
const pkg = `node-${process.platform}-${process.arch}`;
const dir = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'fargate-gate', `node-${major}`);
const binary = join(dir, 'node_modules', pkg, 'bin', process.platform === 'win32' ? 'node.exe' : 'node');
if (flag === '--where') {
  process.stdout.write(`${binary}\n`);
  process.exit(0);
}
if (!existsSync(binary)) {
  execFileSync('npm', ['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--prefix', dir, `${pkg}@${major}`], {
    stdio: ['ignore', 'ignore', 'inherit'],
    shell: process.platform === 'win32',
  });
}
const version = execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
if (!version.startsWith(`v${major}.`)) {
  process.stderr.write(`${binary} is ${version}, not Node.js ${major}\n`);
  process.exit(1);
}
process.stdout.write(`${binary}\n`);
