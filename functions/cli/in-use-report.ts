import { writeFile } from 'node:fs/promises';
import { InputError } from '../core/errors';
import { parseJsonText } from '../core/json-text';
import { IN_USE_REPORT_SCHEMA, inUseReportSchema, type InUseReport } from '../core/posture/in-use-report-schema';
import { DEFAULT_MAX_REPORT_BYTES, REPORT_SIZE_SETTING, parseByteSize } from '../core/report-size';
import { renderInUseCsv } from '../core/render/in-use-csv';
import { renderInUseHtml } from '../core/render/in-use-html';
import { renderInUseJson } from '../core/render/in-use-json';
import { parseWithSchema } from '../core/validation/issues';
import { describeFileError, readTextFileWithin } from '../io/files';

export const IN_USE_FORMATS = ['html', 'csv', 'json'] as const;
export type InUseFormat = (typeof IN_USE_FORMATS)[number];

export interface InUseReportOptions {
  /** An exported in-use report (`fargate-gate/in-use-report@1` JSON), as the scheduled report writes it to S3. */
  inUse?: string;
  /** A simulation scenario: the report of what runs at its end. */
  scenario?: string;
  format: InUseFormat;
  output?: string;
  exceptionWindow?: string;
  maxReportSize?: string;
}

export interface InUseReportIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Resolves a path as the user typed it. */
  pathOf: (file: string) => string;
}

/** Most days ahead `--exception-window` looks: exceptions beyond a year are not "expiring soon". */
const MAX_WINDOW_DAYS = 366;

/**
 * `fargate-gate report`: the in-use report (images in use, their decision, denied findings, expiring exceptions) as
 * HTML, CSV or JSON, from an exported JSON or from a simulation's end. Exit 0 when written; bad input is an
 * `InputError` (exit 2). The report's decisions do not set the exit status: it is a report, not a gate.
 */
export async function inUseReportCommand(options: InUseReportOptions, io: InUseReportIo): Promise<number> {
  if ((options.inUse === undefined) === (options.scenario === undefined)) {
    throw new InputError('give exactly one of --in-use FILE (an exported in-use report) and --scenario FILE (a simulation)');
  }
  const maxBytes = options.maxReportSize !== undefined ? parseByteSize(options.maxReportSize, '--max-report-size') : DEFAULT_MAX_REPORT_BYTES;
  const windowDays = options.exceptionWindow !== undefined ? parseWindow(options.exceptionWindow) : undefined;
  if (windowDays !== undefined && options.inUse !== undefined) {
    throw new InputError('--exception-window applies to --scenario: an exported report was taken with its own window (its exceptionWindowDays)');
  }
  const report = options.inUse !== undefined ? await readInUseReport(options.inUse, io, maxBytes) : await fromScenario(options.scenario as string, windowDays, io);
  const text = render(report, options.format);
  if (options.output === undefined) {
    io.stdout(text);
    return 0;
  }
  try {
    await writeFile(io.pathOf(options.output), text);
  } catch (error) {
    throw new InputError(`cannot write the report (--output): ${describeFileError(error)}`, { source: options.output, cause: error });
  }
  const truncated = report.truncated ? ` (truncated: ${report.truncated.shown} of ${report.truncated.total} images)` : '';
  io.stderr(`fargate-gate: ${report.summary.images} images in use, ${report.summary.byDecision.fail + report.summary.byDecision.error} failing${truncated}; ${options.format} written to ${options.output}\n`);
  return 0;
}

export function render(report: InUseReport, format: InUseFormat): string {
  switch (format) {
    case 'html':
      return renderInUseHtml(report);
    case 'csv':
      return renderInUseCsv(report);
    case 'json':
      return renderInUseJson(report);
  }
}

/** Reads and validates an exported report: an `InputError` names the file and the JSON path of the first problem. */
export async function readInUseReport(file: string, io: Pick<InUseReportIo, 'pathOf'>, maxBytes: number = DEFAULT_MAX_REPORT_BYTES): Promise<InUseReport> {
  const context = { source: file, what: 'in-use report' };
  const text = await readTextFileWithin(io.pathOf(file), context, { maxBytes, raiseWith: REPORT_SIZE_SETTING.cli });
  return parseInUseReport(parseJsonText(text, context), file);
}

/** Validates a parsed export. Its `schema` is checked first, so a file of another kind or version says so, not which key is unknown. */
export function parseInUseReport(value: unknown, source: string): InUseReport {
  const schema = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as { schema?: unknown }).schema : undefined;
  if (schema !== IN_USE_REPORT_SCHEMA) {
    const found = typeof schema === 'string' ? `"${schema.slice(0, 80)}"` : 'no schema';
    throw new InputError(`expected an in-use report ("schema": "${IN_USE_REPORT_SCHEMA}"), found ${found}`, { source, path: 'schema' });
  }
  return parseWithSchema(inUseReportSchema, value, { source, what: 'in-use report' });
}

async function fromScenario(file: string, windowDays: number | undefined, io: InUseReportIo): Promise<InUseReport> {
  // The simulator's own bundle, loaded lazily as `simulate` loads it: rendering an export should not pay for it.
  const { inUseReportOfScenario } = await import('./simulate');
  return inUseReportOfScenario(io.pathOf(file), windowDays !== undefined ? { exceptionWindowDays: windowDays } : {});
}

function parseWindow(text: string): number {
  const days = /^\d{1,3}$/.test(text) ? Number(text) : Number.NaN;
  if (!(days >= 0 && days <= MAX_WINDOW_DAYS)) {
    throw new InputError(`--exception-window: expected whole days from 0 to ${MAX_WINDOW_DAYS}, got ${JSON.stringify(text)}`);
  }
  return days;
}
