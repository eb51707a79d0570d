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
}

const DEFAULT_REFRESH_BEFORE_MS = 5 * 60 * 1000;

export class MemberCredentials {
  private readonly cache = new Map<string, Promise<TemporaryCredentials>>();
  private readonly assumeRole: AssumeRole;
  private readonly now: () => number;
  private readonly refreshBeforeMs: number;
  /** How many AssumeRole calls were made (the bench's roleAssumptionsPer1000Events). */
  assumptions = 0;

  constructor(options: MemberCredentialsOptions) {
    this.assumeRole = options.assumeRole;
    this.now = options.now ?? Date.now;
    this.refreshBeforeMs = options.refreshBeforeMs ?? DEFAULT_REFRESH_BEFORE_MS;
  }

  /**
   * The member role's credentials for `where`: cached ones while they are valid for more than `refreshBeforeMs`, else
   * a new assumption (concurrent callers share it). A refused or failed assumption is a `MemberRoleError` naming the
   * account, and is not cached: the next event tries again (a StackSet may deploy the role meanwhile).
   */
  credentialsFor(where: AccountRegion): Promise<TemporaryCredentials> {
    const key = accountRegionKey(where);
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
      throw memberRoleErrorOf(error, where, roleArn);
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
