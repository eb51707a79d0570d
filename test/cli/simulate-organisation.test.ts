import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { InputError } from '../../functions/core/errors';
import { accountOf } from '../../functions/core/organisation/account';
import { defaultGateFactory } from '../../functions/cli/simulate-gate';
import { runScenario, type ScenarioResult } from '../../functions/cli/simulate-runner';
import { parseScenario } from '../../functions/cli/simulate-scenario';
import { renderJson, renderTimeline } from '../../functions/cli/simulate-output';
import { MEMBER_ROLE_ERROR_METRIC } from '../../functions/handlers/organisation/account-routing';
import { EVENT_ACCOUNT_MISMATCH_METRIC } from '../../functions/handlers/organisation/event-account';

/**
 * `fargate-gate simulate` with an `organisation` section: the example scenario's story told from the world's side (not
 * from its own `expect`), the section's validation, and events naming accounts the gate must not act in.
 */

const EXAMPLE = resolve(__dirname, '../../examples/scenarios/organisation-two-members.json');
const CENTRAL = '111122223333';
const PAYMENTS = '444455556666';
const CATALOG = '777788889999';
const NO_ROLE = '222233334444';
const OUTSIDER = '999988887777';
const API_DIGEST = 'sha256:7d2f6a0c51e8b3d94f0a6c2e1b8d7f3a5c9e0b4d6f8a2c1e3b5d7f9a0c2e4b6d';
const BATCH_DIGEST = 'sha256:2ff91b82f78dfc9f84a7f7810a1c2f47a38c0356f9e435d5ccf439c0f23710c1';

/** The example scenario as JSON, to change one part of it; parsed as if it were the example file (relative paths hold). */
function example(): Record<string, any> {
  return JSON.parse(readFileSync(EXAMPLE, 'utf8')) as Record<string, any>;
}

async function run(document: Record<string, unknown>): Promise<ScenarioResult> {
  return runScenario(await parseScenario(document, EXAMPLE), defaultGateFactory);
}

async function problem(document: unknown): Promise<InputError> {
  try {
    await parseScenario(document, EXAMPLE);
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('the scenario was accepted');
}

const at = (path: string) => `${EXAMPLE} at ${path}: `;
/** The problem at `path`, as the one error (`<file> at <path>: …`) or a line of the list of several. */
const names = (error: InputError, path: string, message: string) => error.message.includes(`${at(path)}${message}`) || error.message.includes(`\n  ${path}: ${message}`);
const memberRoleErrors = (result: ScenarioResult) =>
  result.backend.metrics.points.filter((point) => point.name === MEMBER_ROLE_ERROR_METRIC).map((point) => `${point.dimensions?.Account}/${point.dimensions?.Reason}`);

describe('simulate: organisation-two-members.json', () => {
  let result: ScenarioResult;
  beforeAll(async () => {
    result = await run(example());
  });

  it('scans each digest once, though the API image runs in two member accounts', () => {
    const builds = [...result.backend.scanner.builds.values()].map((build) => build.request.digest);
    expect(builds).toEqual([API_DIGEST, BATCH_DIGEST]);
    const api = result.tasks.filter((task) => task.images.some((image) => image.digest === API_DIGEST));
    expect(api.map((task) => [task.label, task.account, task.lastStatus])).toEqual([
      ['payments-api', PAYMENTS, 'RUNNING'],
      ['catalog-api', CATALOG, 'RUNNING'],
    ]);
  });

  it('stops the failing task in the account that runs it, and nowhere else', () => {
    const stops = result.actions.filter((action) => action.type === 'stopTask');
    // The runner labels the task of each stop (`task`, beside its ARN).
    expect(stops.map((stop) => [stop.type === 'stopTask' && accountOf(stop.taskArn), (stop as { task?: string }).task])).toEqual([[PAYMENTS, 'payments-report']]);
    // In the member's own ECS: its task is STOPPED there, by the gate.
    const payments = result.organisation?.find({ account: PAYMENTS, region: 'us-east-1' });
    const stopped = [...(payments?.ecs.tasks.values() ?? [])].filter((task) => task.desiredStatus === 'STOPPED');
    expect(stopped.map((task) => [task.label, task.stopCode])).toEqual([['payments-report', 'UserInitiated']]);
    for (const account of [CENTRAL, CATALOG, NO_ROLE, OUTSIDER]) {
      expect({ account, stopped: result.tasks.filter((task) => (task.account ?? CENTRAL) === account && task.lastStatus === 'STOPPED').length }).toEqual({ account, stopped: 0 });
    }
  });

  it('publishes the stop verdict naming the member account', () => {
    const verdicts = result.actions.flatMap((action) => (action.type === 'notify' && action.event.action === 'stopTask' ? [action.event.account] : []));
    expect(verdicts).toEqual([PAYMENTS]);
  });

  it('counts the missing member role as refused and the outside account as outside, each under its own account, without a handler error', () => {
    const counted = memberRoleErrors(result);
    expect(new Set(counted)).toEqual(new Set([`${NO_ROLE}/refused`, `${OUTSIDER}/outside`]));
    expect(result.counts.handlerErrors).toBe(0);
    expect(result.tasks.filter((task) => task.account === NO_ROLE || task.account === OUTSIDER).map((task) => task.lastStatus)).toEqual(['RUNNING', 'RUNNING']);
  });

  it('assumes each member role once for the whole run, and never asks STS about the outside account', () => {
    const calls = result.organisation?.assumeRoleCalls;
    expect(calls?.get(PAYMENTS)).toBe(1);
    expect(calls?.get(CATALOG)).toBe(1);
    expect(calls?.get(OUTSIDER)).toBeUndefined();
    expect(calls?.get(NO_ROLE)).toBeGreaterThan(0);
  });

  it('meets every expectation it states, the per-account ones among them', () => {
    expect(result.expectations.filter((expectation) => !expectation.ok)).toEqual([]);
    expect(result.expectations.map((expectation) => expectation.what)).toEqual(
      expect.arrayContaining([
        `stopTask actions in account ${PAYMENTS}`,
        `stopTask actions in account ${CATALOG}`,
        `MemberRoleErrors (refused) for account ${NO_ROLE}`,
        `MemberRoleErrors (outside) for account ${OUTSIDER}`,
        `member role assumptions in account ${OUTSIDER}`,
        'scans of 111122223333.dkr.ecr.us-east-1.amazonaws.com/platform/api:2.1.0',
      ]),
    );
  });

  it('fails a per-account expectation that the run contradicts', async () => {
    const document = example();
    document.expect.accounts[CATALOG].actions.stopTask = 1;
    document.expect.scans['111122223333.dkr.ecr.us-east-1.amazonaws.com/platform/api:2.1.0'] = 2;
    const unmet = (await run(document)).expectations.filter((expectation) => !expectation.ok);
    expect(unmet.map(({ what, expected, actual }) => ({ what, expected, actual }))).toEqual([
      { what: 'scans of 111122223333.dkr.ecr.us-east-1.amazonaws.com/platform/api:2.1.0', expected: '2', actual: '1' },
      { what: `stopTask actions in account ${CATALOG}`, expected: '1', actual: '0' },
    ]);
  });

  it('shows the organisation, the account of each task and a line per account in the timeline', () => {
    const timeline = renderTimeline(result);
    expect(timeline).toContain(`organisation o-a1b2c3d4e5: central ${CENTRAL}, members ${PAYMENTS} (us-east-1), ${CATALOG} (us-east-1), ${NO_ROLE} (us-east-1, member role missing); outside ${OUTSIDER} (us-east-1)`);
    expect(timeline).toContain(`task payments-report [report-builder:1] in ${PAYMENTS} STOPPED`);
    expect(timeline).toMatch(new RegExp(`account ${NO_ROLE} \\(member\\): stopTask 0, member role assumptions \\d+, MemberRoleErrors refused \\d+`));
  });
});

describe('simulate: --format json of an organisation scenario', () => {
  it('gives each task its account and region, and per account its role assumptions and MemberRoleErrors', async () => {
    const document = JSON.parse(renderJson(await run(example()))) as { tasks: { label: string; account: string; region: string }[]; organisation: { id: string; central: string; accounts: Record<string, unknown>[] } };
    expect(document.tasks.find((task) => task.label === 'catalog-api')).toMatchObject({ account: CATALOG, region: 'us-east-1' });
    expect(document.organisation.id).toBe('o-a1b2c3d4e5');
    expect(document.organisation.central).toBe(CENTRAL);
    expect(document.organisation.accounts.find((entry) => entry.account === NO_ROLE)).toMatchObject({ member: true, memberRole: 'missing', memberRoleErrors: { refused: 4, outside: 0 } });
    expect(document.organisation.accounts.find((entry) => entry.account === OUTSIDER)).toEqual({
      account: OUTSIDER,
      regions: ['us-east-1'],
      member: false,
      roleAssumptions: 0,
      // Four events, four calls refused: its RUNNING event reads the task definition once, the judgement and the
      // inventory's owner tags (posture/record-uses.ts) sharing that read (the launcher comes from the verdict read).
      memberRoleErrors: { refused: 0, failed: 0, outside: 4, unplaced: 0 },
    });
  });
});

describe('simulate: pushes to a member account\'s registry', () => {
  const push = (account: string, digit: string) => ({
    push: { image: `${account}.dkr.ecr.us-east-1.amazonaws.com/app/web:1`, digest: `sha256:${digit.repeat(64)}`, scan: { report: '../reports/distroless-nonroot.trivy.json' } },
  });

  it('come from the registry\'s own account, as the member stack forwards them, and start the one scan', async () => {
    const document = example();
    document.steps = [push(PAYMENTS, 'a'), { advanceClock: '3m' }];
    document.expect = {};
    const result = await run(document);
    const pushes = result.backend.activity.timeline.flatMap((entry) => (entry.kind === 'event' && entry.detailType === 'ECR Image Action' ? [(entry.event as { account: string }).account] : []));
    expect(pushes).toEqual([PAYMENTS]);
    expect([...result.backend.scanner.builds.values()].map((build) => build.request.imageReference)).toEqual([`${PAYMENTS}.dkr.ecr.us-east-1.amazonaws.com/app/web@sha256:${'a'.repeat(64)}`]);
  });

  it('to the registry of an account the scenario does not have: the step is refused, naming it', async () => {
    const document = example();
    document.steps = [push('555566667777', 'a')];
    document.expect = {};
    await expect(run(document)).rejects.toThrow(`${EXAMPLE} at steps[0]: ECR sends push events from the registry's own account and region; 555566667777.dkr.ecr.us-east-1.amazonaws.com/app/web:1 is in none the scenario has`);
  });
});

describe('simulate: a member in two regions', () => {
  it('acts in the region the task runs in, with that region\'s member role, and is refused where the StackSet instance is missing', async () => {
    const document = example();
    document.organisation.members[PAYMENTS] = { regions: ['us-east-1', 'eu-west-1'] };
    document.organisation.members[NO_ROLE] = { regions: ['eu-west-1'], memberRole: 'missing' };
    document.steps = [
      { runTask: { taskDefinition: 'report-builder:1', cluster: 'batch', account: PAYMENTS, region: 'eu-west-1', as: 'dublin-report' } },
      { runTask: { taskDefinition: 'report-builder:1', cluster: 'batch', account: NO_ROLE, region: 'eu-west-1', as: 'norole-dublin' } },
      { advanceClock: '5m' },
    ];
    document.expect = {};
    const result = await run(document);
    const stops = result.actions.flatMap((action) => (action.type === 'stopTask' ? [action.taskArn] : []));
    expect(stops).toHaveLength(1);
    expect(stops[0]).toMatch(new RegExp(`^arn:aws:ecs:eu-west-1:${PAYMENTS}:task/`));
    expect(result.tasks.map((task) => [task.label, task.region, task.lastStatus])).toEqual([
      ['dublin-report', 'eu-west-1', 'STOPPED'],
      ['norole-dublin', 'eu-west-1', 'RUNNING'],
    ]);
    expect(new Set(memberRoleErrors(result))).toEqual(new Set([`${NO_ROLE}/refused`]));
  });
});

describe('simulate: events naming accounts the gate must not act in', () => {
  /** An ECS Task State Change as EventBridge delivers it, in `account`, for a task of `arnAccount`. */
  const taskEvent = (account: string, arnAccount: string, region = 'us-east-1') => ({
    version: '0',
    id: '6f2e1c1e-0000-4000-8000-000000000001',
    'detail-type': 'ECS Task State Change',
    source: 'aws.ecs',
    account,
    time: '2026-01-05T09:00:00Z',
    region,
    resources: [`arn:aws:ecs:${region}:${arnAccount}:task/batch/0123456789abcdef0123456789abcdef`],
    detail: {
      clusterArn: `arn:aws:ecs:${region}:${arnAccount}:cluster/batch`,
      taskArn: `arn:aws:ecs:${region}:${arnAccount}:task/batch/0123456789abcdef0123456789abcdef`,
      taskDefinitionArn: `arn:aws:ecs:${region}:${arnAccount}:task-definition/report-builder:1`,
      lastStatus: 'RUNNING',
      desiredStatus: 'RUNNING',
      launchType: 'FARGATE',
      version: 1,
      createdAt: '2026-01-05T09:00:00Z',
      containers: [{ name: 'report-builder', image: '111122223333.dkr.ecr.us-east-1.amazonaws.com/batch/report-builder:1.4.2', lastStatus: 'RUNNING' }],
    },
  });

  async function deliver(...events: unknown[]): Promise<ScenarioResult> {
    const document = example();
    document.steps = events.map((event) => ({ event }));
    document.expect = {};
    return run(document);
  }

  it.each([
    ['an account id of 5 digits', '12345'],
    ['an account id of 13 digits', '4444555566667'],
    ['an account id with letters', '44445555666x'],
  ])('%s in the event and its ARNs: ignored as malformed, no STS call, no action, no handler error', async (_what, hostile) => {
    const result = await deliver(taskEvent(hostile, hostile));
    expect(result.counts.handlerErrors).toBe(0);
    expect(result.actions).toEqual([]);
    expect(result.organisation?.assumeRoleCalls.size).toBe(0);
    expect(result.backend.activity.counts().aws).toBe(0);
  });

  it('an event of a member in a region where it has no member stack: refused at AssumeRole, nothing done', async () => {
    const result = await deliver(taskEvent(PAYMENTS, PAYMENTS, 'ap-southeast-2'));
    expect(result.counts.handlerErrors).toBe(0);
    expect(result.actions).toEqual([]);
    expect(new Set(memberRoleErrors(result))).toEqual(new Set([`${PAYMENTS}/refused`]));
  });

  it('a hostile envelope account with ARNs of an account the world does not know: refused as naming another account than its own, before STS', async () => {
    const stranger = '555566667777';
    const result = await deliver(taskEvent('not-an-account', stranger));
    expect(result.counts.handlerErrors).toBe(0);
    expect(result.actions).toEqual([]);
    expect(result.organisation?.assumeRoleCalls.size).toBe(0);
    // The event-account check (handlers/organisation/event-account.ts) refuses it before the routing asks whether
    // the ARNs' account is a member: counted by the account the event claims to come from.
    const mismatches = result.backend.metrics.points.filter((point) => point.name === EVENT_ACCOUNT_MISMATCH_METRIC);
    expect(mismatches.map((point) => point.dimensions?.Account)).toEqual(['not-an-account']);
    expect(memberRoleErrors(result)).toEqual([]);
  });
});

describe('scenario validation: the organisation section', () => {
  const withOrganisation = (change: (organisation: Record<string, any>) => void) => {
    const document = example();
    change(document.organisation);
    return document;
  };

  it.each([
    ['an organisation id that is not one', (o: Record<string, any>) => (o.id = 'o-short'), 'organisation.id', 'expected an AWS Organizations id'],
    ['a member account id of 5 digits', (o: Record<string, any>) => (o.members['12345'] = {}), 'organisation.members["12345"]', '"12345" is not a 12-digit AWS account id'],
    ['the central account as a member', (o: Record<string, any>) => (o.members[CENTRAL] = {}), `organisation.members["${CENTRAL}"]`, `${CENTRAL} is the central account (the scenario's "account")`],
    ['an account both a member and outside', (o: Record<string, any>) => (o.outside[PAYMENTS] = {}), `organisation.outside["${PAYMENTS}"]`, `${PAYMENTS} is both a member and outside the organisation`],
    ['an unknown member role state', (o: Record<string, any>) => (o.members[PAYMENTS] = { memberRole: 'maybe' }), `organisation.members["${PAYMENTS}"].memberRole`, 'expected one of "deployed", "missing", "refuses"'],
    ['an unknown key of a member', (o: Record<string, any>) => (o.members[PAYMENTS] = { role: 'missing' }), `organisation.members["${PAYMENTS}"].role`, 'unknown key'],
    ['a region that is not one', (o: Record<string, any>) => (o.members[PAYMENTS] = { regions: ['mars-1'] }), `organisation.members["${PAYMENTS}"].regions[0]`, 'expected an AWS region'],
    ['a region listed twice', (o: Record<string, any>) => (o.members[PAYMENTS] = { regions: ['us-east-1', 'us-east-1'] }), `organisation.members["${PAYMENTS}"].regions[1]`, 'region us-east-1 is listed twice'],
    ['no member at all', (o: Record<string, any>) => (o.members = {}), 'organisation.members', 'an organisation needs at least one member account'],
    ['a central account other than the scenario\'s', (o: Record<string, any>) => (o.central = '121212121212'), 'organisation.central', `is 121212121212 but the scenario's "account" is ${CENTRAL}: the central account is the one running the gate`],
    ['no organisation id', (o: Record<string, any>) => delete o.id, 'organisation.id', ''],
  ])('refuses %s, naming the path', async (_what, change, path, message) => {
    const error = await problem(withOrganisation(change));
    expect({ names: names(error, path, message), message: error.message }).toEqual({ names: true, message: error.message });
  });

  it('takes the central account from the section when the scenario gives no account', async () => {
    const document = example();
    delete document.account;
    document.organisation.central = CENTRAL;
    expect((await parseScenario(document, EXAMPLE)).account).toBe(CENTRAL);
  });

  it.each([
    ['an account id of 5 digits', { account: '12345' }, 'steps[0].runTask.account', 'expected a 12-digit AWS account id'],
    ['an account the section does not declare', { account: '555566667777' }, 'steps[0].runTask.account', 'names account 555566667777, which the organisation section does not declare'],
    ['a region the account is not declared in', { account: PAYMENTS, region: 'eu-west-1' }, 'steps[0].runTask.region', `account ${PAYMENTS} is declared in us-east-1, not in eu-west-1`],
  ])('refuses a runTask step naming %s', async (_what, place, path, message) => {
    const document = example();
    document.steps[0].runTask = { ...document.steps[0].runTask, ...place };
    const error = await problem(document);
    expect({ names: names(error, path, message), message: error.message }).toEqual({ names: true, message: error.message });
  });

  it('refuses a runTask step naming a member account in a scenario without an organisation section', async () => {
    const document = example();
    delete document.organisation;
    delete document.expect.accounts;
    const error = await problem(document);
    expect(error.message).toContain(`\n  steps[0].runTask.account: names account ${PAYMENTS} us-east-1, but the scenario has no "organisation" section`);
  });

  it('refuses a scan expectation about an image the scenario does not have', async () => {
    const document = example();
    document.expect.scans['111122223333.dkr.ecr.us-east-1.amazonaws.com/platform/api:9.9.9'] = 1;
    expect((await problem(document)).message).toContain(
      `${at('expect.scans["111122223333.dkr.ecr.us-east-1.amazonaws.com/platform/api:9.9.9"]')}names "111122223333.dkr.ecr.us-east-1.amazonaws.com/platform/api:9.9.9", which is neither a sha256 digest nor an image the scenario declares or pushes`,
    );
  });

  it('refuses expectations about something that is not an account', async () => {
    const document = example();
    document.expect.accounts['payments'] = { roleAssumptions: 1 };
    expect((await problem(document)).message).toContain(`${at('expect.accounts.payments')}"payments" is neither a 12-digit AWS account id nor "unknown"`);
  });

  it('reports every problem of the section at once', async () => {
    const error = await problem(
      withOrganisation((o) => {
        o.members[CENTRAL] = {};
        o.outside[CATALOG] = {};
      }),
    );
    expect(error.message).toMatch(/invalid scenario \(2 problems\)/);
    expect(error.message).toContain(`organisation.members["${CENTRAL}"]`);
    expect(error.message).toContain(`organisation.outside["${CATALOG}"]`);
  });
});
