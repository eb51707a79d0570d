import * as z from 'zod';
import { InputError } from '../core/errors';
import { accountOf, ACCOUNT_ID, ORGANIZATION_ID } from '../core/organisation/account';
import type { MemberRoleProblem } from '../core/organisation/errors';
import { formatJsonPath } from '../core/validation/issues';
import { MEMBER_ROLE_ERROR_METRIC } from '../handlers/organisation/account-routing';
import type { GateAction } from '../local/activity';
import type { LocalBackend } from '../local/backend';
import { LocalOrganisation, type LocalEcsSettings } from '../local/organisation';
import type { Simulation } from '../local/simulation';

/**
 * The `organisation` section of a scenario (examples/scenarios/README.md, "An organisation"): the scenario's account is
 * the central one, running the gate; member accounts (with or without the member role) and accounts outside the
 * organisation each get their own ECS and task definitions in memory (functions/local/organisation.ts), and the gate's
 * calls go through the real routing (handlers/organisation/account-routing.ts) and credential cache
 * (adapters/member-credentials.ts), with an in-memory STS. This module holds the section's schema and checks, and
 * the per-account expectations.
 */

type Path = (string | number)[];

export const accountIdSchema = z.string().regex(ACCOUNT_ID, { message: 'expected a 12-digit AWS account id' });
export const regionSchema = z.string().regex(/^[a-z]{2}(?:-[a-z]+)+-\d$/, { message: 'expected an AWS region such as "us-east-1"' });

/**
 * Whether the member stack's role exists in a member account. STS answers AccessDenied both for a role that does not
 * exist and for one whose trust policy refuses the gate, so the gate (and the simulation) cannot tell `missing` from
 * `refuses`; both are said, for the reader.
 */
const MEMBER_ROLE_STATES = ['deployed', 'missing', 'refuses'] as const;
export type MemberRoleState = (typeof MEMBER_ROLE_STATES)[number];

const regionsSchema = z.array(regionSchema).min(1).max(20).meta({ description: 'Regions of the account the world has (default: the central region).' });

const memberSchema = z.strictObject({
  regions: regionsSchema.optional(),
  memberRole: z.enum(MEMBER_ROLE_STATES).default('deployed').meta({ description: 'Whether the member role exists (a StackSet instance deployed), is missing, or refuses the gate.' }),
});

const outsideSchema = z.strictObject({ regions: regionsSchema.optional() });

const accountMap = <T extends z.ZodType>(entry: T) => z.record(z.string(), entry);

export const organisationSchema = z.strictObject({
  id: z.string().regex(ORGANIZATION_ID, { message: 'expected an AWS Organizations id: "o-" and 10 to 32 lower-case letters or digits' }),
  central: accountIdSchema.optional().meta({ description: "The central account, running the gate: the scenario's `account` (default: this)." }),
  members: accountMap(memberSchema),
  outside: accountMap(outsideSchema).default({}),
});

const countSchema = z.union([z.int().min(0), z.strictObject({ min: z.int().min(0).optional(), max: z.int().min(0).optional() })]);
type ExpectedCount = z.infer<typeof countSchema>;

const ACCOUNT_ACTIONS = ['stopTask', 'rollbackDeployment', 'continueServiceDeployment', 'scaleService', 'notify'] as const;
type AccountAction = (typeof ACCOUNT_ACTIONS)[number];
const MEMBER_ROLE_PROBLEMS: readonly MemberRoleProblem[] = ['refused', 'failed', 'outside', 'unplaced'];

/** What must be true of one account at the end: the gate's actions there, its MemberRoleErrors, its role assumptions. */
export const accountExpectationSchema = z.strictObject({
  actions: z.strictObject(Object.fromEntries(ACCOUNT_ACTIONS.map((key) => [key, countSchema.optional()])) as Record<AccountAction, z.ZodOptional<typeof countSchema>>).optional(),
  memberRoleErrors: z.strictObject(Object.fromEntries(MEMBER_ROLE_PROBLEMS.map((key) => [key, countSchema.optional()])) as Record<MemberRoleProblem, z.ZodOptional<typeof countSchema>>).optional(),
  roleAssumptions: countSchema.optional(),
});
export type AccountExpectation = z.infer<typeof accountExpectationSchema>;
/**
 * Per account id, or `unknown` for calls whose account could not be told (MemberRoleErrors with Reason unplaced); the
 * keys are checked by `checkAccountKeys`.
 */
export const accountsExpectationSchema = z.record(z.string(), accountExpectationSchema);

/** Keys of `expect.accounts` that are neither a 12-digit account id nor `unknown`. */
export function checkAccountKeys(expected: Record<string, unknown> | undefined, file: string, problem: (error: InputError) => void): void {
  for (const key of Object.keys(expected ?? {})) {
    if (key !== 'unknown' && !ACCOUNT_ID.test(key)) {
      problem(new InputError(`${JSON.stringify(key)} is neither a 12-digit AWS account id nor "unknown" (calls whose account could not be told)`, { source: file, path: formatJsonPath(['expect', 'accounts', key]) }));
    }
  }
}

export interface ScenarioAccount {
  account: string;
  region: string;
  member: boolean;
  memberRole: MemberRoleState;
}

export interface ScenarioOrganisation {
  id: string;
  central: string;
  /** Every account and region of the world besides the central one. */
  accounts: ScenarioAccount[];
}

/**
 * Checks the section against the scenario's own account and region; every problem is an `InputError` naming its JSON
 * path, handed to `problem` (the scenario reports them all at once).
 */
export function resolveOrganisation(
  section: z.infer<typeof organisationSchema>,
  scenario: { file: string; account: string; region: string },
  problem: (error: InputError) => void,
): ScenarioOrganisation {
  const { file } = scenario;
  const at = (path: Path) => formatJsonPath(['organisation', ...path]);
  if (section.central !== undefined && section.central !== scenario.account) {
    problem(new InputError(`is ${section.central} but the scenario's "account" is ${scenario.account}: the central account is the one running the gate (give one, or both the same)`, { source: file, path: at(['central']) }));
  }
  const accounts: ScenarioAccount[] = [];
  const seen = new Set<string>();
  const add = (kind: 'members' | 'outside', account: string, regions: string[] | undefined, memberRole: MemberRoleState) => {
    if (!ACCOUNT_ID.test(account)) {
      problem(new InputError(`${JSON.stringify(account)} is not a 12-digit AWS account id`, { source: file, path: at([kind, account]) }));
      return;
    }
    if (account === scenario.account) {
      problem(new InputError(`${account} is the central account (the scenario's "account"): the gate's own account is not a ${kind === 'members' ? 'member' : 'account outside the organisation'}`, { source: file, path: at([kind, account]) }));
      return;
    }
    if (seen.has(account)) {
      problem(new InputError(`${account} is both a member and outside the organisation`, { source: file, path: at([kind, account]) }));
      return;
    }
    seen.add(account);
    const list = regions ?? [scenario.region];
    list.forEach((region, index) => {
      if (list.indexOf(region) !== index) problem(new InputError(`region ${region} is listed twice`, { source: file, path: at([kind, account, 'regions', index]) }));
      else accounts.push({ account, region, member: kind === 'members', memberRole });
    });
  };
  if (Object.keys(section.members).length === 0) problem(new InputError('an organisation needs at least one member account', { source: file, path: at(['members']) }));
  for (const [account, member] of Object.entries(section.members)) add('members', account, member.regions, member.memberRole);
  for (const [account, outside] of Object.entries(section.outside)) add('outside', account, outside.regions, 'missing');
  return { id: section.id, central: scenario.account, accounts };
}

/**
 * Why a step's `account` and `region` name no place of the world, and which of the two is wrong; undefined when they
 * name one. Without an organisation section there is only the scenario's own account and region.
 */
export function unknownPlace(
  organisation: ScenarioOrganisation | undefined,
  central: { account: string; region: string },
  account: string,
  region: string,
): { field: 'account' | 'region'; why: string } | undefined {
  if (account === central.account && region === central.region) return undefined;
  if (!organisation) return { field: account === central.account ? 'region' : 'account', why: `names account ${account} ${region}, but the scenario has no "organisation" section: without one there is only its own account ${central.account} ${central.region}` };
  if (account === central.account) return { field: 'region', why: `the central account ${account} is simulated in ${central.region} only` };
  const regions = organisation.accounts.filter((known) => known.account === account).map((known) => known.region);
  if (regions.length === 0) {
    const declared = [...new Set(organisation.accounts.map((known) => known.account))];
    return { field: 'account', why: `names account ${account}, which the organisation section does not declare (central ${central.account}; others: ${declared.join(', ')})` };
  }
  if (!regions.includes(region)) return { field: 'region', why: `account ${account} is declared in ${regions.join(', ')}, not in ${region}` };
  return undefined;
}

/** The world's organisation for a scenario: every declared account and region, with the world's ECS settings. */
export function buildOrganisation(organisation: ScenarioOrganisation, backend: LocalBackend, simulation: Simulation, ecs: LocalEcsSettings): LocalOrganisation {
  const world = new LocalOrganisation(backend, simulation);
  for (const known of organisation.accounts) {
    world.addAccount(known.account, { region: known.region, member: known.member, hasRole: known.memberRole === 'deployed', ecs });
  }
  return world;
}

/** The account an action of the gate acted in (read from the ARNs it names; a verdict event carries it). */
export function actionAccount(action: GateAction): string | undefined {
  switch (action.type) {
    case 'stopTask':
      return accountOf(action.taskArn) ?? accountOf(action.cluster);
    case 'notify':
      return action.event.account;
    case 'rollbackDeployment':
      return accountOf(action.cluster) ?? accountOf(action.deploymentArn);
    case 'continueServiceDeployment':
      return accountOf(action.serviceDeploymentArn) ?? accountOf(action.cluster);
    case 'scaleService':
      return accountOf(action.cluster);
    case 'hookResponse':
      return accountOf(action.serviceRevisionArn);
    case 'startScan':
      return undefined;
  }
}

export interface CheckedExpectation {
  what: string;
  expected: string;
  actual: string;
  ok: boolean;
}

/** MemberRoleErrors counted for `account`, by reason (the metric's Account and Reason dimensions). */
export function memberRoleErrorsOf(backend: LocalBackend, account: string): Record<MemberRoleProblem, number> {
  const counts: Record<MemberRoleProblem, number> = { refused: 0, failed: 0, outside: 0, unplaced: 0 };
  for (const point of backend.metrics.points) {
    if (point.name !== MEMBER_ROLE_ERROR_METRIC || point.dimensions?.Account !== account) continue;
    const reason = point.dimensions?.Reason as MemberRoleProblem | undefined;
    if (reason && reason in counts) counts[reason] += point.value;
  }
  return counts;
}

/** The per-account expectations of a scenario, checked against what the gate did. */
export function checkAccountExpectations(
  expected: Record<string, AccountExpectation>,
  actions: GateAction[],
  backend: LocalBackend,
  organisation: LocalOrganisation | undefined,
  check: (what: string, expected: ExpectedCount, actual: number) => CheckedExpectation,
): CheckedExpectation[] {
  const out: CheckedExpectation[] = [];
  for (const [account, expectation] of Object.entries(expected)) {
    const here = actions.filter((action) => actionAccount(action) === account);
    for (const [type, count] of Object.entries(expectation.actions ?? {})) {
      out.push(check(`${type} actions in account ${account}`, count as ExpectedCount, here.filter((action) => action.type === type).length));
    }
    if (expectation.memberRoleErrors) {
      const counted = memberRoleErrorsOf(backend, account);
      for (const [reason, count] of Object.entries(expectation.memberRoleErrors)) {
        out.push(check(`MemberRoleErrors (${reason}) for account ${account}`, count as ExpectedCount, counted[reason as MemberRoleProblem]));
      }
    }
    if (expectation.roleAssumptions !== undefined) {
      out.push(check(`member role assumptions in account ${account}`, expectation.roleAssumptions, organisation?.assumeRoleCalls.get(account) ?? 0));
    }
  }
  return out;
}

/** The timeline's header line of an organisation scenario. */
export function organisationHeader(organisation: ScenarioOrganisation): string {
  const describe = (member: boolean) => {
    const accounts = [...new Set(organisation.accounts.filter((known) => known.member === member).map((known) => known.account))];
    return accounts.map((account) => {
      const places = organisation.accounts.filter((known) => known.account === account);
      const role = member && places[0].memberRole !== 'deployed' ? `, member role ${places[0].memberRole}` : '';
      return `${account} (${places.map((known) => known.region).join(', ')}${role})`;
    });
  };
  const outside = describe(false);
  return `organisation ${organisation.id}: central ${organisation.central}, members ${describe(true).join(', ')}${outside.length > 0 ? `; outside ${outside.join(', ')}` : ''}`;
}

/** One summary line per account of an organisation scenario: the gate's stops there, role assumptions, MemberRoleErrors. */
export function accountSummaries(result: { scenario: { account: string; organisation?: ScenarioOrganisation }; actions: GateAction[]; backend: LocalBackend; organisation?: LocalOrganisation }): string[] {
  const { scenario, organisation } = result;
  if (!scenario.organisation) return [];
  const accounts = [scenario.account, ...new Set(scenario.organisation.accounts.map((known) => known.account))];
  const unplaced = memberRoleErrorsOf(result.backend, 'unknown').unplaced;
  return [
    ...accounts.map((account) => {
      const kind = account === scenario.account ? 'central' : scenario.organisation?.accounts.find((known) => known.account === account)?.member ? 'member' : 'outside';
      const stops = result.actions.filter((action) => action.type === 'stopTask' && actionAccount(action) === account).length;
      const errors = Object.entries(memberRoleErrorsOf(result.backend, account)).filter(([, count]) => count > 0);
      const assumed = organisation?.assumeRoleCalls.get(account) ?? 0;
      return `account ${account} (${kind}): stopTask ${stops}, member role assumptions ${assumed}, MemberRoleErrors ${errors.map(([reason, count]) => `${reason} ${count}`).join(', ') || 'none'}`;
    }),
    ...(unplaced > 0 ? [`calls whose account could not be told: MemberRoleErrors unplaced ${unplaced}`] : []),
  ];
}

type SummaryInput = Parameters<typeof accountSummaries>[0];

/** The organisation part of `--format json`: per account, its regions, kind, member role, role assumptions and errors. */
export function organisationJson(result: SummaryInput) {
  const { scenario, organisation } = result;
  if (!scenario.organisation) return undefined;
  const declared = scenario.organisation.accounts;
  return {
    id: scenario.organisation.id,
    central: scenario.account,
    accounts: [...new Set(declared.map((known) => known.account))].map((account) => {
      const places = declared.filter((known) => known.account === account);
      return {
        account,
        regions: places.map((known) => known.region),
        member: places[0].member,
        ...(places[0].member ? { memberRole: places[0].memberRole } : {}),
        roleAssumptions: organisation?.assumeRoleCalls.get(account) ?? 0,
        memberRoleErrors: memberRoleErrorsOf(result.backend, account),
      };
    }),
  };
}
