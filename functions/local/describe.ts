/**
 * One-line descriptions of events, for timelines. Reads the real shapes loosely: a raw event from a
 * scenario may be malformed on purpose, and describing it must never fail.
 */
type Labeler = (arn: string) => string;

const shortDigest = (digest: unknown): string => (typeof digest === 'string' ? digest.replace(/^(sha256:[0-9a-f]{12})[0-9a-f]+$/, '$1…') : '?');

function record(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

export function describeEvent(event: unknown, label: Labeler = (arn) => arn): { detailType: string; summary: string } {
  const envelope = record(event);
  const detailType = typeof envelope['detail-type'] === 'string' ? envelope['detail-type'] : '(no detail-type)';
  const detail = record(envelope.detail);
  switch (detailType) {
    case 'ECS Task State Change': {
      const containers = Array.isArray(detail.containers) ? detail.containers.map(record) : [];
      const digests = containers.filter((c) => c.imageDigest).map((c) => `${String(c.name)}@${shortDigest(c.imageDigest)}`);
      const stop = detail.stopCode ? ` ${String(detail.stopCode)}` : '';
      const task = typeof detail.taskArn === 'string' ? label(detail.taskArn) : '(no taskArn)';
      const version = typeof detail.version === 'number' ? `, v${detail.version}` : '';
      return {
        detailType,
        summary: `${task} ${String(detail.lastStatus)} (desired ${String(detail.desiredStatus)}${version})${stop}${digests.length ? ` ${digests.join(' ')}` : ''}`,
      };
    }
    case 'AWS API Call via CloudTrail': {
      const response = record(detail.responseElements);
      const tasks = Array.isArray(response.tasks) ? response.tasks.map((task) => label(String(record(task).taskArn))) : [];
      return { detailType, summary: `${String(detail.eventName)} by ${String(record(detail.userIdentity).arn)}${tasks.length ? ` → ${tasks.join(', ')}` : ''}` };
    }
    case 'CodeBuild Build State Change': {
      return { detailType, summary: `build ${shortBuild(String(detail['build-id']))} ${String(detail['build-status'])}` };
    }
    case 'ECR Image Action':
      return {
        detailType,
        summary: `${String(detail['action-type'])} ${String(detail['repository-name'])}${detail['image-tag'] ? `:${String(detail['image-tag'])}` : ''} ${shortDigest(detail['image-digest'])}`,
      };
    case 'ECS Hook State Change': {
      // The documented event names the service in detail.serviceArn (resources hold the service deployment).
      const service = typeof detail.serviceArn === 'string' ? detail.serviceArn.replace(/^.*:service\//, '') : '';
      const deployment = typeof detail.serviceDeploymentArn === 'string' ? detail.serviceDeploymentArn.slice(detail.serviceDeploymentArn.lastIndexOf('/') + 1) : '?';
      return { detailType, summary: `${String(detail.eventName)} ${String(detail.lifecycleStage ?? '')} ${service || '?'} deployment ${deployment}`.replace(/ {2,}/g, ' ') };
    }
    case 'Scheduled Event':
      return { detailType, summary: `sweep (${Array.isArray(envelope.resources) ? String(envelope.resources[0]) : 'rule'})` };
    default:
      return { detailType, summary: JSON.stringify(event)?.slice(0, 120) ?? String(event) };
  }
}

export { shortDigest };

/** `project:uuid` or a build ARN → `project:<first 8 hex>…`, for timelines. */
export function shortBuild(buildId: string | undefined): string {
  if (!buildId) return '?';
  return buildId.replace(/^arn:aws[a-z-]*:codebuild:[^:]*:\d*:build\//, '').replace(/:([0-9a-f]{8})-[0-9a-f-]+$/, ':$1…');
}

/**
 * One line on what the gate made of an event, from the result its handler returned (shape of
 * functions/handlers/gate.ts `EventResult`, read loosely). Undefined when the actions already say it all.
 */
export function describeGateResult(result: unknown, short: (digest: string) => string = shortDigest): string | undefined {
  const r = record(result);
  switch (r.kind) {
    case 'ignored':
      return `ignored${r.malformed ? ' (malformed)' : ''}: ${String(r.reason)}`;
    case 'failed':
      return `failed (${String(r.failure)}): ${String(r.message)}`;
    case 'taskStateChange':
      return describeJudgement(record(r.judgement), short);
    case 'taskStopped':
      return `task stopped: ${describeStopped(record(r.outcome))}`;
    case 'runTaskCall': {
      const parts = (Array.isArray(r.judgements) ? r.judgements : []).map((j) => describeJudgement(record(j), short)).filter((p): p is string => Boolean(p));
      const counted = new Map<string, number>();
      for (const part of parts) counted.set(part, (counted.get(part) ?? 0) + 1);
      return counted.size ? [...counted.entries()].map(([text, n]) => (n > 1 ? `${text} (${n} tasks)` : text)).join('; ') : undefined;
    }
    case 'imagePushed':
      return `push: scan ${String(r.scan)}`;
    case 'sweep': {
      const s = record(r.summary);
      const p = r.posture === undefined ? undefined : record(r.posture);
      const posture = p ? `; posture: ${String(p.inUse)} digest(s) in use, ${String(p.sbomScans)} SBOM and ${String(p.imageScans)} image re-judgement(s), ${String(p.reevaluated)} report(s) judged again` : '';
      return `sweep: ${String(s.finished)} finished, ${String(s.expired)} past deadline, ${String(s.retried)} retried, ${String(s.stillRunning)} still running${posture}`;
    }
    case 'hookAwaitingAction': {
      // A decided deployment shows as its continueServiceDeployment action; only what has no action line is said here.
      const parts = (Array.isArray(r.outcomes) ? r.outcomes : []).map(record).flatMap((o) => {
        const deployment = String(o.serviceDeploymentArn).slice(String(o.serviceDeploymentArn).lastIndexOf('/') + 1);
        if (o.kind === 'waiting') return [`deployment ${deployment} held at its PAUSE hook, waiting for ${(Array.isArray(o.digests) ? o.digests : []).map((d) => short(String(d))).join(', ')}`];
        if (o.kind === 'notAwaiting') return [`deployment ${deployment}: nothing to decide (${String(o.why)})`];
        if (o.kind === 'refused') return [`ContinueServiceDeployment ${String(o.action)} refused for ${deployment}: ${String(o.message)}`];
        return [];
      });
      return parts.length > 0 ? parts.join('; ') : Array.isArray(r.outcomes) && r.outcomes.length === 0 ? 'no deployment in progress for this hook event' : undefined;
    }
    case 'scanBuildFinished': {
      const f = record(r.finished);
      return f.outcome ? `scan ${short(String(f.key))} → ${String(f.outcome)}${f.error ? ` (${String(f.error)})` : ''}` : 'build not known to the gate (already finished?)';
    }
    default:
      return undefined;
  }
}

/**
 * Why the gate had nothing to do with an event, when that is routine: an event ignored for a reason that is not a
 * malformed shape (a task that is stopping, another cluster), or one whose every task was skipped as a duplicate or
 * out of order. The reason without its particulars (`not a starting task`), so that timelines can count by it.
 * Undefined for anything worth showing.
 */
export function routineReason(result: unknown): string | undefined {
  const r = record(result);
  const general = (reason: unknown): string => String(reason).replace(/\s*\([^()]*\)$/, '');
  switch (r.kind) {
    case 'ignored':
      return r.malformed ? undefined : general(r.reason);
    case 'taskStopped':
      return 'task stopped';
    case 'sweep': {
      // A sweep every few minutes over simulated days: only one that did something is worth a line of its own.
      const s = record(r.summary);
      const p = r.posture === undefined ? {} : record(r.posture);
      const drift = record(p.drift);
      const scans = [s.finished, s.expired, s.retried, s.stillRunning];
      const posture = [p.sbomScans, p.imageScans, p.reevaluated, p.deferred, p.inFlight, drift.expired, p.expiringExceptions];
      return scans.every((n) => n === 0) && posture.every((n) => n === undefined || n === 0) ? 'sweep with nothing to do' : undefined;
    }
    case 'taskStateChange': {
      const judgement = record(r.judgement);
      return judgement.status === 'skipped' ? general(judgement.reason) : undefined;
    }
    case 'runTaskCall': {
      const judgements = (Array.isArray(r.judgements) ? r.judgements : []).map(record);
      return judgements.length > 0 && judgements.every((j) => j.status === 'skipped') ? general(judgements[0].reason) : undefined;
    }
    default:
      return undefined;
  }
}

function describeStopped(outcome: Record<string, unknown>): string {
  if (outcome.closed === 'byDigest') return `${String(outcome.digests)} use(s) closed in the inventory`;
  if (outcome.closed === 'byTask') return 'its uses closed in the inventory';
  return `nothing recorded (${String(outcome.reason)})`;
}

function describeJudgement(j: Record<string, unknown>, short: (digest: string) => string): string | undefined {
  switch (j.status) {
    case 'waiting':
      return `waiting for ${(Array.isArray(j.on) ? j.on : []).map((d) => short(String(d))).join(', ')}`;
    case 'provisional':
      return `provisional ${String(j.decision)} (on a tag the gate resolved; acts once ECS reports the digest)`;
    case 'skipped':
      return `skipped: ${String(j.reason)}`;
    case 'judged':
      return j.action === 'none' || j.action === undefined ? `judged ${String(j.decision)}, nothing to do` : undefined;
    default:
      return undefined;
  }
}
