import { readFileSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { InputError } from '../core/errors';
import { parseJsonText } from '../core/json-text';
import { reportTooLarge } from '../core/report-size';

/*
 * Reading the files a person names (policy, reports, task definitions, scenarios) with errors that say what went
 * wrong in words, the same from the CLI, `cdk synth` and a Lambda cold start. Core stays free of I/O: it gets text.
 */

export interface FileContext {
  /** How the person named the file (the path as typed, or the document that refers to it): opens every message. */
  source: string;
  /** What the file holds (`policy`, `scan report`): `cannot read policy: no such file or directory`. */
  what: string;
  /** JSON path inside `source` of the reference to this file, when another document names it (read errors only). */
  path?: string;
}

/** A file-system error in words (`no such file or directory`), for a message that already names the file. */
export function describeFileError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EISDIR':
      return 'is a directory, expected a file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOTDIR':
      return 'a part of the path is not a directory';
    default:
      return code ? `${code}: ${(error as Error).message}` : String(error);
  }
}

function readError(error: unknown, context: FileContext): InputError {
  return new InputError(`cannot read ${context.what}: ${describeFileError(error)}`, {
    source: context.source,
    ...(context.path ? { path: context.path } : {}),
    cause: error,
  });
}

/** The UTF-8 text of the file at `path`; an `InputError` naming `context.source` when it cannot be read. */
export async function readTextFile(path: string, context: FileContext): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw readError(error, context);
  }
}

/** A cap on what `readTextFileWithin` reads, and how the person raises it (named in the error). */
export interface ReadLimit {
  maxBytes: number;
  raiseWith: string;
}

const CHUNK_BYTES = 1024 * 1024;

/**
 * `readTextFile` that never reads more than `limit.maxBytes` (plus one chunk): a file whose size is already over it
 * is refused before a byte is read, and one that grows while it is read (or has no size: a pipe) is refused as soon
 * as it passes the limit. The error names the file, its size and the limit, and how to raise it.
 */
export async function readTextFileWithin(path: string, context: FileContext, limit: ReadLimit): Promise<string> {
  const tooLarge = (size?: number) =>
    reportTooLarge({ source: context.source, what: context.what, limit: limit.maxBytes, raiseWith: limit.raiseWith, ...(size !== undefined ? { size } : {}) });
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw readError(error, context);
  }
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    try {
      const stat = await handle.stat();
      if (stat.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
      if (stat.isFile() && stat.size > limit.maxBytes) throw tooLarge(stat.size);
      for (;;) {
        const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
        const { bytesRead } = await handle.read(chunk, 0, CHUNK_BYTES, null);
        if (bytesRead === 0) break;
        total += bytesRead;
        if (total > limit.maxBytes) throw tooLarge();
        chunks.push(chunk.subarray(0, bytesRead));
      }
    } catch (error) {
      throw error instanceof InputError ? error : readError(error, context);
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } finally {
    await handle.close();
  }
}

/** `readTextFile` for the places that cannot wait: `cdk synth` and a Lambda cold start. */
export function readTextFileSync(path: string, context: FileContext): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw readError(error, context);
  }
}

/** The JSON document in the file at `path`: read errors as `readTextFile`, empty or invalid JSON as `parseJsonText`. */
export async function readJsonFile(path: string, context: FileContext): Promise<unknown> {
  return parseJsonText(await readTextFile(path, context), context);
}

/** `readJsonFile`, synchronously. */
export function readJsonFileSync(path: string, context: FileContext): unknown {
  return parseJsonText(readTextFileSync(path, context), context);
}
