import * as z from 'zod';
import { SEVERITIES } from '../severity';

/**
 * The in-use report's export format, `fargate-gate/in-use-report@1`: what the scheduled report writes as JSON and what
 * `fargate-gate report --in-use FILE` reads back to render CSV or HTML. One schema is both the type and the reader's
 * check, so what is written can always be read. Strict objects: a file of another shape (a scan report, a policy) is
 * refused with the path of its first wrong key instead of rendering as an empty page. A later, incompatible shape gets
 * a new `schema` value (`@2`); adding optional fields keeps `@1`.
 */
export const IN_USE_REPORT_SCHEMA = 'fargate-gate/in-use-report@1';

const DECISIONS = ['pass', 'warn', 'fail', 'error'] as const;
const text = z.string();
const isoTime = z.iso.datetime({ offset: true });
const count = z.number().int().min(0);
const severityCounts = z.strictObject(Object.fromEntries(SEVERITIES.map((severity) => [severity, count])) as Record<(typeof SEVERITIES)[number], typeof count>);

export const deniedFindingSchema = z.strictObject({
  rule: text,
  id: text,
  severity: z.enum(SEVERITIES),
  container: text.optional(),
  package: text.optional(),
  fixedVersion: text.optional(),
  /** Where the known-exploited listing came from (`CISA KEV`), when the policy used one. */
  knownExploited: text.optional(),
  /** EPSS score (0..1), when the scan carried one. */
  epss: z.number().min(0).max(1).optional(),
});

export const expiringExceptionSchema = z.strictObject({
  id: text,
  owner: text,
  reason: text,
  expiresAt: isoTime,
  /** Whole days left, rounded down (0: expires within a day). */
  daysLeft: count,
});

export const inUseRowSchema = z.strictObject({
  digest: text,
  /** Image references the containers name for this digest (`repo:tag`, `repo@sha256:...`), sorted. */
  images: z.array(text),
  /** `registry/repository` of those references, sorted and distinct. */
  repositories: z.array(text),
  decision: z.enum(DECISIONS),
  mode: z.enum(['enforce', 'audit']),
  accounts: z.array(text),
  clusters: z.array(text),
  /** Services (`cluster/service`), sorted; standalone tasks are counted in `tasks`, not here. */
  services: z.array(text),
  serviceCount: count,
  /** Task ARNs, at most `maxTasksPerRow`; `taskCount` is the whole number. */
  tasks: z.array(text),
  taskCount: count,
  inUseSince: isoTime,
  deniedFindings: z.array(deniedFindingSchema),
  /** Every denied finding; `deniedFindings` lists the first ones (most severe first). */
  deniedCount: count,
  /** Findings the policy's rules matched that have a fixed version, by severity. */
  fixableBySeverity: severityCounts,
  /** The verdict the decision rests on; absent when the digest has none under the current policy. */
  verdict: z
    .strictObject({
      scannedAt: isoTime,
      ageHours: z.number().min(0),
      policyHash: text,
      reportLocation: text.optional(),
    })
    .optional(),
  /** Errors that made the decision `error` or that the policy's onScanError judged (no verdict, for one). */
  errors: z.array(text),
  /** Exceptions that suppressed a finding of this image and expire within the window. */
  exceptionsExpiringSoon: z.array(expiringExceptionSchema),
});

export const inUseReportSchema = z.strictObject({
  schema: z.literal(IN_USE_REPORT_SCHEMA),
  generatedAt: isoTime,
  policy: z.strictObject({ name: text, hash: text }),
  /** How far ahead an exception counts as expiring soon. */
  exceptionWindowDays: count,
  summary: z.strictObject({
    images: count,
    tasks: count,
    services: count,
    byDecision: z.strictObject({ pass: count, warn: count, fail: count, error: count }),
  }),
  rows: z.array(inUseRowSchema),
  /** Present when rows were left out: the report lists the first `shown` of `total` images (most urgent first). */
  truncated: z.strictObject({ shown: count, total: count }).optional(),
  /** Every exception of the policy that expires within the window, soonest first. */
  expiringExceptions: z.array(expiringExceptionSchema),
});

export type InUseReport = z.infer<typeof inUseReportSchema>;
export type InUseRow = z.infer<typeof inUseRowSchema>;
export type DeniedFinding = z.infer<typeof deniedFindingSchema>;
export type ExpiringException = z.infer<typeof expiringExceptionSchema>;
