import type { Violation } from '../result/model';
import { clip } from '../text-clip';
import type { VerdictChange } from './findings';

/**
 * Findings whose "opened" event went out and whose "resolved" event has not (yet): the gate keeps one small item per
 * (digest, finding), so a verdict that no longer denies an open finding resolves it even when the previous verdict did
 * not deny it either, as happens once a resolved event was lost (handlers/posture/verdict-change.ts). Pure: the store
 * is a port (DynamoDB in Lambda, memory in simulate and tests).
 */
export interface OpenFinding {
  digest: string;
  /** The finding as its opened event named it: what the resolved event says when no verdict at hand denied it. */
  finding: Violation;
  /**
   * ISO-8601: when its opened claim was taken (or, for a finding opened before the gate kept these items, when the
   * gate first saw it open without one). Keys the resolved event's claim: one resolved event per opening.
   */
  openedAt: string;
}

export interface OpenFindingStore {
  /** The digest's open findings (one Query); items past their retention are left out. */
  listOpenFindings(digest: string): Promise<OpenFinding[]>;
  /**
   * Records the finding open. `ifAbsent`: only when no live item of the (digest, finding) exists (a conditional write;
   * true when written), so filling in an item the gate lacks never replaces the opening another invocation recorded.
   * Without it the item is replaced: the caller won the opened claim, so any item left is of an earlier opening.
   */
  recordOpenFinding(open: OpenFinding, options?: { ifAbsent?: boolean }): Promise<boolean>;
  /**
   * Removes the item only while it is still the opening `openedAt` names (a conditional delete; true when removed):
   * a finding opened again meanwhile keeps the item of its new opening.
   */
  closeOpenFinding(digest: string, finding: Pick<Violation, 'rule' | 'id'>, openedAt: string): Promise<boolean>;
}

/** A finding to send the resolved event of, and the opening it resolves when the store knows it. */
export interface FindingToResolve {
  violation: Violation;
  /** The open item's `openedAt`; absent for a finding only the previous verdict named (no item: opened before items were kept, or its write failed). */
  openedAt?: string;
}

const findingKey = (v: Pick<Violation, 'rule' | 'id'>) => `${v.rule}:${v.id}`;

/**
 * The findings a verdict resolves: those the previous verdict denied and this one does not (`change.resolved`), and
 * every open item this verdict does not deny, whatever the previous verdict said (a resolved event lost earlier). The
 * verdict at hand's own violation is preferred to the item's copy; each finding once.
 */
export function findingsToResolve(change: Pick<VerdictChange, 'denied' | 'resolved'>, open: readonly OpenFinding[]): FindingToResolve[] {
  const denied = new Set(change.denied.map(findingKey));
  const openByKey = new Map(open.map((item) => [findingKey(item.finding), item]));
  const out = new Map<string, FindingToResolve>();
  for (const violation of change.resolved) {
    const item = openByKey.get(findingKey(violation));
    out.set(findingKey(violation), item ? { violation, openedAt: item.openedAt } : { violation });
  }
  for (const item of open) {
    const key = findingKey(item.finding);
    if (denied.has(key) || out.has(key)) continue;
    out.set(key, { violation: item.finding, openedAt: item.openedAt });
  }
  return [...out.values()];
}

/** Longest text an open item keeps of a finding's message and each detail (not its id): a hostile report cannot grow the item past DynamoDB's 400 KB. */
export const OPEN_FINDING_TEXT_LIMIT = 1024;
/** Most details an open item keeps (the finding events read about a dozen). */
export const OPEN_FINDING_DETAIL_LIMIT = 32;

const capped = (value: string) => clip(value, OPEN_FINDING_TEXT_LIMIT);

/** The finding as an open item keeps it: its text capped, details limited to plain values. */
export function openFindingOf(digest: string, violation: Violation, openedAt: string): OpenFinding {
  const details: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(violation.details ?? {})) {
    if (Object.keys(details).length >= OPEN_FINDING_DETAIL_LIMIT) break;
    if (typeof value === 'string') details[capped(key)] = capped(value);
    else if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean') details[capped(key)] = value;
  }
  const finding: Violation = {
    rule: violation.rule,
    kind: violation.kind,
    // The id is kept whole: it names the finding (a capped id would be another finding, never denied again).
    id: violation.id,
    severity: violation.severity,
    action: violation.action,
    message: capped(violation.message),
    ...(violation.container !== undefined ? { container: capped(violation.container) } : {}),
    ...(Object.keys(details).length > 0 ? { details } : {}),
  };
  return { digest, finding, openedAt };
}
