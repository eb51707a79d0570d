import { relative } from 'node:path';
import { displayWidth, sanitizeInline, wrapToWidth } from '../core/render/text';
import type { GateAction, TimelineEntry } from '../local/activity';
import { shortBuild, shortDigest } from '../local/describe';
import { hookStatusText, type ScenarioResult } from './simulate-runner';
import { accountSummaries, organisationHeader, organisationJson } from './simulate-organisation';

/**
 * The two faces of a simulation: a timeline people read (what happened, in order, with the gate's actions
 * under the event that caused them) and a JSON document tools and tests read.
 */

export function renderJson(result: ScenarioResult): string {
  const { scenario } = result;
  const document = {
    scenario: { name: scenario.name, file: scenario.file, ...(scenario.description ? { description: scenario.description } : {}) },
    policy: { name: scenario.policy.name, hash: scenario.policy.hash, source: scenario.policy.source },
    account: scenario.account,
    region: scenario.region,
    startedAt: result.startedAt,
    endedAt: result.endedAt,
    actions: result.actions,
    tasks: result.tasks,
    services: result.services,
    scans: result.scans,
    counts: result.counts,
    ...(scenario.organisation ? { organisation: organisationJson(result) } : {}),
    expectations: result.expectations,
    ok: result.expectations.every((expectation) => expectation.ok),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

export interface TimelineOptions {
  /** Where the scenario path is shown relative to. */
  cwd?: string;
  /**
   * Terminal columns: every line is wrapped at words to fit, continuation lines indented under the text. Given only
   * when stdout is a terminal; absent (a pipe, a CI log), each line is written whole.
   */
  width?: number;
  /** List every event, routine ones included (an event ignored as a stopping task, a duplicate), one by one. */
  verbose?: boolean;
}

/** Narrowest text column a wrapped line gets, however deep its indent and narrow the terminal. */
const MIN_TEXT_WIDTH = 30;

/** The gate's log messages that report a decision (functions/handlers/decision-log.ts fields). */
const DECISION_MESSAGES = new Set(['task judged', 'image judged', 'service revision refused', 'service revision admitted']);

export function renderTimeline(result: ScenarioResult, options: TimelineOptions = {}): string {
  const { scenario, backend } = result;
  const cwd = options.cwd ?? process.cwd();
  const start = Date.parse(result.startedAt);
  const at = (iso: string): string => {
    const seconds = Math.round((Date.parse(iso) - start) / 1000);
    const h = Math.floor(seconds / 3600);
    const m = Math.floor((seconds % 3600) / 60);
    const s = seconds % 60;
    return `+${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
  };
  const out: string[] = [];
  const line = (prefix: string, text: string): void => {
    out.push(...fitLine(prefix, text, options.width));
  };
  line('', `fargate-gate simulate: ${scenario.name} (${relative(cwd, scenario.file) || scenario.file})`);
  if (scenario.description) line('  ', scenario.description);
  line('', `policy ${scenario.policy.name} (sha256 ${scenario.policy.hash.slice(0, 12)}…), account ${scenario.account} ${scenario.region}, start ${result.startedAt}`);
  if (scenario.organisation) line('', organisationHeader(scenario.organisation));
  out.push('');

  const timeline = backend.activity.timeline;
  const hidden = options.verbose ? new Set<string>() : routineEvents(timeline);
  const ignored = new Map<string, number>();
  const allIgnored = new Map<string, number>();
  // The time of the latest entry: a step's summary of ignored events is stamped with the end of the step.
  let latest = result.startedAt;
  const summariseIgnored = (): void => {
    if (ignored.size === 0) return;
    line(`${at(latest)}      .. `, `${ignoredSentence(ignored)} (--verbose lists them)`);
    ignored.clear();
  };
  for (const entry of timeline) {
    if (entry.kind === 'step') summariseIgnored();
    const entryAt = entry.kind === 'action' ? entry.action.at : entry.kind === 'note' ? entry.note.at : entry.at;
    if (entryAt > latest) latest = entryAt;
    if ((entry.kind === 'event' || entry.kind === 'result') && hidden.has(entry.label)) {
      if (entry.kind === 'result' && entry.routine) {
        ignored.set(entry.routine, (ignored.get(entry.routine) ?? 0) + 1);
        allIgnored.set(entry.routine, (allIgnored.get(entry.routine) ?? 0) + 1);
      }
      continue;
    }
    const shown = timelineLine(entry, at, result.labelOf);
    if (shown) line(shown.prefix, shown.text);
  }
  summariseIgnored();

  out.push('');
  out.push('Summary');
  const actionCounts = Object.entries(result.counts.actions)
    .filter(([, count]) => count > 0)
    .map(([type, count]) => `${type} ${count}`);
  line('  ', `events delivered ${result.counts.events}, handler errors ${result.counts.handlerErrors}, AWS calls ${result.counts.awsCalls}`);
  if (allIgnored.size > 0) line('  ', `${ignoredSentence(allIgnored)} (--verbose lists them)`);
  line('  ', `gate actions: ${actionCounts.join(', ') || 'none'}`);
  for (const task of result.tasks) {
    const stop = task.lastStatus === 'STOPPED' ? ` (${task.stopCode ?? 'stopped'}${task.stoppedReason ? `: ${task.stoppedReason}` : ''})` : '';
    line('  ', `task ${task.label} [${task.taskDefinition}]${task.account ? ` in ${task.account}${task.region === scenario.region ? '' : ` ${task.region}`}` : ''} ${task.lastStatus}${stop}`);
  }
  for (const service of result.services) {
    const running = service.running.map((entry) => `${entry.taskDefinition} x${entry.tasks}`).join(', ') || 'no tasks';
    line('  ', `service ${service.name}: desired ${service.desiredCount}, running ${running}${service.restartLoop ? ', RESTART LOOP' : ''}`);
  }
  for (const scan of result.scans) {
    line('  ', `scan ${shortDigest(scan.digest)} ${scan.state}${scan.error ? ` (${scan.error})` : ''}`);
  }
  for (const text of accountSummaries(result)) line('  ', text);
  const met = result.expectations.filter((expectation) => expectation.ok).length;
  line('  ', `expectations: ${met}/${result.expectations.length} met`);
  for (const expectation of result.expectations.filter((candidate) => !candidate.ok)) {
    line('    ', `NOT MET: ${expectation.what}: expected ${expectation.expected}, got ${expectation.actual}`);
  }
  return `${out.join('\n')}\n`;
}

/**
 * The gate's own log stream, as CloudWatch Logs holds it for its functions: one JSON document a line, log lines and
 * EMF metric documents, in the order written and stamped with simulated time. Debug lines only when `verbose` (a
 * deployment's LOG_LEVEL is info unless changed).
 */
export function renderLogs(result: ScenarioResult, options: { verbose?: boolean } = {}): string {
  const lines: string[] = [];
  for (const entry of result.backend.activity.timeline) {
    if (entry.kind !== 'log') continue;
    if (entry.source === 'log' && !options.verbose && (entry.record.level === 'debug' || entry.record.level === 'trace')) continue;
    lines.push(entry.text);
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

/**
 * One timeline line fitted to `width`: the prefix (time and indent) stays on the first line, the text wraps at words
 * under itself; a word is never cut. Without a width the line is written whole. Control characters from events (hostile tags, reasons) are
 * shown as escapes either way.
 */
export function fitLine(prefix: string, text: string, width?: number): string[] {
  const clean = sanitizeInline(text);
  if (width === undefined || !Number.isFinite(width)) return [`${prefix}${clean}`];
  const indent = displayWidth(prefix);
  // A digest or an ARN longer than the line stays whole: it is what a reader copies.
  const [first, ...rest] = wrapToWidth(clean, Math.max(MIN_TEXT_WIDTH, Math.floor(width) - indent), { keepLongWords: true });
  return [`${prefix}${first}`, ...rest.map((part) => `${' '.repeat(indent)}${part}`)];
}

/** `18 routine events ignored: not a starting task (12), duplicate or out-of-order event (6)`, most frequent first. */
function ignoredSentence(counts: ReadonlyMap<string, number>): string {
  const total = [...counts.values()].reduce((sum, n) => sum + n, 0);
  const parts = [...counts.entries()].sort(([a, x], [b, y]) => y - x || a.localeCompare(b)).map(([reason, n]) => `${reason} (${n})`);
  return `${total} routine event${total === 1 ? '' : 's'} ignored: ${parts.join(', ')}`;
}

/**
 * Events the gate had nothing to do with, routinely (their result has a `routine` reason), and that caused nothing:
 * no action, world note or handler error under them. Their labels.
 */
function routineEvents(timeline: readonly TimelineEntry[]): Set<string> {
  const routine = new Set<string>();
  const busy = new Set<string>();
  for (const entry of timeline) {
    if (entry.kind === 'result' && entry.routine) routine.add(entry.label);
    else if (entry.kind === 'error') busy.add(entry.label);
    else if (entry.kind === 'action' && entry.action.trigger) busy.add(entry.action.trigger);
    else if (entry.kind === 'note' && entry.note.trigger) busy.add(entry.note.trigger);
  }
  for (const label of busy) routine.delete(label);
  return routine;
}

function timelineLine(entry: TimelineEntry, at: (iso: string) => string, labelOf: (arn: string) => string): { prefix: string; text: string } | undefined {
  switch (entry.kind) {
    case 'step':
      return { prefix: `${at(entry.at)}  `, text: entry.text };
    case 'event':
      return { prefix: `${at(entry.at)}    `, text: `${entry.label} ${entry.detailType}${entry.duplicate ? ' (duplicate)' : ''}: ${entry.summary}` };
    case 'hook':
      return { prefix: `${at(entry.at)}    `, text: `${entry.label} ECS lifecycle hook: ${entry.summary}` };
    case 'error':
      return { prefix: `${at(entry.at)}      !! `, text: `${entry.label} the handler threw: ${entry.message}` };
    case 'result':
      return { prefix: `${at(entry.at)}      -- `, text: entry.text };
    case 'note':
      return { prefix: `${at(entry.note.at)}      .. `, text: entry.note.text };
    case 'action':
      return { prefix: `${at(entry.action.at)}      => `, text: describeAction(entry.action, labelOf) };
    case 'log': {
      if (entry.source !== 'log' || !DECISION_MESSAGES.has(String(entry.record.msg))) return undefined;
      const text = describeDecision(entry.record, labelOf);
      return text ? { prefix: `${at(entry.at)}      == `, text } : undefined;
    }
  }
}

interface LoggedDecision {
  msg?: unknown;
  decision?: unknown;
  mode?: unknown;
  policy?: unknown;
  taskArn?: unknown;
  digest?: unknown;
  serviceRevisionArn?: unknown;
  findings?: { id?: unknown; rule?: unknown; container?: unknown; where?: unknown }[];
  findingsTotal?: unknown;
  exceptions?: { id?: unknown; owner?: unknown; expiresAt?: unknown; findings?: unknown[] }[];
  errors?: unknown[];
}

/**
 * A decision as the gate logged it (decision-log.ts fields), in words: who, what was decided under which policy,
 * the findings that decided it (CVE ids, a secret's rule and where it is, where a root user comes from), and the
 * exceptions that let findings through. A plain pass (nothing decided it, nothing excepted) says nothing new: none.
 */
export function describeDecision(record: Record<string, unknown>, labelOf: (arn: string) => string): string | undefined {
  const logged = record as LoggedDecision;
  const findings = Array.isArray(logged.findings) ? logged.findings : [];
  const exceptions = Array.isArray(logged.exceptions) ? logged.exceptions : [];
  const errors = Array.isArray(logged.errors) ? logged.errors : [];
  if (logged.decision === 'pass' && exceptions.length === 0) return undefined;

  const subject =
    typeof logged.taskArn === 'string'
      ? labelOf(logged.taskArn)
      : typeof logged.serviceRevisionArn === 'string'
        ? `service ${serviceOfRevision(logged.serviceRevisionArn)} revision`
        : typeof logged.digest === 'string'
          ? `image ${shortDigest(logged.digest)}`
          : 'the image';
  const audit = logged.mode === 'audit' && (logged.decision === 'fail' || logged.decision === 'error') ? ' (audit: reported, not enforced)' : '';
  const parts: string[] = [];

  const byRule = new Map<string, string[]>();
  for (const finding of findings) {
    const rule = String(finding.rule);
    const where = typeof finding.where === 'string' ? finding.where : undefined;
    const text = rule === 'rootUser' ? (where ?? 'runs as root') : where ? `${String(finding.id)} (${where})` : String(finding.id);
    // One CVE in two packages is one id to look up.
    const texts = byRule.get(rule) ?? [];
    if (!texts.includes(text)) texts.push(text);
    byRule.set(rule, texts);
  }
  for (const [rule, texts] of byRule) parts.push(rule === 'rootUser' ? `root user: ${texts.join(', ')}` : `${rule} ${texts.join(', ')}`);
  const total = typeof logged.findingsTotal === 'number' ? logged.findingsTotal : findings.length;
  if (total > findings.length) parts.push(`and ${total - findings.length} more finding${total - findings.length === 1 ? '' : 's'}`);
  for (const error of errors) parts.push(`not judged: ${String(error)}`);
  for (const exception of exceptions) {
    const allowed = Array.isArray(exception.findings) && exception.findings.length > 0 ? ` ${exception.findings.map(String).join(', ')}` : '';
    parts.push(`allowed by exception ${String(exception.id)}${allowed} (owner ${String(exception.owner)}, expires ${String(exception.expiresAt)})`);
  }
  const verb = logged.msg === 'service revision refused' ? 'refused' : logged.msg === 'service revision admitted' ? 'admitted' : String(logged.decision);
  const decided = verb === String(logged.decision) ? verb : `${verb} (${String(logged.decision)})`;
  return `${subject} ${decided}${audit} under ${String(logged.policy)}: ${parts.join('; ') || 'no finding named'}`;
}

/** `arn:aws:ecs:<region>:<account>:service-revision/<cluster>/<service>/<id>` → the service name. */
function serviceOfRevision(arn: string): string {
  const parts = arn.slice(arn.indexOf('service-revision/') + 'service-revision/'.length).split('/');
  return parts.length >= 3 ? parts[1] : arn;
}

export function describeAction(action: GateAction, labelOf: (arn: string) => string): string {
  switch (action.type) {
    case 'startScan':
      if (action.refused) return `startScan ${shortDigest(action.digest)} refused: ${action.refused}`;
      if (action.replayed) return `startScan ${shortDigest(action.digest)} again (same idempotency token: build ${action.buildId})`;
      return `startScan ${shortDigest(action.digest)} ${repositoryOf(action.imageReference)} (build ${shortBuild(action.buildId)})`;
    case 'stopTask':
      return `stopTask ${labelOf(action.taskArn)}${action.notFound ? ' (ECS: task not found)' : action.alreadyStopped ? ' (already stopping)' : ''} reason (${action.reason.length} chars): "${action.reason}"`;
    case 'rollbackDeployment':
      if (action.outcome === 'restored') return `rollbackDeployment ${action.service}: completed, restored ${action.taskDefinitionArn?.split('/').pop() ?? 'the previous revision'}: ${action.reason}`;
      return action.outcome === 'rolledBack'
        ? `rollbackDeployment ${action.service}${action.repeated ? ' (already rolling back)' : ''}: ${action.reason}`
        : `rollbackDeployment ${action.service}: nothing to roll back to`;
    case 'continueServiceDeployment':
      return `continueServiceDeployment ${action.service} ${action.action} (PAUSE hook ${action.hookId.slice(0, 18)}...)`;
    case 'scaleService':
      return `scaleService ${action.service} ${action.previousCount} -> ${action.desiredCount}`;
    case 'notify': {
      const event = action.event;
      const subject = event.taskArn ? labelOf(event.taskArn) : event.service ? `service ${event.service}` : 'image';
      const rules = event.rules.length ? `: ${event.rules.join(', ')}` : '';
      return `notify ${event.decision} ${subject} (${event.mode}, action ${event.action})${rules}`;
    }
    case 'hookResponse':
      return action.error !== undefined
        ? `hook answer: the function failed (${action.error})`
        : `hook answer ${hookStatusText(action.response)}${hookDelay(action.response)}`;
  }
}

/** `registry/repo@sha256:…` or `registry/repo:tag` → `repo` (with the tag when there is one): the digest is shown beside it. */
function repositoryOf(reference: string): string {
  const withoutDigest = reference.replace(/@.*$/, '');
  const slash = withoutDigest.indexOf('/');
  return slash >= 0 && /[.:]|^localhost$/.test(withoutDigest.slice(0, slash)) ? withoutDigest.slice(slash + 1) : withoutDigest;
}

function hookDelay(response: unknown): string {
  const delay = response && typeof response === 'object' ? (response as Record<string, unknown>).callBackDelay : undefined;
  return typeof delay === 'number' ? ` (call back in ${delay}s)` : '';
}
