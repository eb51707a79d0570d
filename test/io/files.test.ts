import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../functions/core/errors';
import { describeFileError, readJsonFile, readJsonFileSync, readTextFile, readTextFileSync, readTextFileWithin } from '../../functions/io/files';

const dir = mkdtempSync(join(tmpdir(), 'fargate-gate-io-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

/** The error of a sync call and of its async twin: the two must agree to the letter. */
async function bothErrors(sync: () => unknown, async: () => Promise<unknown>): Promise<InputError> {
  let syncError: unknown;
  try {
    sync();
  } catch (error) {
    syncError = error;
  }
  const asyncError = await async().then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(syncError).toBeInstanceOf(InputError);
  expect(asyncError).toBeInstanceOf(InputError);
  expect((asyncError as InputError).message).toBe((syncError as InputError).message);
  return syncError as InputError;
}

describe('describeFileError', () => {
  it.each([
    ['ENOENT', 'no such file or directory'],
    ['EISDIR', 'is a directory, expected a file'],
    ['EACCES', 'permission denied'],
    ['EPERM', 'permission denied'],
    ['ENOTDIR', 'a part of the path is not a directory'],
  ])('says %s in words', (code, words) => {
    expect(describeFileError(Object.assign(new Error(`${code}: raw`), { code }))).toBe(words);
  });

  it('gives the code and the message of any other error, and anything thrown that is not an error', () => {
    expect(describeFileError(Object.assign(new Error("EMFILE: too many open files, open '/x'"), { code: 'EMFILE' }))).toBe("EMFILE: EMFILE: too many open files, open '/x'");
    expect(describeFileError('disk on fire')).toBe('disk on fire');
    expect(describeFileError(undefined)).toBe('undefined');
  });
});

describe('readTextFile and readTextFileSync', () => {
  const context = { source: 'policies/prod.json', what: 'policy' };

  it('read the text of a file as UTF-8', async () => {
    const path = file('text.json', '{"name": "é"}');
    expect(readTextFileSync(path, context)).toBe('{"name": "é"}');
    await expect(readTextFile(path, context)).resolves.toBe('{"name": "é"}');
  });

  it.each([
    ['a missing file', () => join(dir, 'missing.json'), 'no such file or directory'],
    ['a directory', () => dir, 'is a directory, expected a file'],
    ['a path through a file', () => join(file('plain.txt', 'x'), 'child.json'), 'a part of the path is not a directory'],
  ])('name the source and say what went wrong for %s', async (_case, pathOf, words) => {
    const path = pathOf();
    const error = await bothErrors(
      () => readTextFileSync(path, context),
      () => readTextFile(path, context),
    );
    expect(error.message).toBe(`policies/prod.json: cannot read policy: ${words}`);
    expect(error.source).toBe('policies/prod.json');
    expect((error.cause as NodeJS.ErrnoException).code).toBeDefined();
  });

  it('put the JSON path of the reference after the source, when another document names the file', async () => {
    const context = { source: 'scenario.json', path: 'images["web:1"].scan.report', what: 'report "r.json"' };
    const error = await bothErrors(
      () => readTextFileSync(join(dir, 'r.json'), context),
      () => readTextFile(join(dir, 'r.json'), context),
    );
    expect(error.message).toBe('scenario.json at images["web:1"].scan.report: cannot read report "r.json": no such file or directory');
    expect(error.path).toBe('images["web:1"].scan.report');
  });
});

describe('readJsonFile and readJsonFileSync', () => {
  const context = { source: 'taskdef.json', what: 'task definition' };

  it('parse the file, ignoring a byte-order mark', async () => {
    const path = file('bom.json', '\ufeff{"family": "web"}');
    expect(readJsonFileSync(path, context)).toEqual({ family: 'web' });
    await expect(readJsonFile(path, context)).resolves.toEqual({ family: 'web' });
  });

  it.each([
    ['an empty file', '\n', 'taskdef.json: the task definition is empty; expected a JSON document'],
    ['a file that is not JSON', '{"family": web}', 'taskdef.json: the task definition is not valid JSON at line 1, column 12 (character 11): expected a JSON value'],
  ])('say the same of %s', async (name, text, message) => {
    const path = file(`${name.replace(/ /g, '-')}.json`, text);
    const error = await bothErrors(
      () => readJsonFileSync(path, context),
      () => readJsonFile(path, context),
    );
    expect(error.message).toBe(message);
  });

  it('report a file it cannot read as a read error, not as JSON', async () => {
    const error = await bothErrors(
      () => readJsonFileSync(dir, context),
      () => readJsonFile(dir, context),
    );
    expect(error.message).toBe('taskdef.json: cannot read task definition: is a directory, expected a file');
  });
});

describe('readTextFileWithin', () => {
  const context = { source: 'report.json', what: 'scan report' };
  const limit = { maxBytes: 1024, raiseWith: '--max-report-size' };

  it('reads a file up to the limit whole', async () => {
    const text = '€'.repeat(341) + 'x'; // 1024 bytes of UTF-8
    expect(await readTextFileWithin(file('at-limit.json', text), context, limit)).toBe(text);
  });

  it('refuses a file over the limit by its size, naming it, the size, the limit and the setting', async () => {
    const error = await readTextFileWithin(file('over.json', 'x'.repeat(1025)), context, limit).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toBe(
      'report.json: the scan report is 1.0 KiB (1025 bytes), more than the 1 KiB (1024-byte) limit for a scanner report; it was not read. ' +
        'Raise the limit with --max-report-size if such reports are expected',
    );
  });

  it('stops at the limit on a file without an end (a device, a pipe, a file that grows while it is read)', async () => {
    // Old code read /dev/zero until memory ran out; the cap must hold on the bytes read, not on the size stated up front.
    await expect(readTextFileWithin('/dev/zero', context, limit)).rejects.toThrow('report.json: the scan report has more than 1024 bytes');
  });

  it('says what is wrong with a missing file or a directory, like readTextFile', async () => {
    await expect(readTextFileWithin(join(dir, 'missing.json'), context, limit)).rejects.toThrow('report.json: cannot read scan report: no such file or directory');
    await expect(readTextFileWithin(dir, context, limit)).rejects.toThrow('report.json: cannot read scan report: is a directory, expected a file');
  });
});
