/**
 * Where an AWS resource lives, read from its ARN: the organisation deployment acts in the account and region an event's
 * task, cluster, service or task definition belongs to (docs/organisation.md). Pure: no SDK, no I/O.
 */

export interface AccountRegion {
  partition: string;
  account: string;
  region: string;
}

/** `arn:<partition>:<service>:<region>:<account>:...` with a real partition, region and 12-digit account. */
const ARN_HEAD = /^arn:(aws[a-z-]*):[a-z0-9-]+:([a-z]{2}(?:-[a-z]+)+-\d):(\d{12}):/;

/** The partition, account and region of a regional ARN; undefined for anything else (a name, a global ARN, garbage). */
export function accountRegionOf(arn: string | undefined): AccountRegion | undefined {
  if (arn === undefined) return undefined;
  const match = ARN_HEAD.exec(arn);
  return match ? { partition: match[1], account: match[3], region: match[2] } : undefined;
}

/** The 12-digit account of a regional ARN, if it is one. */
export function accountOf(arn: string | undefined): string | undefined {
  return accountRegionOf(arn)?.account;
}

/**
 * An AWS Organizations id: "o-" and 10 to 32 lower-case letters or digits (Organizations API reference,
 * `Organization.Id`, https://docs.aws.amazon.com/organizations/latest/APIReference/API_Organization.html).
 */
export const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;

/** A 12-digit AWS account id. */
export const ACCOUNT_ID = /^\d{12}$/;

/**
 * The member role's name prefix. IAM is global but a StackSet deploys the member stack once per account and region,
 * so the name ends in the region: `fargate-gate-member-<region>`.
 */
export const MEMBER_ROLE_NAME_PREFIX = 'fargate-gate-member-';

export function memberRoleName(region: string): string {
  return `${MEMBER_ROLE_NAME_PREFIX}${region}`;
}

/** The member role the central gate assumes to act in `account` and `region`. */
export function memberRoleArn(partition: string, account: string, region: string): string {
  return `arn:${partition}:iam::${account}:role/${memberRoleName(region)}`;
}

/** One key per (account, region): credentials and clients are cached under it. */
export function accountRegionKey(where: Pick<AccountRegion, 'account' | 'region'>): string {
  return `${where.account}/${where.region}`;
}
