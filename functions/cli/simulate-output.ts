import { relative } from 'node:path';
import type { GateAction, TimelineEntry } from '../local/activity';
import { shortBuild, shortDigest } from '../local/describe';
import { hookStatusText, type ScenarioResult } from './simulate-runner';

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
    expectations: result.expectations,
    ok: result.expectations.every((expectation) => expectation.ok),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

export function renderTimeline(result: ScenarioResult, cwd: string = process.cwd()): string {
  const { scenario, backend } = result;
  const start = Date.parse(result.startedAt);
  const at = (iso: string): string => {
    const seconds = Math.round((Date.parse(iso) - start) / 1000);
    const h = Math.floor(seconds / 3600);
    const m = Math.floor((seconds % 3600) / 60);
    const s = seconds % 60;
    return `+${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
  };
  const lines: string[] = [];
  lines.push(`fargate-gate simulate: ${scenario.name} (${relative(cwd, scenario.file) || scenario.file})`);
  if (scenario.description) lines.push(wrap(scenario.description, 100, '  '));
  lines.push(`policy ${scenario.policy.name} (sha256 ${scenario.policy.hash.slice(0, 12)}…), account ${scenario.account} ${scenario.region}, start ${result.startedAt}`);
  lines.push('');

  for (const entry of backend.activity.timeline) {
    const line = timelineLine(entry, at, result.labelOf);
    if (line) lines.push(line);
  }

  lines.push('');
  lines.push('Summary');
  const actionCounts = Object.entries(result.counts.actions)
    .filter(([, count]) => count > 0)
    .map(([type, count]) => `${type} ${count}`);
  lines.push(`  events delivered ${result.counts.events}, handler errors ${result.counts.handlerErrors}, AWS calls ${result.counts.awsCalls}`);
  lines.push(`  gate actions: ${actionCounts.join(', ') || 'none'}`);
  for (const task of result.tasks) {
    const stop = task.lastStatus === 'STOPPED' ? ` (${task.stopCode ?? 'stopped'}${task.stoppedReason ? `: ${task.stoppedReason}` : ''})` : '';
    lines.push(`  task ${task.label} [${task.taskDefinition}] ${task.lastStatus}${stop}`);
  }
  for (const service of result.services) {
    const running = service.running.map((entry) => `${entry.taskDefinition} x${entry.tasks}`).join(', ') || 'no tasks';
    lines.push(`  service ${service.name}: desired ${service.desiredCount}, running ${running}${service.restartLoop ? ', RESTART LOOP' : ''}`);
  }
  for (const scan of result.scans) {
    lines.push(`  scan ${shortDigest(scan.digest)} ${scan.state}${scan.error ? ` (${scan.error})` : ''}`);
  }
  const met = result.expectations.filter((expectation) => expectation.ok).length;
  lines.push(`  expectations: ${met}/${result.expectations.length} met`);
  for (const expectation of result.expectations.filter((candidate) => !candidate.ok)) {
    lines.push(`    NOT MET: ${expectation.what}: expected ${expectation.expected}, got ${expectation.actual}`);
  }
  return `${lines.join('\n')}\n`;
}

function timelineLine(entry: TimelineEntry, at: (iso: string) => string, labelOf: (arn: string) => string): string | undefined {
  switch (entry.kind) {
    case 'step':
      return `${at(entry.at)}  ${entry.text}`;
    case 'event':
      return `${at(entry.at)}    ${entry.label} ${entry.detailType}${entry.duplicate ? ' (duplicate)' : ''}: ${entry.summary}`;
    case 'hook':
      return `${at(entry.at)}    ${entry.label} ECS lifecycle hook: ${entry.summary}`;
    case 'error':
      return `${at(entry.at)}      !! ${entry.label} the handler threw: ${entry.message}`;
    case 'result':
      return `${at(entry.at)}      -- ${entry.text}`;
    case 'note':
      return `${at(entry.note.at)}      .. ${entry.note.text}`;
    case 'action':
      return `${at(entry.action.at)}      => ${describeAction(entry.action, labelOf)}`;
  }
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

function wrap(text: string, width: number, indent: string): string {
  const words = text.split(/\s+/);
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(indent + line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(indent + line);
  return lines.join('\n');
}
