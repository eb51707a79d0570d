import { InputError } from './errors';

/*
 * The one limit on the size of a scanner report, wherever the gate reads one: `fargate-gate evaluate` (a developer's
 * machine, CI, and the scan build's own evaluator) and the Lambda functions reading reports from S3. One number, so a
 * report CI accepts is never refused in production, or the reverse.
 */

const KIB = 1024;
const MIB = 1024 * KIB;
const GIB = 1024 * MIB;

/**
 * Largest raw report read by default: 64 MiB. Trivy JSON for big images is tens of MB. Reading and parsing a report
 * takes several times its size in memory (the bytes, the text, the parsed JSON, the findings): a 64 MiB report peaks
 * near 320 MB of RSS, so the functions that read reports need 1024 MB (the size also buys CPU for the parse).
 */
export const DEFAULT_MAX_REPORT_BYTES = 64 * MIB;

/** Highest limit a setting may ask for: past it no Lambda function (10 GB at most) could parse the report. */
export const MAX_REPORT_BYTES_CEILING = 2 * GIB;

/** How each place names the setting that raises the limit, for the message that refuses a report. */
export const REPORT_SIZE_SETTING = {
  cli: '--max-report-size (e.g. --max-report-size 128MiB)',
  // The stack setting reaches the functions (GATE_MAX_REPORT_BYTES) and the scan build's evaluator (--max-report-size) alike.
  lambda: 'the FargateGate prop maxReportSize (context key fargate-gate:max-report-size), which the scan build\'s evaluator also applies',
} as const;

const UNITS: Record<string, number> = { '': 1, b: 1, k: KIB, kb: KIB, kib: KIB, m: MIB, mb: MIB, mib: MIB, g: GIB, gb: GIB, gib: GIB };

/**
 * A size as people write it: `128MiB`, `512 MB`, `2g` or a number of bytes. Units are powers of 1024 whatever their
 * spelling, so `64MB` is the default limit. An `InputError` naming `what` when it is not a size within bounds (by default
 * 1 byte to the report ceiling; a setting that measures something else, such as an image, gives its own).
 */
export function parseByteSize(text: string, what: string, bounds: { min?: number; max?: number } = {}): number {
  const min = bounds.min ?? 1;
  const max = bounds.max ?? MAX_REPORT_BYTES_CEILING;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = match ? UNITS[match[2].toLowerCase()] : undefined;
  if (!match || unit === undefined) {
    throw new InputError(`${what}: expected a size such as "128MiB", "512MB" or a number of bytes, got ${JSON.stringify(text)}`);
  }
  const bytes = Math.floor(Number(match[1]) * unit);
  if (bytes < min || bytes > max) {
    throw new InputError(`${what}: expected a size from ${min === 1 ? '1 byte' : formatBytes(min)} to ${formatBytes(max)}, got ${JSON.stringify(text)}`);
  }
  return bytes;
}

/** `67108864` → `64 MiB`; sizes that are not a whole number of units keep one decimal: `1.5 KiB`. */
export function formatBytes(bytes: number): string {
  for (const [unit, size] of [['GiB', GIB], ['MiB', MIB], ['KiB', KIB]] as const) {
    if (bytes >= size) {
      const value = bytes / size;
      return `${Number.isInteger(value) ? value : value.toFixed(1)} ${unit}`;
    }
  }
  return `${bytes} bytes`;
}

/**
 * The error for a report over the limit. `size` is what is known: the exact size, or (`atLeast`) that it has more
 * bytes than the limit, when the length was not given in advance or the file grew while it was read.
 */
export function reportTooLarge(options: { source: string; size?: number; limit: number; raiseWith: string; what?: string }): InputError {
  const { size, limit } = options;
  const what = size === undefined ? `has more than ${limit} bytes` : `is ${formatBytes(size)} (${size} bytes)`;
  // A file read under the same limit (a KEV catalogue beside the reports) is named as what it is.
  return new InputError(
    `the ${options.what ?? 'scan report'} ${what}, more than the ${formatBytes(limit)} (${limit}-byte) limit for a scanner report; it was not read. ` +
      `Raise the limit with ${options.raiseWith} if such reports are expected`,
    { source: options.source },
  );
}
