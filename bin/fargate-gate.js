#!/usr/bin/env node
'use strict';
// Runs the compiled CLI (dist/cli/main.js, an esbuild bundle of functions/cli/main.ts). `npm ci` and `npm install` build it
// through the package's `prepare` script, and `npm pack` puts it in the tarball; TypeScript is not needed at run time.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const cli = join(__dirname, '..', 'dist', 'cli', 'main.js');
if (!existsSync(cli)) {
  process.stderr.write(
    `fargate-gate: the CLI is not built (${cli} is missing). In a clone of fargate-gate, run \`npm run build\` ` +
      '(`npm ci` does it through the prepare script, unless run with --ignore-scripts).\n',
  );
  process.exitCode = 2;
} else {
  require(cli);
}
