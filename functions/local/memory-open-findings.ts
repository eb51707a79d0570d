import type { Clock } from '../core/ports';
import type { OpenFinding, OpenFindingStore } from '../core/posture/open-findings';
import type { Violation } from '../core/result/model';
import type { ActivityLog } from './activity';

const DAY_SECONDS = 24 * 60 * 60;

/**
 * Open findings in memory, with the DynamoDB store's semantics (functions/adapters/dynamo-open-findings.ts): a
 * conditional record that never replaces a live item, a delete only of the opening it names, items that read as absent
 * after the retention, and reads that share no objects with what is stored. Each call counts as the AWS call it stands for.
 */
export class MemoryOpenFindingStore implements OpenFindingStore {
  /** digest → finding key → item. */
  private readonly items = new Map<string, Map<string, { open: OpenFinding; expires: number }>>();

  constructor(
    private readonly clock: Clock,
    private readonly activity?: ActivityLog,
    private readonly retentionSeconds = 30 * DAY_SECONDS,
  ) {}

  async listOpenFindings(digest: string): Promise<OpenFinding[]> {
    this.activity?.call('openFindings.listOpenFindings');
    const now = this.nowSeconds();
    return [...(this.items.get(digest)?.values() ?? [])].filter((item) => item.expires > now).map((item) => structuredClone(item.open));
  }

  async recordOpenFinding(open: OpenFinding, options: { ifAbsent?: boolean } = {}): Promise<boolean> {
    this.activity?.call('openFindings.recordOpenFinding');
    let forDigest = this.items.get(open.digest);
    if (!forDigest) this.items.set(open.digest, (forDigest = new Map()));
    const existing = forDigest.get(keyOf(open.finding));
    if (options.ifAbsent && existing && existing.expires > this.nowSeconds()) return false;
    forDigest.set(keyOf(open.finding), { open: structuredClone(open), expires: this.nowSeconds() + this.retentionSeconds });
    return true;
  }

  async closeOpenFinding(digest: string, finding: Pick<Violation, 'rule' | 'id'>, openedAt: string): Promise<boolean> {
    this.activity?.call('openFindings.closeOpenFinding');
    const forDigest = this.items.get(digest);
    if (forDigest?.get(keyOf(finding))?.open.openedAt !== openedAt) return false;
    forDigest.delete(keyOf(finding));
    return true;
  }

  private nowSeconds(): number {
    return Math.floor(this.clock.now().getTime() / 1000);
  }
}

const keyOf = (finding: Pick<Violation, 'rule' | 'id'>) => `${finding.rule}:${finding.id}`;
