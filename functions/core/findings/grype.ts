import * as z from 'zod';
import { InputError } from '../errors';
import { isSha256Digest } from '../image/reference';
import { describeJsonValue, parseWithSchema } from '../validation/issues';
import { dedupeVulnerabilities, mergeAliases } from './dedupe';
import { readFixPublishedAt, readReportEpss, readReportKnownExploited } from './exploit';
import { grypeFixState, isGrypeFixStateWord } from './fix-state';
import { cleanRepoDigests, decodeGrypeImageConfig, digestOfRepoDigest } from './image-config';
import type { FixState, ImageFacts, Provenance, ScanReport, ScannedArtifact, SecretFinding, VulnerabilityFinding } from './model';
import { reportTimestamp } from './timestamps';
import { readSeverity, unreadTally, type UnreadTally } from './unread';
import { defined, nonBlank } from './values';

// Field names: anchore/grype grype/presenter/models/*.go (policy-engines.md §5). Only the fields read below
// are declared; zod drops the rest, so new Grype fields never break parsing.
const text = z.string().nullish();
const required = z.string().trim().min(1);
const list = <T extends z.ZodType>(item: T) => z.array(item).nullish();

const GrypeMatch = z.object({
  vulnerability: z.object({
    id: required,
    // Grype omits severity when its data has none (e.g. CVE-2024-26308 in some 0.96 reports): `unknown`.
    severity: text,
    dataSource: text,
    // `available` (Grype 0.99 and later: `[{version, date, kind}]`), `epss` and `knownExploited` are read leniently
    // by ./exploit: an odd entry there is noted, never a reason to refuse the report.
    fix: z.object({ state: text, versions: list(z.string()), available: z.unknown().optional() }).nullish(),
    epss: z.unknown().optional(),
    knownExploited: z.unknown().optional(),
    // Grype before 0.13 had no `fix` object: one string, omitted when no fix is known (anchore/grype
    // grype/presenter/json/vulnerability.go at v0.7.0, grype/presenter/models/vulnerability.go at v0.10.0-v0.12.1).
    fixedInVersion: text,
  }),
  relatedVulnerabilities: list(z.object({ id: required })),
  artifact: z.object({
    name: required,
    version: text,
    type: text,
    purl: text,
    locations: list(z.object({ path: text })),
  }),
});

const GrypeReport = z.object({
  matches: z.array(GrypeMatch),
  source: z.object({ type: text, target: z.unknown() }).nullish(),
  distro: z.object({ name: text, version: text }).nullish(),
  descriptor: z
    .object({
      name: text,
      version: text,
      timestamp: text,
      // Grype before v6 databases wrote `db.built`; later versions `db.status.built`.
      db: z.object({ built: text, status: z.object({ built: text }).nullish() }).nullish(),
    })
    .nullish(),
});

const GrypeImageTarget = z.object({
  userInput: text,
  imageID: text,
  manifestDigest: text,
  repoDigests: list(z.string()),
  config: text,
});

type GrypeReportDoc = z.output<typeof GrypeReport>;
type GrypeMatchDoc = z.output<typeof GrypeMatch>;

/** What a Grype build without version information writes (grype/internal/version). */
const VERSION_NOT_PROVIDED = '[not provided]';

/**
 * The fix state of a match, from whichever schema wrote it: the `fix` object (Grype 0.13 and later) or the older
 * `fixedInVersion` string. A match with neither says nothing about a fix: it is `unknown` (judged by the unfixable
 * thresholds) and noted, never taken silently for "no fix"; so is a `fix.state` word Grype does not document.
 */
function fixOf(vulnerability: GrypeMatchDoc['vulnerability'], tally: UnreadTally): { fixState: FixState; state?: string; versions: string[] } {
  const legacy = nonBlank(vulnerability.fixedInVersion);
  const versions = [...new Set([...(vulnerability.fix?.versions ?? []), ...(legacy !== undefined ? [legacy] : [])].map((v) => v.trim()).filter((v) => v !== ''))];
  const state = nonBlank(vulnerability.fix?.state);
  if (vulnerability.fix == null && legacy === undefined) {
    tally.note(
      'vulnerabilities with neither vulnerability.fix (Grype 0.13 and later) nor vulnerability.fixedInVersion (earlier Grype, which omits it when it knows no fix) have an unknown fix state and are judged by the unfixable thresholds',
      vulnerability.id,
    );
    return { fixState: 'unknown', versions };
  }
  // Every Grype from 0.13 on writes `fix.state` (a string, never omitted; "" when its data has no state): a `fix` without
  // one, and without versions, was not read from any Grype and says nothing about a fix.
  if (vulnerability.fix != null && vulnerability.fix.state == null && versions.length === 0) {
    tally.note('vulnerabilities with a vulnerability.fix that has neither state nor versions have an unknown fix state and are judged by the unfixable thresholds', vulnerability.id);
  }
  if (state !== undefined && !isGrypeFixStateWord(state)) {
    tally.note(`vulnerabilities with a fix.state Grype does not document (${JSON.stringify(state.slice(0, 40))}) have an unknown fix state and are judged by the unfixable thresholds`, vulnerability.id);
  }
  return { fixState: grypeFixState(state, versions), ...(state !== undefined ? { state } : {}), versions };
}

const FROM_REPORT = { kind: 'report', scanner: 'grype' } as const;

function toVulnerability(match: GrypeMatchDoc, tally: UnreadTally): VulnerabilityFinding {
  const { vulnerability, artifact } = match;
  const { fixState, state, versions } = fixOf(vulnerability, tally);
  const id = vulnerability.id;
  return defined({
    id: vulnerability.id,
    aliases: mergeAliases(vulnerability.id, (match.relatedVulnerabilities ?? []).map((related) => related.id)),
    severity: readSeverity(vulnerability.severity, tally, 'vulnerabilities', vulnerability.id),
    fixState,
    scannerFixState: state,
    package: defined({
      name: artifact.name,
      installedVersion: nonBlank(artifact.version),
      fixedVersion: versions[0],
      type: nonBlank(artifact.type),
      purl: nonBlank(artifact.purl),
      path: nonBlank(artifact.locations?.[0]?.path),
    }),
    primaryUrl: nonBlank(vulnerability.dataSource),
    knownExploited: readReportKnownExploited(vulnerability.knownExploited, FROM_REPORT, tally, id),
    epss: readReportEpss(vulnerability.epss, FROM_REPORT, tally, id),
    // A fix date means something only for a fix: a `fix.available` on a finding without one is not read.
    fixPublishedAt: fixState === 'fixed' ? readFixPublishedAt(vulnerability.fix?.available, tally, id) : undefined,
  });
}

/** The image facts, and the credentials found in the image's ENV (Grype has no secret scanner of its own). */
function imageFacts(report: GrypeReportDoc, source: string, warnings: string[], envSecrets: SecretFinding[]): ImageFacts {
  const rawTarget = report.source?.target;
  const sourceType = nonBlank(report.source?.type);
  const distro = report.distro;
  const family = nonBlank(distro?.name);
  const os = family !== undefined ? defined({ family, name: nonBlank(distro?.version) }) : undefined;

  // Directory and file scans name their path as a plain string: no image, no config.
  if (rawTarget === undefined || rawTarget === null || typeof rawTarget === 'string') {
    if (sourceType === 'image') warnings.push('source.target has no image details, so the image user and environment are unknown');
    return defined({ reference: nonBlank(rawTarget ?? undefined), repoDigests: [], hasImageConfig: false, envNames: [], os });
  }
  if (typeof rawTarget !== 'object' || Array.isArray(rawTarget)) {
    throw new InputError(`Grype report: expected an object (an image) or a string (a scanned path), got ${describeJsonValue(rawTarget)}`, {
      source,
      path: 'source.target',
    });
  }
  const target = parseWithSchema(GrypeImageTarget, rawTarget, { source, what: 'Grype report', prefix: ['source', 'target'] });

  const repoDigests = cleanRepoDigests(target.repoDigests);
  const manifestDigest = nonBlank(target.manifestDigest);
  let digest = manifestDigest !== undefined && isSha256Digest(manifestDigest) ? manifestDigest : undefined;
  if (manifestDigest !== undefined && digest === undefined) {
    warnings.push(`source.target.manifestDigest ${JSON.stringify(manifestDigest.slice(0, 80))} is not a sha256 digest and was ignored`);
  }
  for (const repoDigest of repoDigests) {
    if (digest) break;
    digest = digestOfRepoDigest(repoDigest);
  }

  let hasImageConfig = false;
  let user: string | undefined;
  let names: string[] = [];
  const encoded = nonBlank(target.config);
  if (encoded === undefined) {
    warnings.push('source.target.config is absent, so the image user and environment are unknown');
  } else {
    const decoded = decodeGrypeImageConfig(encoded);
    if (decoded.ok) {
      hasImageConfig = true;
      user = decoded.user;
      names = decoded.envNames;
      envSecrets.push(...decoded.envSecrets);
    } else {
      warnings.push(`source.target.config ${decoded.problem}; the image config was recorded as absent, so the image user and environment are unknown`);
    }
  }

  return defined({
    reference: nonBlank(target.userInput),
    repoDigests,
    digest,
    imageId: nonBlank(target.imageID),
    configUser: user,
    hasImageConfig,
    envNames: names,
    os,
  });
}

/** Grype's `source.type` (syft source schemes): `image` for an image, `directory`, `file`, ... for anything else. */
function scannedArtifact(report: GrypeReportDoc): ScannedArtifact {
  const type = nonBlank(report.source?.type);
  if (type !== undefined) return { kind: type === 'image' ? 'image' : 'other', type };
  return { kind: 'unstated' };
}

function provenance(report: GrypeReportDoc, source: string): Provenance {
  const descriptor = report.descriptor;
  const version = nonBlank(descriptor?.version);
  const statusBuilt = nonBlank(descriptor?.db?.status?.built);
  return defined({
    scanner: 'grype' as const,
    scannerVersion: version === VERSION_NOT_PROVIDED ? undefined : version,
    scannedAt: reportTimestamp(descriptor?.timestamp, source, 'descriptor.timestamp'),
    dbBuiltAt:
      statusBuilt !== undefined
        ? reportTimestamp(statusBuilt, source, 'descriptor.db.status.built')
        : reportTimestamp(descriptor?.db?.built, source, 'descriptor.db.built'),
  });
}

/**
 * Normalises a Grype JSON report (already detected as Grype) into a `ScanReport`. `ignoredMatches` are left
 * out on purpose: Grype's own ignore rules or VEX already suppressed them, and the gate's exceptions are the
 * place to suppress findings it judges.
 */
export function normaliseGrypeReport(json: unknown, source: string): ScanReport {
  const report = parseWithSchema(GrypeReport, json, { source, what: 'Grype report' });
  const warnings: string[] = [];
  const prov = provenance(report, source);
  const secrets: SecretFinding[] = [];
  const image = imageFacts(report, source, warnings, secrets);
  const tally = unreadTally();
  const vulnerabilities = dedupeVulnerabilities(report.matches.map((match) => toVulnerability(match, tally)));
  return {
    provenance: prov,
    image,
    artifact: scannedArtifact(report),
    vulnerabilities,
    secrets,
    misconfigurations: [],
    warnings: [...warnings, ...tally.warnings()],
  };
}
