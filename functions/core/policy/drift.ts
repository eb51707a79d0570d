import type { Severity } from '../severity';
import type { Violation } from '../result/model';
import { parseDuration } from './duration';
import { compileScopeMatch, scopeMatches, type CompiledScopeMatch, type ScopeMatch } from './scope-match';
import type { DriftMark, LoadedPolicy } from './input';
import type { ModeScope } from './mode';
import type { DriftPolicy, Policy } from './schema';

/** The drift settings that apply to one container, after its scope (first matching `drift.scopes` entry) is found. */
export interface DriftSettings {
  notify: boolean;
  /** Grace per severity in ms; a severity absent is denied at once. */
  graceMs: Partial<Record<Severity, number>>;
  stopStandaloneTasks: boolean;
  rollBackServices: boolean;
  scaleServicesToZero: boolean;
  /** Index of the `drift.scopes` entry that decided; undefined for the drift part's own settings. */
  scope?: number;
  reason?: string;
}

const compiledScopes = new WeakMap<object, CompiledScopeMatch[]>();

// The same matcher as the mode overrides (scope-match.ts): a scope by account or organisational unit selects alike.
function scopesOf(drift: DriftPolicy, organizationalUnits: Policy['organizationalUnits']): CompiledScopeMatch[] {
  const cached = compiledScopes.get(drift);
  if (cached) return cached;
  const compiled = (drift.scopes ?? []).map((scope) => compileScopeMatch(scope.match as ScopeMatch, organizationalUnits));
  compiledScopes.set(drift, compiled);
  return compiled;
}

function graceOf(grace: DriftPolicy['grace']): Partial<Record<Severity, number>> {
  const out: Partial<Record<Severity, number>> = {};
  for (const [severity, text] of Object.entries(grace ?? {})) {
    if (typeof text !== 'string') continue;
    const parsed = parseDuration(text);
    if ('ms' in parsed) out[severity as Severity] = parsed.ms;
  }
  return out;
}

/**
 * The drift settings for a container's scope. Without a `drift` part: notify, no grace (a drifted finding is denied
 * at once, as any other), no action on running tasks. A scope's setting replaces the drift part's own, key by key;
 * `scaleServicesToZero` counts only when it is said in so many words (true), never by default.
 */
export function resolveDriftSettings(policy: LoadedPolicy<Policy>, scope: ModeScope): DriftSettings {
  const drift = policy.document.drift;
  const base: DriftSettings = {
    notify: drift?.notify ?? true,
    graceMs: graceOf(drift?.grace),
    stopStandaloneTasks: drift?.actOnRunning?.stopStandaloneTasks === true,
    rollBackServices: drift?.actOnRunning?.rollBackServices === true,
    scaleServicesToZero: drift?.actOnRunning?.scaleServicesToZero === true,
  };
  if (!drift?.scopes) return base;
  const compiled = scopesOf(drift, policy.document.organizationalUnits);
  for (const [index, matcher] of compiled.entries()) {
    if (!scopeMatches(matcher, scope)) continue;
    const entry = drift.scopes[index];
    const act = entry.actOnRunning;
    return {
      notify: entry.notify ?? base.notify,
      graceMs: entry.grace !== undefined ? graceOf(entry.grace) : base.graceMs,
      stopStandaloneTasks: act?.stopStandaloneTasks ?? base.stopStandaloneTasks,
      rollBackServices: act?.rollBackServices ?? base.rollBackServices,
      scaleServicesToZero: act?.scaleServicesToZero ?? base.scaleServicesToZero,
      scope: index,
      ...(entry.reason ? { reason: entry.reason } : {}),
    };
  }
  return base;
}

/** When a drift mark's grace ends under `settings` (epoch ms), or undefined when its severity has none. */
export function graceEndsAt(mark: DriftMark, severity: Severity, settings: DriftSettings): number | undefined {
  const grace = settings.graceMs[severity];
  const opened = Date.parse(mark.openedAt);
  if (grace === undefined || Number.isNaN(opened)) return undefined;
  return opened + grace;
}

/**
 * A denied violation of an image that drifted in, as a launch judges it: within its grace a warning (the launch goes
 * ahead; `details.driftGraceUntil` says until when), after it still a denial, its message saying "drift grace expired"
 * so the stop reason and the verdict event name why. Violations that are not drift, or not denied, pass unchanged.
 */
export function withDriftGrace(violation: Violation, marks: readonly DriftMark[] | undefined, settings: DriftSettings, now: Date): Violation {
  if (!marks || violation.action !== 'deny') return violation;
  const mark = marks.find((m) => m.id === violation.id && m.rule === violation.rule);
  if (!mark) return violation;
  const ends = graceEndsAt(mark, violation.severity, settings);
  if (ends === undefined) return { ...violation, details: { ...violation.details, drift: true, driftOpenedAt: mark.openedAt } };
  const until = new Date(ends).toISOString();
  if (now.getTime() < ends) {
    return {
      ...violation,
      action: 'warn',
      message: `${violation.message} (drift since ${mark.openedAt}: launches allowed until ${until})`,
      details: { ...violation.details, drift: true, driftOpenedAt: mark.openedAt, driftGraceUntil: until, policyAction: 'deny' },
    };
  }
  return {
    ...violation,
    message: `${violation.message} (drift grace expired at ${until})`,
    details: { ...violation.details, drift: true, driftOpenedAt: mark.openedAt, driftGraceUntil: until, driftGraceExpired: true },
  };
}
