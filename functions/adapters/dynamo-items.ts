import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import type * as z from 'zod';
import { providedZod, zodSchema } from '../core/zod-on-demand';
import type { ImageAssessment } from '../core/policy/input';
import type { EnforcementRecord, ScanRecord, ScanState, StoredVerdict, Waiter } from '../core/ports';
import { isListOf, isNonEmptyString, isOptionalString, isRecord } from '../core/events/plain-shape';
import { GATE_TABLE, UNFINISHED_SCANS_PARTITION, itemKeys } from './dynamo-table';
import { MAX_ITEM_BYTES, itemSizeBytes } from './item-size';
import { withZod } from '../io/zod-loader';

/**
 * Item ↔ record conversion for the gate table. Items read back are checked with zod: a damaged or foreign
 * item is reported with its key, never handed to the gate half-formed.
 *
 * Verdict assessments are stored as JSON text (`assessmentJson`, a String attribute), which round-trips exactly
 * what JSON can hold and keeps the item size measurable. When the item would be larger than
 * `compressAboveBytes` the JSON is gzipped into a Binary attribute (`assessmentGzip`) instead: findings lists
 * compress 10-20x, which keeps even an image with thousands of findings far below DynamoDB's 400 KB item
 * limit and makes reads cheaper. An assessment that does not fit even compressed is a `VerdictTooLargeError`.
 */

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

export const SCAN_STATES: readonly ScanState[] = ['queued', 'running', 'done', 'error'];
export const UNFINISHED_STATES: readonly ScanState[] = ['queued', 'running'];

/** The store truncates a scan's error text to this many characters: it is a pointer for people, not a log. */
export const MAX_SCAN_ERROR_CHARS = 2000;

export class VerdictTooLargeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VerdictTooLargeError';
  }
}

/** An item in the table that does not have the shape its key promises. */
export class CorruptItemError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CorruptItemError';
  }
}

// ---------- verdicts ----------

export interface VerdictEncoding {
  compressAboveBytes: number;
}

export async function verdictToItem(verdict: StoredVerdict, encoding: VerdictEncoding): Promise<Record<string, unknown>> {
  const json = JSON.stringify(verdict.assessment);
  if (json === undefined) throw new TypeError(`verdict for ${verdict.digest}: the assessment is not JSON-serialisable`);
  const base: Record<string, unknown> = dropUndefined({
    ...itemKeys.verdict(verdict.digest, verdict.policyHash),
    type: 'verdict',
    digest: verdict.digest,
    policyHash: verdict.policyHash,
    buildId: verdict.buildId,
    reportLocation: verdict.reportLocation,
    scannedAt: verdict.scannedAt,
    [GATE_TABLE.ttlAttribute]: verdict.expiresAt,
  });
  const plain = { ...base, assessmentJson: json };
  const plainSize = itemSizeBytes(plain);
  if (plainSize <= encoding.compressAboveBytes && plainSize <= MAX_ITEM_BYTES) return plain;

  const compressed = { ...base, assessmentGzip: new Uint8Array(await gzipAsync(Buffer.from(json, 'utf8'))) };
  const compressedSize = itemSizeBytes(compressed);
  if (compressedSize > MAX_ITEM_BYTES) {
    throw new VerdictTooLargeError(
      `verdict for ${verdict.digest} (policy ${verdict.policyHash}): the assessment is ${plainSize} bytes as JSON and ` +
        `${compressedSize} bytes gzipped, more than DynamoDB's ${MAX_ITEM_BYTES}-byte item limit ` +
        `(${verdict.assessment.candidates?.length ?? 0} findings)`,
    );
  }
  return compressed;
}

export const verdictItemSchema = zodSchema((z) =>
  z.object({
    digest: z.string().min(1),
    policyHash: z.string().min(1),
    assessmentJson: z.string().optional(),
    assessmentGzip: z.instanceof(Uint8Array).optional(),
    buildId: z.string().optional(),
    reportLocation: z.string().optional(),
    scannedAt: z.string(),
    expiresAt: z.number(),
  }),
);

export const assessmentShape = zodSchema((z) =>
  z.looseObject({
    facts: z.looseObject({}),
    provenance: z.looseObject({}),
    candidates: z.array(z.looseObject({})),
    scannerSaysRoot: z.boolean(),
  }),
);

/**
 * The members of a verdict item `verdictItemSchema` reads, taken as they are when they plainly have its shape
 * (core/events/plain-shape.ts), so the first verdict read of a cold start builds and runs no schema; else undefined.
 */
export function plainVerdictItem(item: Record<string, unknown>): VerdictItem | undefined {
  if (!isNonEmptyString(item.digest) || !isNonEmptyString(item.policyHash) || typeof item.scannedAt !== 'string') return undefined;
  if (typeof item.expiresAt !== 'number' || !Number.isFinite(item.expiresAt)) return undefined;
  if (!isOptionalString(item.assessmentJson) || !isOptionalString(item.buildId) || !isOptionalString(item.reportLocation)) return undefined;
  if (item.assessmentGzip !== undefined && !(item.assessmentGzip instanceof Uint8Array)) return undefined;
  return item as VerdictItem;
}

type VerdictItem = z.infer<ReturnType<typeof verdictItemSchema>>;

/** Whether `assessmentShape` plainly accepts the value (it is only checked, never transformed). */
export function isPlainAssessment(value: unknown): boolean {
  return isRecord(value) && isRecord(value.facts) && isRecord(value.provenance) && isListOf(value.candidates, isRecord) && typeof value.scannerSaysRoot === 'boolean';
}

export async function itemToVerdict(item: Record<string, unknown>): Promise<StoredVerdict> {
  const parsed = plainVerdictItem(item) ?? (await withZod(() => parseItem(verdictItemSchema(), item, 'verdict')));
  let json: string;
  if (parsed.assessmentJson !== undefined) json = parsed.assessmentJson;
  else if (parsed.assessmentGzip !== undefined) {
    try {
      json = (await gunzipAsync(parsed.assessmentGzip)).toString('utf8');
    } catch (error) {
      throw new CorruptItemError(`${describeKey(item)}: assessmentGzip is not valid gzip (${(error as Error).message})`, { cause: error });
    }
  } else throw new CorruptItemError(`${describeKey(item)}: verdict has neither assessmentJson nor assessmentGzip`);

  let assessment: unknown;
  try {
    assessment = JSON.parse(json);
  } catch (error) {
    throw new CorruptItemError(`${describeKey(item)}: the stored assessment is not JSON (${(error as Error).message})`, { cause: error });
  }
  const checked = isPlainAssessment(assessment) ? { success: true as const } : await withZod(() => assessmentShape().safeParse(assessment));
  if (!checked.success) {
    throw new CorruptItemError(`${describeKey(item)}: the stored assessment is not an image assessment (${providedZod().prettifyError(checked.error)})`);
  }
  return dropUndefined({
    digest: parsed.digest,
    policyHash: parsed.policyHash,
    assessment: assessment as ImageAssessment,
    buildId: parsed.buildId,
    reportLocation: parsed.reportLocation,
    scannedAt: parsed.scannedAt,
    expiresAt: parsed.expiresAt,
  });
}

// ---------- scans ----------

export function scanToItem(record: ScanRecord, finishedExpiresAt: number): Record<string, unknown> {
  const unfinished = UNFINISHED_STATES.includes(record.state);
  return dropUndefined({
    ...itemKeys.scan(record.digest),
    type: 'scan',
    digest: record.digest,
    imageReference: record.imageReference,
    scanId: record.scanId,
    state: record.state,
    buildId: record.buildId,
    reportLocation: record.reportLocation,
    error: record.error === undefined ? undefined : truncateError(record.error),
    attempts: record.attempts,
    startedAt: record.startedAt,
    deadline: record.deadline,
    retryAt: record.retryAt,
    finishFailures: record.finishFailures,
    mode: record.mode,
    sbomKey: record.sbomKey,
    compute: record.compute,
    ...(unfinished
      ? { [GATE_TABLE.unfinishedScansIndex.partitionKey]: UNFINISHED_SCANS_PARTITION, [GATE_TABLE.unfinishedScansIndex.sortKey]: record.digest }
      : { [GATE_TABLE.ttlAttribute]: finishedExpiresAt }),
  });
}

const scanItemSchema = zodSchema((z) =>
  z.object({
    digest: z.string().min(1),
    imageReference: z.string(),
    scanId: z.string(),
    state: z.enum(['queued', 'running', 'done', 'error']),
    buildId: z.string().optional(),
    reportLocation: z.string().optional(),
    error: z.string().optional(),
    attempts: z.number().int().nonnegative(),
    startedAt: z.string(),
    deadline: z.string(),
    retryAt: z.string().optional(),
    finishFailures: z.number().int().nonnegative().optional(),
    mode: z.enum(['image', 'sbom']).optional(),
    sbomKey: z.string().optional(),
    compute: z.enum(['scanProject', 'ec2Fallback']).optional(),
    rejudgeRequestedAt: z.string().optional(),
  }),
);

export function itemToScan(item: Record<string, unknown>): ScanRecord {
  return dropUndefined(parseItem(scanItemSchema(), item, 'scan'));
}

const TRUNCATION_MARK = ' …(truncated)';

export function truncateError(text: string): string {
  return text.length <= MAX_SCAN_ERROR_CHARS ? text : `${text.slice(0, MAX_SCAN_ERROR_CHARS - TRUNCATION_MARK.length)}${TRUNCATION_MARK}`;
}

// ---------- waiters ----------

const waiterItemSchema = zodSchema((z) =>
  z.object({
    digest: z.string().min(1),
    taskArn: z.string().min(1),
    cluster: z.string(),
    service: z.string().optional(),
    taskDefinitionArn: z.string(),
    seenAt: z.string(),
    launchedBy: z.string().optional(),
    hookId: z.string().optional(),
    publicIp: z.object({ value: z.boolean(), source: z.string() }).optional(),
    exposure: z.object({ value: z.enum(['public', 'internal']), source: z.string() }).optional(),
  }),
);

export function itemToWaiter(item: Record<string, unknown>): Waiter {
  return dropUndefined(parseItem(waiterItemSchema(), item, 'waiter'));
}

// ---------- enforcement ----------

export function enforcementToItem(record: EnforcementRecord, expiresAt: number): Record<string, unknown> {
  return {
    ...itemKeys.enforcement(record.key),
    type: 'enforcement',
    key: record.key,
    action: record.action,
    decision: record.decision,
    at: record.at,
    [GATE_TABLE.ttlAttribute]: expiresAt,
  };
}

// ---------- launchers ----------

export function launcherToItem(taskArn: string, principal: string, expiresAt: number): Record<string, unknown> {
  return { ...itemKeys.launcher(taskArn), type: 'launcher', taskArn, principal, [GATE_TABLE.ttlAttribute]: expiresAt };
}

/** The principal of a launcher item. The launcher only names who to blame in an event, so an unreadable one counts as unknown rather than failing the decision. */
export function itemToLauncher(item: Record<string, unknown>): string | undefined {
  return typeof item.principal === 'string' && item.principal.length > 0 ? item.principal : undefined;
}

// ---------- shared ----------

/** Whether an item's TTL has passed: DynamoDB deletes expired items lazily (often hours later), so reads filter them. */
export function isExpired(item: Record<string, unknown>, nowSeconds: number): boolean {
  const expiresAt = item[GATE_TABLE.ttlAttribute];
  return typeof expiresAt === 'number' && expiresAt <= nowSeconds;
}

export function describeKey(item: Record<string, unknown>): string {
  return `item pk=${JSON.stringify(item[GATE_TABLE.partitionKey])} sk=${JSON.stringify(item[GATE_TABLE.sortKey])}`;
}

function parseItem<T>(schema: z.ZodType<T>, item: Record<string, unknown>, kind: string): T {
  const parsed = schema.safeParse(item);
  if (!parsed.success) {
    throw new CorruptItemError(`${describeKey(item)} is not a valid ${kind} item: ${providedZod().prettifyError(parsed.error)}`);
  }
  return parsed.data;
}

/** Optional fields come back absent rather than `undefined`, as the in-memory store returns them. */
function dropUndefined<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) {
    if (value[key] === undefined) delete value[key];
  }
  return value;
}
