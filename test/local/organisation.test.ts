import { createGate } from '../../functions/handlers/gate';
import { MEMBER_ROLE_ERROR_METRIC } from '../../functions/handlers/organisation/account-routing';
import { LocalBackend } from '../../functions/local/backend';
import { LocalOrganisation } from '../../functions/local/organisation';
import { Simulation } from '../../functions/local/simulation';
import { policyOf } from '../handlers/support/fakes';
import { trivyReport } from '../handlers/support/scenario';

/**
 * One gate for an organisation, in memory: a central account and its gate, two members with the member role, a member
 * whose role is missing, and an account outside the organisation. The same image runs in every account.
 */

const CENTRAL = '111122223333';
const MEMBER_A = '444455556666';
const MEMBER_B = '777788889999';
const NO_ROLE = '222233334444';
const OUTSIDER = '999988887777';
const IMAGE = `${CENTRAL}.dkr.ecr.us-east-1.amazonaws.com/shared/api:1.0`;
const DIGEST = `sha256:${'c'.repeat(64)}`;

async function organisationWorld() {
  const backend = new LocalBackend({ location: { account: CENTRAL, region: 'us-east-1' } });
  let gate: ReturnType<typeof createGate> | undefined;
  const simulation = new Simulation(backend, { handleEvent: (event) => gate!.handleEvent(event), handleHook: (payload) => gate!.handleHook(payload) });
  const organisation = new LocalOrganisation(backend, simulation);
  const accounts = {
    a: organisation.addAccount(MEMBER_A),
    b: organisation.addAccount(MEMBER_B),
    noRole: organisation.addAccount(NO_ROLE, { hasRole: false }),
    outsider: organisation.addAccount(OUTSIDER, { member: false }),
  };
  gate = createGate({ ...organisation.gatePorts(), policy: policyOf(), config: { scanProjectName: backend.scanner.projectName } });
  // A root image: the policy denies it wherever it runs.
  backend.images.declare(IMAGE, DIGEST, { report: trivyReport({ reference: IMAGE, digest: DIGEST, user: 'root' }) });
  const tasks = Object.fromEntries(
    Object.entries(accounts).map(([name, account]) => {
      const definition = account.taskDefinitions.register({ family: 'api', containerDefinitions: [{ name: 'api', image: IMAGE }] }, `${name} api`);
      return [name, account.ecs.launchTask({ cluster: 'prod', taskDefinitionArn: definition.arn as string })];
    }),
  ) as Record<keyof typeof accounts, ReturnType<typeof accounts.a.ecs.launchTask>>;
  await simulation.advance(30 * 60 * 1000);
  return { backend, organisation, accounts, tasks };
}

describe('an organisation in memory', () => {
  let world: Awaited<ReturnType<typeof organisationWorld>>;
  beforeAll(async () => {
    world = await organisationWorld();
  });

  it('scans the image once for every account that runs it', () => {
    const builds = [...world.backend.scanner.builds.values()];
    expect(builds.map((build) => build.request.digest)).toEqual([DIGEST]);
  });

  it('stops the task in each member with the role, in that member\'s own ECS', () => {
    const { accounts, tasks } = world;
    for (const name of ['a', 'b'] as const) {
      const task = accounts[name].ecs.requireTask(tasks[name].taskArn);
      expect({ name, desiredStatus: task.desiredStatus, reason: task.stoppedReason }).toEqual({ name, desiredStatus: 'STOPPED', reason: expect.stringContaining('fargate-gate') });
    }
  });

  it('publishes one verdict per stopped task, each naming its account', () => {
    const stops = world.backend.notifier.published.filter((event) => event.action === 'stopTask');
    expect(stops.map((event) => event.account).sort()).toEqual([MEMBER_A, MEMBER_B].sort());
  });

  it('leaves the task of a member without the role running, and counts the refusal for that account', () => {
    const { accounts, tasks, backend } = world;
    expect(accounts.noRole.ecs.requireTask(tasks.noRole.taskArn).desiredStatus).toBe('RUNNING');
    const refusals = backend.metrics.points.filter((p) => p.name === MEMBER_ROLE_ERROR_METRIC && p.dimensions?.Account === NO_ROLE);
    expect(refusals.length).toBeGreaterThan(0);
    expect(refusals.every((p) => p.dimensions?.Reason === 'refused')).toBe(true);
  });

  it('refuses the account outside the organisation without asking STS, and acts nowhere for it', () => {
    const { accounts, tasks, backend, organisation } = world;
    expect(accounts.outsider.ecs.requireTask(tasks.outsider.taskArn).desiredStatus).toBe('RUNNING');
    expect(organisation.assumeRoleCalls.get(OUTSIDER)).toBeUndefined();
    expect(backend.metrics.points.some((p) => p.name === MEMBER_ROLE_ERROR_METRIC && p.dimensions?.Account === OUTSIDER && p.dimensions?.Reason === 'outside')).toBe(true);
    expect(backend.notifier.published.filter((event) => event.account === OUTSIDER && event.action !== 'none')).toEqual([]);
  });

  it('assumes each member role once for all the calls of the run', () => {
    const { organisation } = world;
    expect(organisation.assumeRoleCalls.get(MEMBER_A)).toBe(1);
    expect(organisation.assumeRoleCalls.get(MEMBER_B)).toBe(1);
    expect(organisation.credentials.assumptions).toBeGreaterThanOrEqual(3);
  });
});

describe('an organisation in memory, per account and region', () => {
  async function world() {
    const backend = new LocalBackend({ location: { account: CENTRAL, region: 'us-east-1' } });
    let gate: ReturnType<typeof createGate> | undefined;
    const simulation = new Simulation(backend, { handleEvent: (event) => gate!.handleEvent(event), handleHook: (payload) => gate!.handleHook(payload) });
    const organisation = new LocalOrganisation(backend, simulation);
    return { backend, simulation, organisation, setGate: (made: ReturnType<typeof createGate>) => (gate = made) };
  }

  it('refuses an account and region added twice, the central one, and a membership that differs between regions', async () => {
    const { organisation } = await world();
    organisation.addAccount(MEMBER_A, { region: 'eu-west-1' });
    expect(() => organisation.addAccount(MEMBER_A, { region: 'eu-west-1' })).toThrow(`${MEMBER_A}/eu-west-1 was added twice`);
    expect(() => organisation.addAccount(CENTRAL)).toThrow('is the central account and region');
    expect(() => organisation.addAccount(MEMBER_A, { region: 'us-east-1', member: false })).toThrow(`account ${MEMBER_A} is either in the organisation or not, in every region`);
  });

  it('stops a task in the region it runs in, and refuses a region of the member without the role there', async () => {
    const { backend, simulation, organisation, setGate } = await world();
    const dublin = organisation.addAccount(MEMBER_A, { region: 'eu-west-1' });
    const virginia = organisation.addAccount(MEMBER_A, { region: 'us-east-1', hasRole: false });
    setGate(createGate({ ...organisation.gatePorts(), policy: policyOf(), config: { scanProjectName: backend.scanner.projectName } }));
    backend.images.declare(IMAGE, DIGEST, { report: trivyReport({ reference: IMAGE, digest: DIGEST, user: 'root' }) });
    const launch = (account: typeof dublin) => {
      const definition = account.taskDefinitions.register({ family: 'api', containerDefinitions: [{ name: 'api', image: IMAGE }] }, 'api');
      return account.ecs.launchTask({ cluster: 'prod', taskDefinitionArn: definition.arn as string });
    };
    const inDublin = launch(dublin);
    const inVirginia = launch(virginia);
    await simulation.advance(30 * 60 * 1000);
    expect(dublin.ecs.requireTask(inDublin.taskArn).desiredStatus).toBe('STOPPED');
    expect(virginia.ecs.requireTask(inVirginia.taskArn).desiredStatus).toBe('RUNNING');
    expect(organisation.isMember(MEMBER_A)).toBe(true);
    const refused = backend.metrics.points.filter((p) => p.name === MEMBER_ROLE_ERROR_METRIC).map((p) => `${p.dimensions?.Account}/${p.dimensions?.Reason}`);
    expect(new Set(refused)).toEqual(new Set([`${MEMBER_A}/refused`]));
  });
});
