import * as z from 'zod';
import { InputError } from '../errors';
import { toSeverity, type Severity } from '../severity';
import { formatJsonPath, parseWithSchema } from '../validation/issues';
import { dedupeMisconfigurations, dedupeOwnVulnerabilities, dedupeSecrets, mergeAliases } from './dedupe';
import { SUPPORTED_TRIVY_SCHEMA_VERSION } from './detect';
import { documentedTrivyFixState, trivyFixState } from './fix-state';
import { canonicalMisconfigId, misconfigAliases } from './ids';
import { cleanRepoDigests, configUser, digestOfRepoDigest, envNames, imageEnvSecrets } from './image-config';
import type { ImageFacts, MisconfigurationFinding, PackageRef, ScanReport, ScannedArtifact, SecretFinding, VulnerabilityFinding } from './model';
import { reportTimestamp } from './timestamps';
import { readSeverity, unreadTally, type UnreadTally } from './unread';
import { defined, nonBlank } from './values';

// Field names: aquasecurity/trivy pkg/types/report.go, vulnerability.go, misconfiguration.go and
// pkg/fanal/types (policy-engines.md §5). Only the fields read below are declared; zod drops the rest, so new
// Trivy fields never break parsing, while a field we rely on with the wrong type is a clear error. Go writes a
// nil slice or pointer as `null`, hence `nullish` on everything optional.
const text = z.string().nullish();
const required = z.string().trim().min(1);
const list = <T extends z.ZodType>(item: T) => z.array(item).nullish();

const TrivyVulnerability = z.object({
  VulnerabilityID: required,
  VendorIDs: list(z.string()),
  PkgName: required,
  PkgPath: text,
  PkgIdentifier: z.object({ PURL: text }).nullish(),
  InstalledVersion: text,
  FixedVersion: text,
  Status: text,
  Severity: text,
  SeveritySource: text,
  VendorSeverity: z.record(z.string(), z.unknown()).nullish(),
  Title: text,
  PrimaryURL: text,
});

const TrivySecret = z.object({
  RuleID: required,
  Category: text,
  Severity: text,
  Title: text,
  StartLine: z.number().int().nullish(),
  Match: text,
  Layer: z.object({ Digest: text, DiffID: text }).nullish(),
});

const TrivyMisconfiguration = z.object({
  ID: required,
  AVDID: text,
  Title: text,
  Message: text,
  Severity: text,
  Status: z
    .string()
    .transform((status) => status.trim().toUpperCase())
    .pipe(z.enum(['FAIL', 'PASS', 'EXCEPTION'])),
});

const TrivyResult = z.object({
  Target: text,
  Type: text,
  Vulnerabilities: list(TrivyVulnerability),
  Secrets: list(TrivySecret),
  Misconfigurations: list(TrivyMisconfiguration),
});

const TrivyReport = z.object({
  SchemaVersion: z.literal(SUPPORTED_TRIVY_SCHEMA_VERSION),
  CreatedAt: text,
  ArtifactName: text,
  ArtifactType: text,
  Trivy: z.object({ Version: text }).nullish(),
  Metadata: z
    .object({
      OS: z.object({ Family: text, Name: text, EOSL: z.boolean().nullish() }).nullish(),
      ImageID: text,
      RepoDigests: list(z.string()),
      ImageConfig: z
        .object({
          architecture: text,
          os: text,
          config: z.object({ User: text, Env: list(z.string()) }).nullish(),
        })
        .nullish(),
    })
    .nullish(),
  Results: list(TrivyResult),
});

/**
 * The report as `TrivyReport` reads it, except that each result's vulnerabilities are left unread: `readTrivyReport`
 * checks them one by one (a large report has thousands, and zod's reading of each was a third of the engine's time).
 */
const TrivyReportOutline = TrivyReport.extend({
  // Not even as an array of unknowns: zod's reading of an array makes a result per item, and the quick check below
  // checks that it is an array (else zod reads the whole report, as before).
  Results: list(TrivyResult.extend({ Vulnerabilities: z.unknown() })),
});

type TrivyReportDoc = z.output<typeof TrivyReport>;
type TrivyResultDoc = z.output<typeof TrivyResult>;
type TrivyVulnerabilityDoc = z.output<typeof TrivyVulnerability>;

/**
 * The report and its vulnerability findings, the quick way: the outline, then each vulnerability checked by hand and,
 * when it is exactly what `TrivyVulnerability` accepts (a plain object whose declared fields have the declared types,
 * the two ids not blank), made into its finding at once, while the object just read is still in the processor's
 * cache (a check of every vulnerability, then a second pass to build them, read each of thousands twice). What the
 * building notes is recorded per result, to be replayed where the usual order notes it. The moment one vulnerability is
 * anything else (even something zod would accept, such as an object of another prototype, or a record with a
 * `__proto__` key), undefined: the caller has zod read the whole report, and its output, or its error naming the JSON
 * path, is the answer, exactly as before. So the quick way changes no result, only the time.
 */
function readTrivyReportQuickly(json: unknown, origin: ReportOrigin): QuickRead | undefined {
  const outline = TrivyReportOutline.safeParse(json);
  if (!outline.success) return undefined;
  const outlined = outline.data.Results ?? [];
  let count = 0;
  for (let index = 0; index < outlined.length; index += 1) {
    const raw = outlined[index].Vulnerabilities;
    if (raw === null || raw === undefined) continue;
    if (!Array.isArray(raw)) return undefined;
    count += raw.length;
  }
  // Only a value built in code can hold arrays this long (sparse ones): left to zod, as any other odd value.
  if (count > MAX_ARRAY_LENGTH) return undefined;
  // Made at its final length: an array grown by push leaves its outgrown copies behind, garbage in a young generation
  // the parsed report has nearly filled.
  const vulnerabilities: VulnerabilityFinding[] = new Array(count);
  const notes: RecordedNotes[] = new Array(outlined.length);
  const results: TrivyResultDoc[] = new Array(outlined.length);
  let next = 0;
  for (let index = 0; index < outlined.length; index += 1) {
    const result = outlined[index];
    const raw = result.Vulnerabilities as unknown[] | null | undefined;
    const recorded: RecordedNotes = [];
    notes[index] = recorded;
    if (raw === null || raw === undefined) {
      results[index] = result as TrivyResultDoc;
      continue;
    }
    const tally = recordingTally(recorded);
    const target = nonBlank(result.Target);
    const type = nonBlank(result.Type);
    for (let i = 0; i < raw.length; i += 1) {
      const read = plainVulnerability(raw[i], origin);
      if (read === undefined) return undefined;
      vulnerabilities[next++] = toVulnerability(read, type, target, tally);
    }
    // Its vulnerabilities are read by no one later (their findings are made).
    results[index] = result as TrivyResultDoc;
  }
  return { report: { ...outline.data, Results: outline.data.Results === null || outline.data.Results === undefined ? outline.data.Results : results }, vulnerabilities, notes };
}

/** The longest array JavaScript can make. */
const MAX_ARRAY_LENGTH = 2 ** 32 - 1;

/** The quick read: the report (vulnerabilities left out), the findings made of them, and what was noted for each result. */
interface QuickRead {
  report: TrivyReportDoc;
  vulnerabilities: VulnerabilityFinding[];
  notes: RecordedNotes[];
}

/** `UnreadTally.note` calls, in order, as [gap, example] pairs. */
type RecordedNotes = [gap: string, example: string][];

/** A tally that only records the notes (its warnings are never read: the notes are replayed into the report's tally). */
function recordingTally(recorded: RecordedNotes): UnreadTally {
  return {
    note: (gap, example) => {
      recorded.push([gap, example]);
    },
    warnings: () => [],
  };
}

/**
 * Where the report value came from. `json-text`: `JSON.parse` made it (parseScanReportText), so no object in it has a
 * symbol key (JSON names are strings), and the quick read need not ask each object for its symbols (an array made for
 * each vulnerability's vendor severities). `value`: anything a caller built, checked in full.
 */
export type ReportOrigin = 'json-text' | 'value';

/** `TrivyVulnerability`'s output for a value it certainly accepts as it is; undefined for anything else. */
function plainVulnerability(value: unknown, origin: ReportOrigin): TrivyVulnerabilityDoc | undefined {
  if (!isJsonObject(value)) return undefined;
  const id = value.VulnerabilityID;
  const name = value.PkgName;
  if (typeof id !== 'string' || typeof name !== 'string') return undefined;
  // nonBlank: the trimmed text, without a call to trim for the usual id (undefined for a blank one, which zod refuses).
  const trimmedId = nonBlank(id);
  const trimmedName = nonBlank(name);
  if (trimmedId === undefined || trimmedName === undefined) return undefined;
  // Each field by name (not in a loop over names): a plain property read is what keeps this cheaper than zod.
  if (
    !isText(value.PkgPath) ||
    !isText(value.InstalledVersion) ||
    !isText(value.FixedVersion) ||
    !isText(value.Status) ||
    !isText(value.Severity) ||
    !isText(value.SeveritySource) ||
    !isText(value.Title) ||
    !isText(value.PrimaryURL)
  ) {
    return undefined;
  }
  const vendorIds = value.VendorIDs;
  if (vendorIds !== undefined && vendorIds !== null) {
    if (!Array.isArray(vendorIds)) return undefined;
    for (let i = 0; i < vendorIds.length; i += 1) if (typeof vendorIds[i] !== 'string') return undefined;
  }
  const identifier = value.PkgIdentifier;
  if (identifier !== undefined && identifier !== null) {
    if (!isJsonObject(identifier)) return undefined;
    const purl = identifier.PURL;
    if (purl !== undefined && purl !== null && typeof purl !== 'string') return undefined;
  }
  const vendorSeverity = value.VendorSeverity;
  if (vendorSeverity !== undefined && vendorSeverity !== null && !isPlainRecord(vendorSeverity, origin)) return undefined;
  // Ids already trimmed (as every scanner writes them): the object itself reads as zod's output would, since only the
  // declared fields are ever read from it and each has the declared type. No copy is made of each of thousands.
  if (trimmedId === id && trimmedName === name) return value as TrivyVulnerabilityDoc;
  return {
    VulnerabilityID: trimmedId,
    VendorIDs: vendorIds as string[] | null | undefined,
    PkgName: trimmedName,
    PkgPath: value.PkgPath as string | null | undefined,
    PkgIdentifier: identifier === undefined || identifier === null ? identifier : { PURL: identifier.PURL as string | null | undefined },
    InstalledVersion: value.InstalledVersion as string | null | undefined,
    FixedVersion: value.FixedVersion as string | null | undefined,
    Status: value.Status as string | null | undefined,
    Severity: value.Severity as string | null | undefined,
    SeveritySource: value.SeveritySource as string | null | undefined,
    VendorSeverity: vendorSeverity as Record<string, unknown> | null | undefined,
    Title: value.Title as string | null | undefined,
    PrimaryURL: value.PrimaryURL as string | null | undefined,
  };
}

/** What `text` (a nullish string) accepts. */
function isText(value: unknown): boolean {
  return value === undefined || value === null || typeof value === 'string';
}

/**
 * An object as JSON.parse makes them (of Object.prototype): zod reads an object's declared fields from it exactly as
 * a plain read does. Anything else (an array, a class instance, an object of another prototype) is left to zod.
 */
function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

/**
 * A JSON object zod reads as a record key for key: none of the keys its record reading treats apart, no symbols (which
 * an object `JSON.parse` made cannot have).
 */
function isPlainRecord(value: unknown, origin: ReportOrigin): value is Record<string, unknown> {
  return (
    isJsonObject(value) &&
    !Object.hasOwn(value, '__proto__') &&
    !Object.hasOwn(value, 'constructor') &&
    (origin === 'json-text' || Object.getOwnPropertySymbols(value).length === 0)
  );
}

// trivy-db VendorSeverity numbers: 0 UNKNOWN, 1 LOW, 2 MEDIUM, 3 HIGH, 4 CRITICAL.
const VENDOR_SEVERITY: readonly Severity[] = ['unknown', 'low', 'medium', 'high', 'critical'];

/**
 * `Severity` when the report has it (Trivy always writes it). Trimmed reports such as trivy-operator's carry
 * only `VendorSeverity` and `SeveritySource`; Trivy derives `Severity` from exactly that pair, so we do too.
 */
function vulnerabilitySeverity(v: TrivyVulnerabilityDoc, tally: UnreadTally): Severity {
  if (nonBlank(v.Severity)) return readSeverity(v.Severity, tally, 'vulnerabilities', v.VulnerabilityID);
  const sourceName = nonBlank(v.SeveritySource);
  const score = sourceName ? v.VendorSeverity?.[sourceName] : undefined;
  if (typeof score === 'number' && Number.isInteger(score) && VENDOR_SEVERITY[score] !== undefined) return VENDOR_SEVERITY[score];
  return readSeverity(undefined, tally, 'vulnerabilities', v.VulnerabilityID);
}

/** The aliases of every finding without any: one frozen empty list (typed mutable only because the model's field is). */
const NO_ALIASES = Object.freeze([]) as unknown as string[];

function toVulnerability(v: TrivyVulnerabilityDoc, type: string | undefined, target: string | undefined, tally: UnreadTally): VulnerabilityFinding {
  const fixedVersion = nonBlank(v.FixedVersion);
  const status = nonBlank(v.Status);
  // The status word looked up once: trivyFixState(status, fixedVersion) is this for a word, and what it says of none.
  const documented = status === undefined ? undefined : documentedTrivyFixState(status);
  if (status !== undefined && documented === undefined) {
    tally.note(
      `vulnerabilities with a Status trivy-db does not document (${JSON.stringify(status.slice(0, 40))}) have an unknown fix state and are judged by the unfixable thresholds`,
      v.VulnerabilityID,
    );
  }
  const title = nonBlank(v.Title);
  const primaryUrl = nonBlank(v.PrimaryURL);
  const finding: VulnerabilityFinding = {
    id: v.VulnerabilityID,
    // Most vulnerabilities have no vendor ids: no call (and no argument list) for each of them, and one shared empty
    // list rather than an array each (frozen: findings are read, never changed).
    aliases: v.VendorIDs === null || v.VendorIDs === undefined || v.VendorIDs.length === 0 ? NO_ALIASES : mergeAliases(v.VulnerabilityID, v.VendorIDs),
    severity: vulnerabilitySeverity(v, tally),
    fixState: status === undefined ? trivyFixState(status, fixedVersion) : (documented ?? 'unknown'),
    scannerFixState: status,
    package: packageOf(v, type, target, fixedVersion),
    title,
    target,
    primaryUrl,
  };
  // Only these four can be absent (the others are always set): checked by name, not by listing the keys of each of
  // thousands of findings, and `defined` copies the rare finding that lacks one.
  return status === undefined || title === undefined || target === undefined || primaryUrl === undefined ? defined(finding) : finding;
}

/** `type` is the result's package type (`Results[].Type`), read once per result. */
function packageOf(v: TrivyVulnerabilityDoc, type: string | undefined, target: string | undefined, fixedVersion: string | undefined): PackageRef {
  const name = v.PkgName;
  const installedVersion = nonBlank(v.InstalledVersion);
  const purl = nonBlank(v.PkgIdentifier?.PURL);
  // Language packages have their own file; OS packages live in the result target (`image (debian 10.1)`).
  const path = nonBlank(v.PkgPath) ?? target;
  // About half the findings of a report have no fix: built without the key rather than with it and copied without it
  // (a copy per finding). `defined` still drops any other absent fact, checked by name (not a loop over the keys).
  const ref: PackageRef = fixedVersion === undefined ? { name, installedVersion, type, purl, path } : { name, installedVersion, fixedVersion, type, purl, path };
  return installedVersion === undefined || type === undefined || purl === undefined || path === undefined ? defined(ref) : ref;
}

/**
 * Trivy's image-config secret scanner (`--image-config-scanners secret`) names its result after the scan
 * target itself, because the config is not a file (pkg/scanner/local/scan.go sets `FilePath = target`).
 * Every other secret result is a file in the image or repository.
 */
function isImageConfigTarget(report: TrivyReportDoc, target: string): boolean {
  const artifact = nonBlank(report.ArtifactName);
  const type = nonBlank(report.ArtifactType);
  return artifact !== undefined && target === artifact && (type === undefined || type === 'container_image');
}

function toSecrets(report: TrivyReportDoc, result: TrivyResultDoc, index: number, source: string, tally: UnreadTally): SecretFinding[] {
  const secrets = result.Secrets ?? [];
  if (secrets.length === 0) return [];
  const target = nonBlank(result.Target);
  if (target === undefined) {
    throw new InputError('Trivy report: expected a Target naming the file the secrets were found in, got none', {
      source,
      path: formatJsonPath(['Results', index, 'Target']),
    });
  }
  const inConfig = isImageConfigTarget(report, target);
  return secrets.map((s) =>
    defined({
      ruleId: s.RuleID,
      category: nonBlank(s.Category) ?? '',
      severity: readSeverity(s.Severity, tally, 'secrets', s.RuleID),
      title: nonBlank(s.Title) ?? s.RuleID,
      location: inConfig
        ? { kind: 'imageConfig' as const, detail: target }
        : defined({ kind: 'layer' as const, path: target, layerDigest: nonBlank(s.Layer?.Digest) ?? nonBlank(s.Layer?.DiffID) }),
      startLine: s.StartLine ?? undefined,
      // Trivy masks the secret in `Match` before writing the report.
      match: nonBlank(s.Match),
    }),
  );
}

const MISCONFIG_STATUS = { FAIL: 'fail', PASS: 'pass', EXCEPTION: 'exception' } as const;

function toMisconfigurations(result: TrivyResultDoc, tally: UnreadTally): MisconfigurationFinding[] {
  const target = nonBlank(result.Target);
  return (result.Misconfigurations ?? []).map((m) => {
    const avdId = nonBlank(m.AVDID);
    return defined({
      id: canonicalMisconfigId(m.ID),
      aliases: [...new Set([...misconfigAliases(m.ID), ...(avdId ? misconfigAliases(avdId) : [])])],
      // Only a failed check is judged, so only its severity matters to the reader.
      severity: m.Status === 'FAIL' ? readSeverity(m.Severity, tally, 'misconfigurations', m.ID) : toSeverity(m.Severity),
      status: MISCONFIG_STATUS[m.Status],
      title: nonBlank(m.Title),
      message: nonBlank(m.Message),
      target,
    });
  });
}

/**
 * Filesystem and repository scans write Go's zero-value ImageConfig (`"config": {}`, empty os and architecture);
 * every real image config has os and architecture (OCI image-spec config.md).
 */
function hasRealImageConfig(report: TrivyReportDoc): boolean {
  const imageConfig = report.Metadata?.ImageConfig;
  const config = imageConfig?.config;
  return (
    imageConfig != null &&
    (nonBlank(imageConfig.architecture) !== undefined ||
      nonBlank(imageConfig.os) !== undefined ||
      nonBlank(config?.User) !== undefined ||
      (config?.Env?.length ?? 0) > 0)
  );
}

/**
 * Credentials in the image's ENV, except the variables Trivy's own image-config secret scanner already reported:
 * its masked `Match` is the line of the config JSON (`"NAME=****"`) or of its history (`ENV NAME=****`).
 */
function envSecrets(report: TrivyReportDoc, scannerSecrets: readonly SecretFinding[]): SecretFinding[] {
  if (!hasRealImageConfig(report)) return [];
  const matches = scannerSecrets.filter((s) => s.location.kind === 'imageConfig' && s.match !== undefined).map((s) => s.match as string);
  const reported = (name: string) => {
    const assignment = new RegExp(`(?:^|[^A-Za-z0-9_.-])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}=`);
    return matches.some((match) => assignment.test(match));
  };
  return imageEnvSecrets(report.Metadata?.ImageConfig?.config?.Env, { skip: reported });
}

/** Trivy's `ArtifactType` of an image scan (pkg/fanal/artifact `TypeContainerImage`); `filesystem`, `repository`, `vm`, `cyclonedx`, ... are others. */
const CONTAINER_IMAGE = 'container_image';

function scannedArtifact(report: TrivyReportDoc): ScannedArtifact {
  const type = nonBlank(report.ArtifactType);
  if (type !== undefined) return { kind: type === CONTAINER_IMAGE ? 'image' : 'other', type };
  const metadata = report.Metadata;
  const imageEvidence = nonBlank(metadata?.ImageID) !== undefined || hasRealImageConfig(report) || cleanRepoDigests(metadata?.RepoDigests).length > 0;
  return { kind: imageEvidence ? 'image' : 'unstated' };
}

function imageFacts(report: TrivyReportDoc, warnings: string[]): ImageFacts {
  const metadata = report.Metadata;
  const config = metadata?.ImageConfig?.config;
  const hasImageConfig = hasRealImageConfig(report);
  const isImage = report.ArtifactType === 'container_image' || (report.ArtifactType == null && nonBlank(metadata?.ImageID) !== undefined);
  if (isImage && !hasImageConfig) {
    warnings.push('the report has no Metadata.ImageConfig, so the image user and environment are unknown');
  }
  const repoDigests = cleanRepoDigests(metadata?.RepoDigests);
  let digest: string | undefined;
  for (const repoDigest of repoDigests) {
    digest = digestOfRepoDigest(repoDigest);
    if (digest) break;
  }
  const family = nonBlank(metadata?.OS?.Family);
  return defined({
    reference: nonBlank(report.ArtifactName),
    repoDigests,
    digest,
    imageId: nonBlank(metadata?.ImageID),
    configUser: hasImageConfig ? configUser(config?.User) : undefined,
    hasImageConfig,
    envNames: hasImageConfig ? envNames(config?.Env) : [],
    // Trivy writes family "none" when OS detection found nothing (or was skipped).
    os:
      family && family !== 'none'
        ? defined({ family, name: nonBlank(metadata?.OS?.Name), eosl: metadata?.OS?.EOSL ?? undefined })
        : undefined,
  });
}

/** Normalises a Trivy `SchemaVersion: 2` JSON report (already detected as Trivy) into a `ScanReport`. */
export function normaliseTrivyReport(json: unknown, source: string, origin: ReportOrigin = 'value'): ScanReport {
  const quick = readTrivyReportQuickly(json, origin);
  const report = quick?.report ?? parseWithSchema(TrivyReport, json, { source, what: 'Trivy report' });
  const warnings: string[] = [];
  const secrets: SecretFinding[] = [];
  const misconfigurations: MisconfigurationFinding[] = [];
  const tally = unreadTally();
  const results = report.Results ?? [];
  const vulnerabilities: VulnerabilityFinding[] = quick?.vulnerabilities ?? [];
  // Indexed loops: a for-of over thousands of vulnerabilities made an iterator result for each in code not yet optimised.
  for (let index = 0; index < results.length; index += 1) {
    const result = results[index];
    if (quick === undefined) {
      const target = nonBlank(result.Target);
      const type = nonBlank(result.Type);
      const found = result.Vulnerabilities ?? [];
      for (let i = 0; i < found.length; i += 1) vulnerabilities.push(toVulnerability(found[i], type, target, tally));
    } else {
      // What making this result's findings noted, where making them here would have noted it.
      const recorded = quick.notes[index];
      for (let i = 0; i < recorded.length; i += 1) tally.note(recorded[i][0], recorded[i][1]);
    }
    for (const s of toSecrets(report, result, index, source, tally)) secrets.push(s);
    for (const m of toMisconfigurations(result, tally)) misconfigurations.push(m);
  }
  secrets.push(...envSecrets(report, secrets));
  return {
    provenance: defined({
      scanner: 'trivy' as const,
      scannerVersion: nonBlank(report.Trivy?.Version),
      scannedAt: reportTimestamp(report.CreatedAt, source, 'CreatedAt'),
      schemaVersion: report.SchemaVersion,
    }),
    image: imageFacts(report, warnings),
    artifact: scannedArtifact(report),
    vulnerabilities: dedupeOwnVulnerabilities(vulnerabilities),
    secrets: dedupeSecrets(secrets),
    misconfigurations: dedupeMisconfigurations(misconfigurations),
    warnings: [...warnings, ...tally.warnings()],
  };
}

