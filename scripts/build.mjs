#!/usr/bin/env node
/*
 * `npm run build`, and `prepare` (which `npm ci`, `npm install` and `npm pack` run): the compiled package.
 *
 *   dist/infra, dist/functions   tsc output of the construct library and what it imports, with .d.ts (package.json "main"/"types")
 *   dist/cli/main.js             the CLI, one esbuild bundle: bin/fargate-gate.js runs it, so `npx fargate-gate` starts without
 *                                a TypeScript loader and without resolving a hundred modules one by one
 *   dist/cli/simulate.js         `simulate`, bundled apart and loaded only by that command, so `evaluate` does not parse it
 *
 * `node scripts/build.mjs cli` rebuilds only the CLI bundles (under a second; test/cli/bin.test.ts does it so the bin it spawns
 * runs the current sources).
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const cliOnly = process.argv[2] === 'cli';

if (!cliOnly) {
  rmSync(join(root, 'dist'), { recursive: true, force: true });
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
}

/**
 * program.ts loads `./simulate` with a dynamic import: it stays a dynamic import of the sibling bundle instead of being
 * inlined. Node resolves a dynamic import by ESM rules, which add no extension, so the path gets the bundle's `.js`
 * (without it: "Cannot find module .../dist/cli/simulate imported from .../dist/cli/main.js").
 */
function siblingBundle(specifier) {
  return {
    name: 'sibling-bundle',
    setup(build) {
      build.onResolve({ filter: new RegExp(`^${specifier.replace(/[.\/]/g, '\\$&')}$`) }, (args) =>
        args.kind === 'dynamic-import' ? { path: `${specifier}.js`, external: true } : undefined,
      );
    },
  };
}

const esbuild = require('esbuild');
await esbuild.build({
  absWorkingDir: root,
  entryPoints: ['functions/cli/main.ts', 'functions/cli/simulate.ts'],
  outdir: 'dist/cli',
  bundle: true,
  platform: 'node',
  // package.json "engines": the oldest Node the bin supports.
  target: 'node20',
  format: 'cjs',
  plugins: [siblingBundle('./simulate')],
  // Whitespace and syntax only: identifiers stay readable in an "unexpected error" stack trace.
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'eof',
  logLevel: 'warning',
});
