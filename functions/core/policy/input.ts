import type { ImageFacts, Provenance } from '../findings/model';
import type { ImageReference } from '../image/reference';
import type { Violation } from '../result/model';
import type { ContainerSpec } from '../taskdef/model';
import type { LaunchFacts, TaskSettings } from './rules/hardening/types';

/**
 * What one image contributes to a decision, before any task context is known: its facts and every
 * finding a rule of the policy matched (exceptions not yet applied, since they can be scoped to a
 * cluster or service). This is what the runtime stores per (digest, policy hash); a task decision
 * is then computed from it without re-reading the raw report.
 */
export interface ImageAssessment {
  facts: ImageFacts;
  provenance: Provenance;
  /** Image-borne violations: vulnerabilities, scanner secrets, misconfigurations (DS-0002 is folded into an enabled rootUser). */
  candidates: Violation[];
  /**
   * The candidates of a publicly exposed task, when the policy has stricter parts for one
   * (`rules.vulnerabilities.exposure`); absent otherwise, and in assessments stored before it existed.
   */
  publicCandidates?: Violation[];
  /** Whether the scanner's own root-user check (Trivy DS-0002) failed for the image. */
  scannerSaysRoot: boolean;
  /**
   * Whether that check passed (and no copy of it failed): the Dockerfile sets a non-root USER. Optional, so
   * assessments stored before it existed still read as "the scanner said nothing".
   */
  scannerSaysNonRoot?: boolean;
  /**
   * Findings that drifted in: denied by this verdict, allowed by the previous verdict of the same digest under the same
   * policy (core/posture/drift.ts). Carried from verdict to verdict while still denied; the policy's `drift.grace`
   * decides, per launch scope and severity, how long launches stay allowed (core/policy/drift.ts). Absent: none.
   */
  drift?: DriftMark[];
}

/** One drift finding of an image: which violation, and when the gate first saw it denied where it was allowed. */
export interface DriftMark {
  rule: string;
  id: string;
  /** ISO-8601 */
  openedAt: string;
}

export interface ContainerEvidence {
  /** Container name; absent when a bare report is evaluated. */
  name?: string;
  /** Parsed image reference, when known (drives the `images` rule and repository/tag scoping). */
  image?: ImageReference;
  /** Digest the container really runs, when known. */
  digest?: string;
  /** Container definition with RunTask overrides; absent for a bare report. */
  spec?: ContainerSpec;
  /** The image's assessment, or why there is none. */
  assessment?: ImageAssessment;
  scanError?: string;
}

/** Whether a task is reachable from the internet, and which fact says so (`--exposure`, the RunTask call, the service). */
export interface ExposureFact {
  value: 'public' | 'internal';
  source: string;
}

export interface EvaluationContext {
  /** Absent: not known; the policy's `exposure.unknownAs` decides. */
  exposure?: ExposureFact;
  cluster?: string;
  service?: string;
  taskArn?: string;
  taskDefinition?: string;
}

export interface EvaluationInput {
  containers: ContainerEvidence[];
  context: EvaluationContext;
  now: Date;
  /**
   * Judge each assessment's age against the policy's `maxScanAge` (a scan that is too old counts as a scan
   * error). Off unless asked: the runtime rescans stale verdicts before it judges, and a report handed to the
   * CLI is judged as it is, unless the user asks for the age check (`--check-scan-age`).
   */
  checkScanAge?: boolean;
  /**
   * The task definition's task-level settings. Given whenever a task definition is known: the hardening rules are
   * judged only then (without it, the result notes they were not judged).
   */
  task?: TaskSettings;
  /** What the RunTask call, the service or the task event says about the launch; each fact names its source. */
  launch?: LaunchFacts;
  /**
   * False when no scan report was given at all (the CLI judging a task definition before it is registered): the image
   * rules are then not judged, which the result notes, and no image counts as a scan error. Default true.
   */
  imagesJudged?: boolean;
}

/**
 * A validated policy with its identity. `document` is the zod-parsed policy (type in `./schema`);
 * `hash` is sha256 over canonical JSON of the document, so the same rules always have the same hash.
 */
export interface LoadedPolicy<TDocument = unknown> {
  document: TDocument;
  hash: string;
  name: string;
  /** File path or label the policy came from, for messages. */
  source: string;
}
