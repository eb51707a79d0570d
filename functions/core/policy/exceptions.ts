import { canonicalMisconfigId, canonicalVulnerabilityId } from '../findings/ids';
import type { ExceptionReport, SuppressedViolation, Violation } from '../result/model';
import type { CompiledException, CompiledPolicy } from './compile';
import type { RuleName } from './schema';

/** Where a violation happened: what exception match keys other than ids, packages and rules are compared with. */
export interface ViolationScope {
  cluster: string[];
  service: string[];
  container?: string;
  /** Repository path and full name with registry, for glob matching. */
  repositories: string[];
  digest?: string;
}

export interface ExceptionOutcome {
  violations: Violation[];
  suppressed: SuppressedViolation[];
  used: ExceptionReport[];
  unused: ExceptionReport[];
  expired: ExceptionReport[];
}

function report(compiled: CompiledException): ExceptionReport {
  const { id, reason, owner, expiresAt } = compiled.exception;
  return { id, reason, owner, expiresAt };
}

/** The violation's id and aliases in the canonical spelling for its kind. */
function violationIdKeys(violation: Violation): string[] {
  const canon = violation.kind === 'misconfiguration' ? canonicalMisconfigId : canonicalVulnerabilityId;
  const aliases = typeof violation.details?.aliases === 'string' ? violation.details.aliases.split(',') : [];
  return [violation.id, ...aliases].filter(Boolean).map(canon);
}

function matches(exception: CompiledException, violation: Violation, idKeys: readonly string[], scope: ViolationScope): boolean {
  if (exception.rules && !exception.rules.has(violation.rule as RuleName)) return false;
  if (exception.idKeys && !idKeys.some((key) => exception.idKeys?.has(key))) return false;
  if (exception.packages) {
    const name = violation.details?.package;
    const purl = violation.details?.purl;
    if (typeof name !== 'string' && typeof purl !== 'string') return false;
    if (!exception.packages([typeof name === 'string' ? name : undefined, typeof purl === 'string' ? purl : undefined])) return false;
  }
  if (exception.repositories && !exception.repositories(scope.repositories)) return false;
  if (exception.digests && (scope.digest === undefined || !exception.digests.has(scope.digest))) return false;
  if (exception.clusters && !exception.clusters(scope.cluster)) return false;
  if (exception.services && !exception.services(scope.service)) return false;
  if (exception.containers && !exception.containers([scope.container])) return false;
  return true;
}

/**
 * Applies the policy's exceptions. Exceptions with `ids` are indexed by every canonical spelling of their ids,
 * so a violation is compared only with the exceptions that could match it plus those without ids: evaluation
 * stays linear in the number of violations for realistic policies. All given match keys must match (AND);
 * the first matching live exception in policy order is the one recorded in `suppressedBy`. An expired
 * exception never suppresses; a violation it would have matched says so in its message and in `details.expiredException`.
 */
export function applyExceptions(compiled: CompiledPolicy, items: { violation: Violation; scope: ViolationScope }[], now: Date): ExceptionOutcome {
  const nowMs = now.getTime();
  const byId = new Map<string, CompiledException[]>();
  const withoutIds: CompiledException[] = [];
  for (const exception of compiled.exceptions) {
    if (!exception.idKeys) {
      withoutIds.push(exception);
      continue;
    }
    for (const key of exception.idKeys) {
      const list = byId.get(key);
      if (list) list.push(exception);
      else byId.set(key, [exception]);
    }
  }
  const isExpired = (exception: CompiledException) => !(exception.expiresAtMs > nowMs);
  const matched = new Set<CompiledException>();
  const violations: Violation[] = [];
  const suppressed: SuppressedViolation[] = [];

  const none = withoutIds.length === 0 && byId.size === 0;
  for (const { violation, scope } of items) {
    // A policy without exceptions (the usual case) has nothing to consider: no closure, no id list for each of
    // thousands of violations.
    if (none) {
      violations.push(violation);
      continue;
    }
    // Only an exception with ids reads them: a policy without one spells no violation's ids.
    const idKeys = byId.size > 0 ? violationIdKeys(violation) : [];
    let live: CompiledException | undefined;
    let expired: CompiledException | undefined;
    const consider = (exception: CompiledException) => {
      if (!matches(exception, violation, idKeys, scope)) return;
      if (isExpired(exception)) {
        if (!expired || exception.index < expired.index) expired = exception;
        return;
      }
      matched.add(exception);
      if (!live || exception.index < live.index) live = exception;
    };
    for (const exception of withoutIds) consider(exception);
    if (byId.size > 0) {
      // An exception listing several spellings of one id is indexed under each: consider it once.
      const seen = new Set<CompiledException>();
      for (const key of idKeys) {
        for (const exception of byId.get(key) ?? []) {
          if (seen.has(exception)) continue;
          seen.add(exception);
          consider(exception);
        }
      }
    }
    if (live) {
      const { id, reason, owner, expiresAt } = live.exception;
      suppressed.push({ ...violation, suppressedBy: { exceptionId: id, reason, owner, expiresAt } });
    } else if (expired) {
      const { id, expiresAt } = expired.exception;
      violations.push({
        ...violation,
        message: `${violation.message} (exception ${id} expired ${expiresAt.length === 10 ? 'on' : 'at'} ${expiresAt})`,
        details: { ...violation.details, expiredException: id },
      });
    } else {
      violations.push(violation);
    }
  }

  const used: ExceptionReport[] = [];
  const unused: ExceptionReport[] = [];
  const expiredReports: ExceptionReport[] = [];
  for (const exception of compiled.exceptions) {
    if (isExpired(exception)) expiredReports.push(report(exception));
    else if (matched.has(exception)) used.push(report(exception));
    else unused.push(report(exception));
  }
  return { violations, suppressed, used, unused, expired: expiredReports };
}
