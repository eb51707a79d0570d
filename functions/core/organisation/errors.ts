/**
 * Why the gate could not act in a member account. Each names the account, so the failure is counted and logged per
 * account (metric `MemberRoleErrors` with an `Account` dimension), and nothing is ever done in another account instead.
 * - `refused`: the member role does not exist there, or its trust policy or the central role's policy refuses
 *   (STS answers AccessDenied for all of these);
 * - `failed`: the assumption failed for another reason (throttling, network): the event's retry tries again;
 * - `outside`: the account is not one the gate serves (not in the organisation): nothing is assumed at all;
 * - `unplaced`: the resource named is not a regional ARN, so its account cannot be told.
 */
export type MemberRoleProblem = 'refused' | 'failed' | 'outside' | 'unplaced';

export class MemberRoleError extends Error {
  /** A refusal remembered from an earlier AssumeRole (negative cache): STS was not asked again. */
  readonly cached: boolean;

  constructor(
    readonly account: string,
    readonly region: string,
    readonly reason: MemberRoleProblem,
    message: string,
    options?: { cause?: unknown; cached?: boolean },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MemberRoleError';
    this.cached = options?.cached ?? false;
  }
}
