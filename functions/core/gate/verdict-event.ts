import { accountOf } from '../organisation/account';
import type { VerdictEvent } from '../ports';
import type { EvaluationResult } from '../result/model';
import { decisionRules } from './decision-rules';

export { decisionRules } from './decision-rules';

/** Most violations one verdict event lists: EventBridge entries are limited to 256 KB, and a CVE-heavy image has thousands. */
export const MAX_EVENT_VIOLATIONS = 100;
const MAX_MESSAGE_LENGTH = 1000;

export interface VerdictImage {
  container?: string;
  image?: string;
  digest?: string;
  buildId?: string;
  reportLocation?: string;
}

export interface VerdictEventInput {
  result: EvaluationResult;
  action: VerdictEvent['action'];
  images: readonly VerdictImage[];
  cluster?: string;
  service?: string;
  taskArn?: string;
  taskDefinitionArn?: string;
  launchedBy?: string;
}

/**
 * The "Fargate Gate Verdict" event for one decision: what was decided and done, which rules failed and why,
 * which images (with the build and the raw report a reviewer opens), and who launched the task. Violations are
 * already ordered deny-first and most severe first by the evaluator, so the cut keeps what matters.
 */
export function buildVerdictEvent(input: VerdictEventInput): VerdictEvent {
  const { result } = input;
  const rules = decisionRules(result);
  const event: VerdictEvent = {
    decision: result.decision,
    mode: result.mode,
    action: input.action,
    rules,
    policy: { name: result.policy.name, hash: result.policy.hash },
    images: input.images.map((image) => definedOnly({ ...image })),
    violations: result.violations.slice(0, MAX_EVENT_VIOLATIONS).map((v) =>
      definedOnly({
        rule: v.rule,
        kind: v.kind,
        container: v.container,
        id: v.id,
        severity: v.severity,
        action: v.action,
        message: truncate(v.message),
      }),
    ),
    totalViolations: result.violations.length,
  };
  if (result.errors.length > 0) event.errors = result.errors.map((e) => definedOnly({ container: e.container, message: truncate(e.message) }));
  const context = definedOnly({
    account: accountOf(input.taskArn) ?? accountOf(input.cluster) ?? accountOf(input.taskDefinitionArn),
    cluster: input.cluster,
    service: input.service,
    taskArn: input.taskArn,
    taskDefinitionArn: input.taskDefinitionArn,
    launchedBy: input.launchedBy,
  });
  return { ...event, ...context };
}

function truncate(text: string): string {
  return text.length <= MAX_MESSAGE_LENGTH ? text : `${text.slice(0, MAX_MESSAGE_LENGTH - 1)}…`;
}

function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
