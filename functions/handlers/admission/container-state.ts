import { formatImageReference, isSha256Digest } from '../../core/image/reference';
import type { ImagePlan } from '../../core/gate/images';
import type { VerdictImage } from '../../core/gate/verdict-event';
import type { StoredVerdict } from '../../core/ports';

/** One container of a task or service revision while the gate works out its verdict (task events and the hook alike). */
export interface ContainerState {
  plan: ImagePlan;
  /** Verdict and scan key: the digest, or `ref-<hash>` for a scan by reference. */
  key?: string;
  /** What a scan of this container pulls. */
  pullReference?: string;
  digest?: string;
  /** For a digest the gate resolved from an ECR tag: when that image was pushed (the evidence check's input). */
  tagPushedAt?: string;
  /** For a digest the gate resolved from an ECR tag: DescribeImages `imageSizeInBytes`, as given (decides where its scan starts). */
  imageSizeBytes?: number;
  verdict?: StoredVerdict;
  scanError?: string;
  /** The scan build that ended in `scanError`, when a build ran: the evidence a stop reason and a verdict event point to. */
  scanBuildId?: string;
}

/** Why an image could not be judged, and the build of the scan that failed, when one ran. */
export interface ScanErrorNote {
  message: string;
  buildId?: string;
}

/** Records a scan error on a container, with the failed scan's build so nothing names another container's build instead. */
export function markScanError(state: ContainerState, error: string | ScanErrorNote): void {
  const note = typeof error === 'string' ? { message: error } : error;
  state.scanError = note.message;
  if (note.buildId) state.scanBuildId = note.buildId;
  else delete state.scanBuildId;
}

export function useVerdict(state: ContainerState, verdict: StoredVerdict): void {
  state.verdict = verdict;
  // A scan by reference learned the digest from its report.
  if (!state.digest && isSha256Digest(verdict.assessment.facts.digest)) state.digest = verdict.assessment.facts.digest;
}

/** The container as a verdict event names it: image, digest, and the build and report that judged it (or the build that failed). */
export function imageOf(state: ContainerState): VerdictImage {
  const image: VerdictImage = { container: state.plan.container };
  if (state.plan.kind !== 'invalid') image.image = formatImageReference(state.plan.reference);
  if (state.digest) image.digest = state.digest;
  const buildId = state.verdict ? state.verdict.buildId : state.scanBuildId;
  if (buildId) image.buildId = buildId;
  if (state.verdict?.reportLocation) image.reportLocation = state.verdict.reportLocation;
  return image;
}
