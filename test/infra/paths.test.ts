import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INLINE_SCAN_BUILDSPEC, projectRoot } from '../../infra/paths';

describe('projectRoot', () => {
  let root: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'fargate-gate-root-'));
    writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'fargate-gate' }));
    mkdirSync(join(root, 'buildspecs'));
    writeFileSync(join(root, INLINE_SCAN_BUILDSPEC), 'version: 0.2\n');
  });

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('finds the checkout from its TypeScript sources', () => {
    mkdirSync(join(root, 'infra'));
    expect(projectRoot(join(root, 'infra'))).toBe(root);
  });

  it('finds the checkout from the compiled construct, past the package.json copy the build writes into dist/', () => {
    // `npm run build` emits dist/package.json because the CLI imports package.json for its version.
    mkdirSync(join(root, 'dist/infra'), { recursive: true });
    writeFileSync(join(root, 'dist/package.json'), JSON.stringify({ name: 'fargate-gate' }));
    expect(projectRoot(join(root, 'dist/infra'))).toBe(root);
  });

  it('skips package.json files of other packages on the way up', () => {
    mkdirSync(join(root, 'node_modules/other/lib'), { recursive: true });
    writeFileSync(join(root, 'node_modules/other/package.json'), JSON.stringify({ name: 'other' }));
    expect(projectRoot(join(root, 'node_modules/other/lib'))).toBe(root);
  });

  it('says what it looked for when there is no checkout above', () => {
    expect(() => projectRoot(tmpdir())).toThrow(/cannot find the fargate-gate project \(its package\.json beside buildspecs\/inline-scan\.yml\) above/);
  });

  it('finds this checkout', () => {
    expect(projectRoot()).toBe(join(__dirname, '../..'));
  });
});
