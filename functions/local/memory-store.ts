import { isExpectedScan, type Clock, type EnforcementRecord, type ExpectedScan, type GateStore, type ScanRecord, type ScanState, type StoredVerdict, type Waiter } from '../core/ports';
import type { ActivityLog } from './activity';

/** How long items that are no longer needed stay before TTL removes them (the DynamoDB store's defaults). */
export interface MemoryRetention {
  finishedScanSeconds: number;
  waiterSeconds: number;
  enforcementSeconds: number;
  taskSeconds: number;
}

const DAY_SECONDS = 24 * 60 * 60;
const DEFAULT_RETENTION: MemoryRetention = {
  finishedScanSeconds: 30 * DAY_SECONDS,
  waiterSeconds: 2 * DAY_SECONDS,
  enforcementSeconds: 30 * DAY_SECONDS,
  taskSeconds: 30 * DAY_SECONDS,
};

const SCAN_STATES: readonly ScanState[] = ['queued', 'running', 'done', 'error'];
const UNFINISHED: readonly ScanState[] = ['queued', 'running'];
const UPDATABLE_SCAN_FIELDS = ['imageReference', 'scanId', 'state', 'buildId', 'reportLocation', 'error', 'attempts', 'startedAt', 'deadline', 'retryAt', 'finishFailures', 'mode', 'sbomKey', 'compute', 'rejudgeRequestedAt'];
const OPTIONAL_SCAN_FIELDS = ['buildId', 'reportLocation', 'error', 'retryAt', 'finishFailures', 'mode', 'sbomKey', 'compute', 'rejudgeRequestedAt'];
const MAX_SCAN_ERROR_CHARS = 2000;

interface Expiring<T> {
  value: T;
  /** Epoch seconds; undefined never expires. */
  expires?: number;
}

/**
 * The gate's table in memory, with the DynamoDB store's semantics (functions/adapters/dynamo-gate-store.ts):
 * conditional writes succeed or fail exactly as its condition expressions do, items past their TTL read as
 * absent, values round-trip through JSON as they do through the table (so an `undefined` or a Date does not
 * survive here either), and a read never shares objects with what is stored. Each call counts itself.
 */
export class MemoryGateStore implements GateStore {
  private readonly verdicts = new Map<string, StoredVerdict>();
  private readonly scans = new Map<string, Expiring<ScanRecord>>();
  private readonly waiters = new Map<string, Map<string, Expiring<Waiter>>>();
  private readonly enforcements = new Map<string, Expiring<EnforcementRecord>>();
  private readonly taskVersions = new Map<string, Expiring<number>>();
  private readonly launchers = new Map<string, Expiring<string>>();
  private readonly retention: MemoryRetention;

  constructor(
    private readonly clock: Clock,
    private readonly activity?: ActivityLog,
    retention: Partial<MemoryRetention> = {},
  ) {
    this.retention = { ...DEFAULT_RETENTION, ...retention };
  }

  // ---------- verdicts ----------

  async getVerdict(digest: string, policyHash: string): Promise<StoredVerdict | undefined> {
    this.count('getVerdict');
    requireText('digest', digest);
    requireText('policyHash', policyHash);
    return this.liveVerdict(digest, policyHash);
  }

  async getVerdicts(digests: string[], policyHash: string): Promise<Map<string, StoredVerdict>> {
    this.count('getVerdicts');
    return this.liveVerdicts(digests, policyHash);
  }

  /**
   * The verdicts and the task's launcher in one BatchGetItem, as the DynamoDB store reads them: counted as one call
   * (the launcher key rides in the first request of up to 100 keys; a task never has 99 containers).
   */
  async getVerdictsForTask(digests: string[], policyHash: string, taskArn: string): Promise<{ verdicts: Map<string, StoredVerdict>; launcher?: string }> {
    this.count('getVerdictsForTask');
    requireText('taskArn', taskArn);
    const verdicts = this.liveVerdicts(digests, policyHash);
    const launcher = this.liveLauncher(taskArn);
    return launcher === undefined ? { verdicts } : { verdicts, launcher };
  }

  async getLatestVerdict(digest: string): Promise<StoredVerdict | undefined> {
    this.count('getLatestVerdict');
    requireText('digest', digest);
    const live = [...this.verdicts.values()].filter((verdict) => verdict.digest === digest && verdict.expiresAt > this.nowSeconds());
    const latest = live.reduce<StoredVerdict | undefined>((best, verdict) => (!best || verdict.scannedAt > best.scannedAt ? verdict : best), undefined);
    if (!latest) return undefined;
    // The DynamoDB store reads the verdict it found with a GetItem after the Query of keys: counted as such.
    this.count('getVerdict');
    return json(latest);
  }

  async putVerdict(verdict: StoredVerdict): Promise<void> {
    this.count('putVerdict');
    requireText('digest', verdict.digest);
    requireText('policyHash', verdict.policyHash);
    this.verdicts.set(verdictKey(verdict.digest, verdict.policyHash), json(verdict));
  }

  // ---------- scans ----------

  async claimScan(record: ScanRecord, replacing?: Pick<ScanRecord, 'scanId'>): Promise<boolean> {
    this.count('claimScan');
    requireText('digest', record.digest);
    requireState(record.state);
    if (replacing !== undefined) requireText('scanId', replacing.scanId);
    const existing = this.scans.get(record.digest);
    // As the DynamoDB store's condition: attribute_not_exists(pk) OR expired OR (state = error AND scanId = replaced).
    const replaceable = existing !== undefined && replacing !== undefined && existing.value.state === 'error' && existing.value.scanId === replacing.scanId;
    if (existing && !this.expired(existing) && !replaceable) return false;
    this.scans.set(record.digest, { value: json(record), expires: this.scanExpiry(record.state) });
    return true;
  }

  async getScan(digest: string): Promise<ScanRecord | undefined> {
    this.count('getScan');
    requireText('digest', digest);
    const entry = this.scans.get(digest);
    return entry && !this.expired(entry) ? json(entry.value) : undefined;
  }

  async updateScan(digest: string, expected: ExpectedScan, changes: Partial<Omit<ScanRecord, 'digest'>>): Promise<boolean> {
    this.count('updateScan');
    requireText('digest', digest);
    requireState(expected.state);
    requireText('scanId', expected.scanId);
    const unknown = Object.keys(changes).filter((field) => !UPDATABLE_SCAN_FIELDS.includes(field));
    if (unknown.length > 0) throw new TypeError(`updateScan(${digest}): cannot change ${unknown.join(', ')}`);
    if (changes.state !== undefined) requireState(changes.state);
    const entry = this.scans.get(digest);
    // DynamoDB's condition sees an expired item until TTL deletes it; the store's reads hide it. Same here.
    // The state and the scan's identity, as the DynamoDB store's condition: a finisher of an older scan loses.
    if (!entry || !isExpectedScan(entry.value, expected)) return false;
    const updated: Record<string, unknown> = { ...entry.value };
    for (const [field, value] of Object.entries(changes)) {
      if (value === undefined) {
        // An optional field given as undefined is cleared; a required one is left as it is.
        if (OPTIONAL_SCAN_FIELDS.includes(field)) delete updated[field];
        continue;
      }
      updated[field] = field === 'error' && typeof value === 'string' && value.length > MAX_SCAN_ERROR_CHARS ? `${value.slice(0, MAX_SCAN_ERROR_CHARS - 1)}…` : value;
    }
    const record = json(updated) as unknown as ScanRecord;
    this.scans.set(digest, { value: record, expires: changes.state !== undefined ? this.scanExpiry(changes.state) : entry.expires });
    return true;
  }

  async listUnfinishedScans(): Promise<ScanRecord[]> {
    this.count('listUnfinishedScans');
    return [...this.scans.values()]
      .filter((entry) => UNFINISHED.includes(entry.value.state))
      .map((entry) => json(entry.value))
      .sort((a, b) => a.digest.localeCompare(b.digest));
  }

  // ---------- waiters ----------

  async addWaiter(waiter: Waiter): Promise<boolean> {
    this.count('addWaiter');
    requireText('digest', waiter.digest);
    requireText('taskArn', waiter.taskArn);
    let forDigest = this.waiters.get(waiter.digest);
    if (!forDigest) {
      forDigest = new Map();
      this.waiters.set(waiter.digest, forDigest);
    }
    const existing = forDigest.get(waiter.taskArn);
    const previous = existing && !this.expired(existing) ? existing.value : undefined;
    // seenAt keeps the first event that asked; the other facts take the latest event's values where it has them.
    const merged: Record<string, unknown> = { ...(previous ?? {}) };
    for (const [field, value] of Object.entries(waiter)) if (value !== undefined) merged[field] = value;
    if (previous) merged.seenAt = previous.seenAt;
    forDigest.set(waiter.taskArn, { value: json(merged) as unknown as Waiter, expires: this.nowSeconds() + this.retention.waiterSeconds });
    return previous === undefined;
  }

  async listWaiters(digest: string): Promise<Waiter[]> {
    this.count('listWaiters');
    requireText('digest', digest);
    const forDigest = this.waiters.get(digest);
    if (!forDigest) return [];
    return [...forDigest.values()]
      .filter((entry) => !this.expired(entry))
      .map((entry) => json(entry.value))
      .sort((a, b) => a.taskArn.localeCompare(b.taskArn));
  }

  async removeWaiter(digest: string, taskArn: string): Promise<void> {
    this.count('removeWaiter');
    requireText('digest', digest);
    requireText('taskArn', taskArn);
    const forDigest = this.waiters.get(digest);
    forDigest?.delete(taskArn);
    if (forDigest && forDigest.size === 0) this.waiters.delete(digest);
  }

  // ---------- enforcement and task facts ----------

  async claimEnforcement(record: EnforcementRecord): Promise<boolean> {
    this.count('claimEnforcement');
    requireText('key', record.key);
    const existing = this.enforcements.get(record.key);
    if (existing && !this.expired(existing)) return false;
    this.enforcements.set(record.key, { value: json(record), expires: this.nowSeconds() + this.retention.enforcementSeconds });
    return true;
  }

  /** Deletes the claim under `key` (DeleteItem: releasing a claim that is not there is not an error). */
  async releaseEnforcement(key: string): Promise<void> {
    this.count('releaseEnforcement');
    requireText('key', key);
    this.enforcements.delete(key);
  }

  async advanceTaskVersion(taskArn: string, version: number): Promise<boolean> {
    this.count('advanceTaskVersion');
    requireText('taskArn', taskArn);
    if (!Number.isSafeInteger(version) || version < 0) {
      throw new TypeError(`advanceTaskVersion(${taskArn}): version must be a non-negative integer, got ${version}`);
    }
    // The DynamoDB condition compares the stored attribute even past its TTL, so an expired item still counts.
    const stored = this.taskVersions.get(taskArn);
    if (stored !== undefined && stored.value >= version) return false;
    this.taskVersions.set(taskArn, { value: version, expires: this.nowSeconds() + this.retention.taskSeconds });
    return true;
  }

  async rememberLauncher(taskArn: string, principal: string): Promise<void> {
    this.count('rememberLauncher');
    requireText('taskArn', taskArn);
    requireText('principal', principal);
    this.launchers.set(taskArn, { value: principal, expires: this.nowSeconds() + this.retention.taskSeconds });
  }

  async getLauncher(taskArn: string): Promise<string | undefined> {
    this.count('getLauncher');
    requireText('taskArn', taskArn);
    return this.liveLauncher(taskArn);
  }

  /** Read-only views for simulations, tests and the benchmark; not part of the port, never counted. */
  readonly inspect = {
    verdict: (digest: string, policyHash: string): StoredVerdict | undefined => this.liveVerdict(digest, policyHash),
    hasVerdict: (digest: string, policyHash: string): boolean => this.liveVerdict(digest, policyHash, false) !== undefined,
    scan: (digest: string): ScanRecord | undefined => {
      const entry = this.scans.get(digest);
      return entry ? json(entry.value) : undefined;
    },
    scans: (): ScanRecord[] => [...this.scans.values()].map((entry) => json(entry.value)),
    waiters: (): Waiter[] => [...this.waiters.values()].flatMap((forDigest) => [...forDigest.values()].map((entry) => json(entry.value))),
    enforcements: (): EnforcementRecord[] => [...this.enforcements.values()].map((entry) => json(entry.value)),
    taskVersion: (taskArn: string): number | undefined => this.taskVersions.get(taskArn)?.value,
  };

  // ---------- plumbing ----------

  private liveVerdicts(digests: string[], policyHash: string): Map<string, StoredVerdict> {
    requireText('policyHash', policyHash);
    digests.forEach((digest) => requireText('digest', digest));
    const found = new Map<string, StoredVerdict>();
    for (const digest of new Set(digests)) {
      const verdict = this.liveVerdict(digest, policyHash);
      if (verdict) found.set(digest, verdict);
    }
    return found;
  }

  private liveLauncher(taskArn: string): string | undefined {
    const entry = this.launchers.get(taskArn);
    return entry && !this.expired(entry) ? entry.value : undefined;
  }

  private liveVerdict(digest: string, policyHash: string, copy = true): StoredVerdict | undefined {
    const verdict = this.verdicts.get(verdictKey(digest, policyHash));
    if (!verdict || verdict.expiresAt <= this.nowSeconds()) return undefined;
    return copy ? json(verdict) : verdict;
  }

  private scanExpiry(state: ScanState): number | undefined {
    // Unfinished scans never expire (the sweep must see them); finished ones keep the report pointer a while.
    return UNFINISHED.includes(state) ? undefined : this.nowSeconds() + this.retention.finishedScanSeconds;
  }

  private expired(entry: Expiring<unknown>): boolean {
    return entry.expires !== undefined && entry.expires <= this.nowSeconds();
  }

  private nowSeconds(): number {
    return Math.floor(this.clock.now().getTime() / 1000);
  }

  private count(method: string): void {
    this.activity?.call(`store.${method}`);
  }
}

function verdictKey(digest: string, policyHash: string): string {
  return `${digest}#${policyHash}`;
}

/** What a value looks like after a round trip through the table. */
function json<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function requireText(name: string, value: unknown): void {
  if (typeof value !== 'string' || value.length === 0) {
    throw new TypeError(`MemoryGateStore: ${name} must be a non-empty string, got ${JSON.stringify(value)}`);
  }
}

function requireState(state: unknown): asserts state is ScanState {
  if (!SCAN_STATES.includes(state as ScanState)) {
    throw new TypeError(`MemoryGateStore: scan state must be one of ${SCAN_STATES.join(', ')}, got ${JSON.stringify(state)}`);
  }
}
