import type { Decision, EvaluationResult } from '../result/model';
import { clip } from '../text-clip';

/** StopTask `reason`: "Up to 255 characters are allowed in this message" (API_StopTask). */
export const MAX_STOP_REASON_LENGTH = 255;

export interface StopReasonInput {
  policyName: string;
  decision: Decision;
  /** Policy rules that failed (`rootUser`, `vulnerabilities`, ...), or `onScanError` when the image could not be judged. */
  rules: readonly string[];
  /** CodeBuild build ids of the scans that produced the verdict (`project:uuid` or the build ARN). */
  buildIds: readonly string[];
}

/**
 * The builds a stop reason points to: those of the containers that made the decision (the denied ones for `fail`,
 * the ones that could not be judged for `error`), so a reviewer opens the evidence, not a passing sidecar's scan.
 * A container that decided without a build (its reference was invalid, or the failed scan is unknown) is named by
 * none, rather than by another container's. Only when the decision names no container at all (a violation about
 * the task as a whole) do all the task's builds count.
 */
export function decidingBuildIds(
  result: Pick<EvaluationResult, 'decision' | 'violations' | 'errors'>,
  images: readonly { container?: string; buildId?: string }[],
): string[] {
  const denied = result.violations.filter((violation) => violation.action === 'deny');
  const deciding =
    result.decision === 'error' ? result.errors : result.decision === 'fail' ? denied : result.violations.length > 0 ? result.violations : result.errors;
  const everyBuild = images.flatMap((image) => (image.buildId ? [image.buildId] : []));
  if (deciding.length === 0 || deciding.some((item) => item.container === undefined)) return everyBuild;
  const containers = new Set(deciding.map((item) => item.container));
  return images.flatMap((image) => (image.buildId && containers.has(image.container) ? [image.buildId] : []));
}

const PREFIX = 'fargate-gate';
const POLICY_NAME_BUDGET = 64;
const BUILD_ID_BUDGET = 96;

/**
 * The reason the gate gives ECS when it stops a task or rolls a deployment back. It appears in DescribeTasks and
 * the console, so it names the policy, the failing rules and the build where the evidence is, in that order of
 * importance; whatever does not fit in 255 characters is cut from the end of each part with a marker, never
 * inside a character. Control characters (a policy name is free text) become spaces so the reason stays one line.
 */
export function buildStopReason(input: StopReasonInput): string {
  const policy = clip(oneLine(input.policyName), POLICY_NAME_BUDGET);
  const head = `${PREFIX}: ${input.decision === 'error' ? 'image could not be judged' : 'denied'} by policy "${policy}"`;

  const rules = [...new Set(input.rules.map(oneLine).filter(Boolean))];
  const builds = [...new Set(input.buildIds.map((id) => shortBuildId(oneLine(id))).filter(Boolean))];

  let reason = head;
  if (rules.length > 0) reason = appendList(reason, '; rules: ', rules, MAX_STOP_REASON_LENGTH - reserveFor(builds));
  if (builds.length > 0) reason = appendList(reason, '; build: ', builds.map((id) => clip(id, BUILD_ID_BUDGET)), MAX_STOP_REASON_LENGTH);
  return clip(reason, MAX_STOP_REASON_LENGTH);
}

/** Room kept for the build part so a long rule list cannot push the evidence pointer out. */
function reserveFor(builds: readonly string[]): number {
  if (builds.length === 0) return 0;
  return '; build: '.length + Math.min(textLength(builds[0]), BUILD_ID_BUDGET) + (builds.length > 1 ? ' +99 more'.length : 0);
}

/** Adds `label` and as many items as fit under `limit`, then `+N more` for the rest. */
function appendList(base: string, label: string, items: readonly string[], limit: number): string {
  const render = (shown: readonly string[]): string => {
    const rest = items.length - shown.length;
    if (shown.length === 0) return `${base}${label}${items.length} (listed in the verdict event)`;
    return `${base}${label}${shown.join(',')}${rest > 0 ? ` +${rest} more` : ''}`;
  };
  const shown: string[] = [];
  for (const item of items) {
    if (textLength(render([...shown, item])) > limit) break;
    shown.push(item);
  }
  const text = render(shown);
  return textLength(text) <= limit ? text : base;
}

/** `arn:aws:codebuild:...:build/project:uuid` → `project:uuid`: the ARN adds nothing a reader needs. */
function shortBuildId(id: string): string {
  const at = id.indexOf(':build/');
  return at >= 0 ? id.slice(at + ':build/'.length) : id;
}

function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim();
}

/**
 * Length in UTF-16 code units, JavaScript's `length`: never less than the count of characters, so a reason
 * within the limit by this measure is within it however ECS counts.
 */
function textLength(text: string): number {
  return text.length;
}

