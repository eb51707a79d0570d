import type { Severity } from '../severity';

/**
 * One scanner report, normalised. Rules read only this model, so a policy means the same thing
 * whether Trivy or Grype produced the evidence (field mapping: shared/reference/policy-engines.md §5).
 */
export interface ScanReport {
  provenance: Provenance;
  image: ImageFacts;
  vulnerabilities: VulnerabilityFinding[];
  secrets: SecretFinding[];
  misconfigurations: MisconfigurationFinding[];
  /**
   * Problems the normaliser worked around without failing the report, for the people reading it: e.g. a
   * Grype `source.target.config` that is not base64 JSON, so the image config was recorded as absent.
   * Optional so reports built before this field existed stay valid; the normalisers always set it.
   */
  warnings?: string[];
  /**
   * What was scanned, as the report states it: an image, or something else (a file system, a repository, a
   * directory), which cannot vouch for any image. Optional so reports built before it existed stay valid; the
   * normalisers always set it.
   */
  artifact?: ScannedArtifact;
}

/**
 * `image`: the report says it scanned a container image (Trivy `ArtifactType: container_image`, Grype `source.type:
 * image`), or, where the report names no type, carries what only an image scan has (an image id, an image config,
 * repository digests). `other`: it names another type (`filesystem`, `repository`, `directory`, ...). `unstated`:
 * neither, so nothing shows it scanned an image.
 */
export interface ScannedArtifact {
  kind: 'image' | 'other' | 'unstated';
  /** The type as the report names it (`ArtifactType`, `source.type`), when it names one. */
  type?: string;
}

export type ScannerName = 'trivy' | 'grype';

export interface Provenance {
  scanner: ScannerName;
  /** Scanner version as the report states it (`Trivy.Version`, `descriptor.version`); absent when the report omits it. */
  scannerVersion?: string;
  /** ISO-8601 time the scan ran (`CreatedAt`, `descriptor.timestamp`). */
  scannedAt?: string;
  /** ISO-8601 build time of the vulnerability database, when the report carries it (Grype only). */
  dbBuiltAt?: string;
  /** Trivy `SchemaVersion`; undefined for Grype. */
  schemaVersion?: number;
}

export interface ImageFacts {
  /** What was scanned, as the report names it (`ArtifactName`, `source.target.userInput`). */
  reference?: string;
  /** Repository digests (`name@sha256:...`) and the manifest digest, as found. */
  repoDigests: string[];
  /** The manifest digest `sha256:...` when the report has one. */
  digest?: string;
  imageId?: string;
  /** `config.User` from the image config; undefined when the config has no user or the report has no config. */
  configUser?: string;
  /** Whether the report carried the image config at all: without it, "no user" cannot be told from "unknown". */
  hasImageConfig: boolean;
  /** Names only: environment values never leave the normaliser. */
  envNames: string[];
  os?: { family: string; name?: string; eosl?: boolean };
}

/**
 * Canonical fix states (policy-engines.md §5.6). `not_affected` is a vendor's statement that the package is not
 * affected (Trivy `Status: not_affected`): the finding stays visible in summaries, but no vulnerability rule judges it.
 */
export const FIX_STATES = ['fixed', 'unfixed', 'wont_fix', 'end_of_life', 'unknown', 'not_affected'] as const;
export type FixState = (typeof FIX_STATES)[number];

export interface PackageRef {
  name: string;
  installedVersion?: string;
  fixedVersion?: string;
  /** Package type: `alpine`, `debian`, `jar`, `npm`, `gomod`, ... as the scanner names it. */
  type?: string;
  purl?: string;
  /** Where the package was found: a file path, or the result target for OS packages. */
  path?: string;
}

export interface VulnerabilityFinding {
  /** Canonical id, e.g. `CVE-2019-14697` or `GHSA-...`. */
  id: string;
  /** Every other id the scanner relates to this finding (vendor ids, related vulnerabilities). */
  aliases: string[];
  severity: Severity;
  fixState: FixState;
  /**
   * The fix state exactly as the scanner wrote it (Trivy `Status`, Grype `fix.state`), so a policy can still
   * tell `fix_deferred` from `affected` after both became `unfixed`. Absent when the scanner gave none.
   */
  scannerFixState?: string;
  package: PackageRef;
  title?: string;
  /** Report target the finding came from (`Results[].Target`). */
  target?: string;
  primaryUrl?: string;
  /**
   * Listings of the vulnerability in a known-exploited catalogue (CISA KEV), from the report itself (Grype
   * `vulnerability.knownExploited[]`) or from a catalogue file matched by CVE id. Absent: nothing said it is listed,
   * which is not the same as "not exploited" (Trivy reports carry no KEV data).
   */
  knownExploited?: KnownExploitedFact[];
  /** The EPSS score the report carries (Grype `vulnerability.epss[]`); the highest when it carries several. */
  epss?: EpssFact;
  /**
   * When a fix was first published, as the report states it (Grype 0.99 and later: the earliest
   * `fix.available[].date`). Never derived from the vulnerability's own dates: Trivy's `PublishedDate` and
   * `LastModifiedDate` date the advisory, not the fix.
   */
  fixPublishedAt?: string;
}

/** Where exploit data came from: the scanner's report, or a catalogue file judged beside it, with its version and date. */
export type ExploitSource =
  | { kind: 'report'; scanner: ScannerName }
  | { kind: 'catalogue'; catalogue: 'cisa-kev'; version?: string; released?: string };

/** One listing in a known-exploited catalogue. */
export interface KnownExploitedFact {
  source: ExploitSource;
  /** When the catalogue added it (KEV `dateAdded`), when known. */
  dateAdded?: string;
  /** KEV `dueDate`: remediation deadline for US federal agencies. */
  dueDate?: string;
  /** KEV `knownRansomwareCampaignUse`: "Known" or "Unknown". */
  ransomware?: string;
}

/** An EPSS score: probability (0 to 1) of exploitation activity in the next 30 days (FIRST.org). */
export interface EpssFact {
  score: number;
  percentile?: number;
  /** Date of the EPSS data the scanner used. */
  date?: string;
  source: ExploitSource;
}

export type SecretLocation =
  | { kind: 'layer'; path: string; layerDigest?: string }
  /** `variable` names the image ENV variable when the finding is one (`detail` is then `ENV <NAME>`). */
  | { kind: 'imageConfig'; detail?: string; variable?: string }
  | { kind: 'taskDefinition'; container: string; variable: string }
  | { kind: 'overrides'; container: string; variable: string };

export interface SecretFinding {
  /** Trivy `RuleID`, e.g. `aws-access-key-id`; for task-definition findings, the detector's rule id. */
  ruleId: string;
  /** Trivy `Category`, e.g. `AWS`, `GitHub`; free text. */
  category: string;
  severity: Severity;
  title: string;
  location: SecretLocation;
  /** First line of the match in the file (Trivy `StartLine`), when the scanner gives it. */
  startLine?: number;
  /** Masked excerpt only; never a raw secret. */
  match?: string;
}

export interface MisconfigurationFinding {
  /** Canonical id (`DS-0002` form). */
  id: string;
  /** All known spellings of the id (`DS002`, `AVD-DS-0002`, `DS-0002`). */
  aliases: string[];
  severity: Severity;
  status: 'fail' | 'pass' | 'exception';
  title?: string;
  message?: string;
  target?: string;
}
