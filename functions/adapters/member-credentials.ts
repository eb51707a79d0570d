import { accountRegionKey, memberRoleArn, type AccountRegion } from '../core/organisation/account';
import { MemberRoleError } from '../core/organisation/errors';
import { awsErrorMessage, awsErrorName } from './aws-errors';

/**
 * Temporary credentials for the member role of each (account, region), through STS AssumeRole, cached until shortly
 * before they expire (docs/organisation.md). One assumption serves every call to that account and region for the
 * session's lifetime (one hour by default, "AssumeRole", https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html),
 * so role assumptions grow with the number of accounts, not with the number of events.
 */

export interface TemporaryCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

/** AssumeRole of one role ARN; STS in production (`stsAssumeRole`, sts-assume-role.ts), a fake in tests and simulate. */
export type AssumeRole = (roleArn: string) => Promise<TemporaryCredentials>;

export interface MemberCredentialsOptions {
  assumeRole: AssumeRole;
  now?: () => number;
  /**
   * Credentials this close to expiry are refreshed before use: a call started with them must not outlive them. The
   * SDK's own credential memoization refreshes 5 minutes ahead too.
   */
  refreshBeforeMs?: number;
  /**
   * How long a refusal (`refused`: the role is missing or its trust policy refuses) is remembered: calls for that
   * account and region within it fail at once with the same error, without asking STS again. Short, so a member
   * stack a StackSet deploys meanwhile is used within a minute; 0 turns the negative cache off.
   */
  refusalTtlMs?: number;
}

const DEFAULT_REFRESH_BEFORE_MS = 5 * 60 * 1000;
/** One minute: an account without the role costs one AssumeRole per minute and execution environment, not one per event. */
export const DEFAULT_REFUSAL_TTL_MS = 60 * 1000;

export class MemberCredentials {
  private readonly cache = new Map<string, Promise<TemporaryCredentials>>();
  private readonly assumeRole: AssumeRole;
  private readonly now: () => number;
  private readonly refreshBeforeMs: number;
  private readonly refusalTtlMs: number;
  /** Refusals remembered per (account, region): the error and until when (epoch ms). */
  private readonly refusals = new Map<string, { error: MemberRoleError; until: number }>();
  /** How many AssumeRole calls were made (the bench's roleAssumptionsPer1000Events). */
  assumptions = 0;
  /** How many calls were answered from a remembered refusal, without STS. */
  refusalsFromCache = 0;

  constructor(options: MemberCredentialsOptions) {
    this.assumeRole = options.assumeRole;
    this.now = options.now ?? Date.now;
    this.refreshBeforeMs = options.refreshBeforeMs ?? DEFAULT_REFRESH_BEFORE_MS;
    this.refusalTtlMs = options.refusalTtlMs ?? DEFAULT_REFUSAL_TTL_MS;
  }

  /**
   * The member role's credentials for `where`: cached ones while they are valid for more than `refreshBeforeMs`, else
   * a new assumption (concurrent callers share it). A refused or failed assumption is a `MemberRoleError` naming the
   * account. A refusal is remembered for `refusalTtlMs` (a missing role must not cost an AssumeRole per event): within
   * it the same error is thrown again, marked `cached`. A failure (throttling, network) is not remembered: the event's
   * retry tries again.
   */
  credentialsFor(where: AccountRegion): Promise<TemporaryCredentials> {
    const key = accountRegionKey(where);
    const refusal = this.refusals.get(key);
    if (refusal) {
      if (this.now() < refusal.until) {
        this.refusalsFromCache += 1;
        const { error } = refusal;
        return Promise.reject(new MemberRoleError(error.account, error.region, error.reason, `${error.message} (refusal remembered until ${new Date(refusal.until).toISOString()})`, { cause: error, cached: true }));
      }
      this.refusals.delete(key);
    }
    const cached = this.cache.get(key);
    if (cached) return cached.then((credentials) => (this.fresh(credentials) ? credentials : this.assume(where, key, cached)));
    return this.assume(where, key, undefined);
  }

  private fresh(credentials: TemporaryCredentials): boolean {
    return credentials.expiration.getTime() - this.now() > this.refreshBeforeMs;
  }

  private assume(where: AccountRegion, key: string, stale: Promise<TemporaryCredentials> | undefined): Promise<TemporaryCredentials> {
    // Another caller may have replaced the stale entry while this one waited on it.
    const current = this.cache.get(key);
    if (current && current !== stale) return current;
    const roleArn = memberRoleArn(where.partition, where.account, where.region);
    this.assumptions += 1;
    const pending = this.assumeRole(roleArn).catch((error: unknown) => {
      const refusal = memberRoleErrorOf(error, where, roleArn);
      if (refusal.reason === 'refused' && this.refusalTtlMs > 0) this.refusals.set(key, { error: refusal, until: this.now() + this.refusalTtlMs });
      throw refusal;
    });
    this.cache.set(key, pending);
    pending.catch(() => {
      if (this.cache.get(key) === pending) this.cache.delete(key);
    });
    return pending;
  }
}

/**
 * STS answers AccessDenied both when the role does not exist and when its trust policy or the caller's own policy
 * refuses: the two cannot be told apart from the central account, so both are `refused`. Throttling and other errors
 * are `failed` (transient: the event's retry tries again).
 */
function memberRoleErrorOf(error: unknown, where: AccountRegion, roleArn: string): MemberRoleError {
  if (error instanceof MemberRoleError) return error;
  const name = awsErrorName(error);
  const reason = name === 'AccessDenied' || name === 'AccessDeniedException' ? 'refused' : 'failed';
  return new MemberRoleError(where.account, where.region, reason, `cannot assume ${roleArn}: ${name ?? 'error'}: ${awsErrorMessage(error)}`, { cause: error });
}
