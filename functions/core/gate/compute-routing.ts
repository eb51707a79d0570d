import type { ScanCompute } from './compute-fallback';
import { DEFAULT_EC2_ABOVE_IMAGE_BYTES, isValidEc2AboveImageBytes } from './ec2-above-image-bytes';

/*
 * Where a new scan starts, by the size of its image when the gate knows it before StartBuild. Today's fallback
 * (compute-fallback.ts) moves a scan to EC2 compute only once it has failed on Lambda compute: up to the 15-minute
 * limit, or the time it takes to fill `/tmp`, is lost before the EC2 build even starts. An image known to be too large
 * starts on the EC2 fallback project straight away.
 */

// The setting and its bounds are in ./ec2-above-image-bytes.ts: read at every cold start (handlers/lambda/image-size-threshold.ts),
// the routing when a scan starts.

/** What the gate knows of an image's size before scanning it. */
export type ImageSizeReading = { kind: 'unknown' } | { kind: 'unusable'; value: string } | { kind: 'bytes'; bytes: number };

/**
 * An image size as a registry (or a scenario) gave it. Anything but a whole, non-negative, exactly representable number
 * of bytes is `unusable` (negative, fractional, NaN, Infinity, past 2^53, a string): the gate then knows nothing and the
 * scan starts on Lambda compute as it would without a size. `undefined` and `null` are `unknown`.
 */
export function readImageSize(value: unknown): ImageSizeReading {
  if (value === undefined || value === null) return { kind: 'unknown' };
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) return { kind: 'unusable', value: describe(value) };
  return { kind: 'bytes', bytes: value };
}

/** Where a new scan starts, and why, for the record, the metric and the log. */
export type InitialCompute =
  | { compute: 'scanProject'; reason: 'no-fallback' | 'sbom' | 'size-unknown' | 'size-unusable' | 'under-threshold' }
  | { compute: 'ec2Fallback'; reason: 'size'; bytes: number; thresholdBytes: number };

export interface InitialComputeInput {
  /** The image's size as read (readImageSize). */
  size: ImageSizeReading;
  /** The stack has an EC2 fallback project (its scan project runs on Lambda compute). */
  fallbackAvailable: boolean;
  /** Bytes above which the scan starts on EC2; `DEFAULT_EC2_ABOVE_IMAGE_BYTES` when absent or out of bounds. */
  thresholdBytes?: number;
  /** An SBOM re-judgement pulls no image: its size does not matter. */
  mode?: 'image' | 'sbom';
}

/**
 * The project a new scan starts on. Only an image scan with a usable size strictly over the threshold starts on the EC2
 * fallback project, and only when there is one; everything else starts on the scan project as before (an unknown or
 * unusable size is not a reason to leave the fast start: the failure fallback still catches an image that outgrows it).
 */
export function initialScanCompute(input: InitialComputeInput): InitialCompute {
  if (!input.fallbackAvailable) return { compute: 'scanProject', reason: 'no-fallback' };
  if (input.mode === 'sbom') return { compute: 'scanProject', reason: 'sbom' };
  if (input.size.kind === 'unknown') return { compute: 'scanProject', reason: 'size-unknown' };
  if (input.size.kind === 'unusable') return { compute: 'scanProject', reason: 'size-unusable' };
  const thresholdBytes = effectiveThreshold(input.thresholdBytes);
  if (input.size.bytes <= thresholdBytes) return { compute: 'scanProject', reason: 'under-threshold' };
  return { compute: 'ec2Fallback', reason: 'size', bytes: input.size.bytes, thresholdBytes };
}

/** The threshold in force: the one given when it is valid, else the default (a damaged setting never routes everything). */
export function effectiveThreshold(thresholdBytes: number | undefined): number {
  return thresholdBytes !== undefined && isValidEc2AboveImageBytes(thresholdBytes) ? thresholdBytes : DEFAULT_EC2_ABOVE_IMAGE_BYTES;
}

/** The scan record's `compute` for a decision: absent (the scan project) or `ec2Fallback`. */
export function recordComputeOf(decision: InitialCompute): ScanCompute | undefined {
  return decision.compute === 'ec2Fallback' ? 'ec2Fallback' : undefined;
}

function describe(value: unknown): string {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? JSON.stringify(value) : typeof value;
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
