import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The checkout (or installed package) the construct ships in: the directory holding this project's package.json and
 * its sources. Found by walking up, so the same code works from `infra/*.ts` under tsx and from a compiled
 * `dist/infra/*.js`. The build copies package.json into `dist/` (the CLI imports it for its version), so the
 * package.json alone is not enough: the root is where the buildspec the scan project runs is too.
 */
export function projectRoot(start: string = __dirname): string {
  let dir = resolve(start);
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && readPackageName(manifest) === 'fargate-gate' && existsSync(join(dir, INLINE_SCAN_BUILDSPEC))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the fargate-gate project (its package.json beside ${INLINE_SCAN_BUILDSPEC}) above ${start}`);
    dir = parent;
  }
}

function readPackageName(manifest: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name;
  } catch {
    return undefined;
  }
}

/** A TypeScript source of the project (`functions/handlers/lambda/gate.ts`), for bundling. */
export function projectFile(relativePath: string): string {
  return join(projectRoot(), relativePath);
}

export const DEFAULT_POLICY_FILE = 'policies/default.json';
export const INLINE_SCAN_BUILDSPEC = 'buildspecs/inline-scan.yml';
export const GATE_HANDLER_ENTRY = 'functions/handlers/lambda/gate.ts';
export const HOOK_HANDLER_ENTRY = 'functions/handlers/lambda/hook.ts';
export const RECONCILE_HANDLER_ENTRY = 'functions/handlers/lambda/reconcile.ts';
export const IN_USE_REPORT_HANDLER_ENTRY = 'functions/handlers/lambda/in-use-report.ts';
export const CLI_ENTRY = 'functions/cli/main.ts';
export const VULNERABILITY_DB_REFRESH_BUILDSPEC = 'buildspecs/vulnerability-db-refresh.yml';
