import { MemberCredentials, type TemporaryCredentials } from '../adapters/member-credentials';
import { accountOf, accountRegionKey, MEMBER_ROLE_NAME_PREFIX, type AccountRegion } from '../core/organisation/account';
import type { GatePorts } from '../core/ports';
import { accountRoutedPorts, type AccountPorts } from '../handlers/organisation/account-routing';
import type { LocalBackend } from './backend';
import { FakeEcs, type FakeEcsOptions } from './ecs';
import { hookStateChangeEvent, taskStateChangeEvent } from './events';
import type { AwsLocation } from './ids';
import type { Simulation } from './simulation';
import { MemoryTaskDefinitions } from './task-definitions';

/**
 * An organisation in memory (docs/organisation.md): the backend's account is the central one, running the gate; each
 * added account and region has its own ECS and task definitions, whose task events reach the same gate as a member stack's rules
 * forward them. Members of the organisation may have the member role or lack it; an account outside the
 * organisation can still be added, to show that the gate refuses its events. The gate's ECS, task-definition and
 * registry calls go through the same routing (and the same credential cache) as on AWS, with an in-memory STS.
 */
export interface LocalAccount {
  location: AwsLocation;
  ecs: FakeEcs;
  taskDefinitions: MemoryTaskDefinitions;
  /** In the organisation: the gate serves it. */
  member: boolean;
  /** The member stack's role exists there (a StackSet instance deployed in this account and region). */
  hasRole: boolean;
}

/** The world's settings a member's ECS shares with the central one (a scenario's `world`). */
export type LocalEcsSettings = Pick<FakeEcsOptions, 'stepDelayMs' | 'stopDelayMs' | 'digestVisibleFrom' | 'loopLimit' | 'deploymentSettleMs'>;

export interface AddAccountOptions {
  /** In the organisation (default true). */
  member?: boolean;
  /** The member role exists in this account and region (default true). */
  hasRole?: boolean;
  /** Default: the central region. */
  region?: string;
  ecs?: LocalEcsSettings;
}

const SESSION_MS = 60 * 60 * 1000;

export class LocalOrganisation {
  /** By account and region (`accountRegionKey`): one ECS each, as on AWS. */
  readonly accounts = new Map<string, LocalAccount>();
  readonly credentials: MemberCredentials;
  /** AssumeRole calls the in-memory STS answered, by account (granted or refused). */
  readonly assumeRoleCalls = new Map<string, number>();

  constructor(
    private readonly backend: LocalBackend,
    private readonly simulation: Simulation,
  ) {
    this.credentials = new MemberCredentials({ assumeRole: (roleArn) => this.assumeRole(roleArn), now: () => backend.clock.millis() });
  }

  /**
   * An account and region of the world besides the central one (default: the central region). An account is in the
   * organisation or not as a whole: every region of it must say the same.
   */
  addAccount(account: string, options: AddAccountOptions = {}): LocalAccount {
    const { backend, simulation } = this;
    const location: AwsLocation = { account, region: options.region ?? backend.location.region };
    const key = accountRegionKey(location);
    const member = options.member ?? true;
    if (account === backend.location.account && location.region === backend.location.region) throw new Error(`LocalOrganisation: ${key} is the central account and region`);
    if (this.accounts.has(key)) throw new Error(`LocalOrganisation: ${key} was added twice`);
    if ([...this.accounts.values()].some((other) => other.location.account === account && other.member !== member)) {
      throw new Error(`LocalOrganisation: account ${account} is either in the organisation or not, in every region`);
    }
    const taskDefinitions = new MemoryTaskDefinitions(location, backend.activity);
    const ecs = new FakeEcs({
      ...options.ecs,
      location,
      ids: backend.ids,
      activity: backend.activity,
      taskDefinitions,
      now: () => backend.clock.millis(),
      schedule: (delayMs, callback) => simulation.schedule(delayMs, callback),
      resolveImage: (image) => backend.images.resolve(image),
    });
    // The member stack's FargateTaskStarting rule forwards the account's task events to the central bus.
    ecs.onTaskChange(({ task }) => simulation.emit(taskStateChangeEvent(task, { ...simulation.envelope(), location })));
    // Its PAUSE hooks' HOOK_AWAITING_ACTION, forwarded by the member stack's HookAwaitingAction rule.
    ecs.onHookAwaiting((service, deployment) => simulation.emit(hookStateChangeEvent(service, deployment, { ...simulation.envelope(), location })));
    const created: LocalAccount = { location, ecs, taskDefinitions, member, hasRole: options.hasRole ?? true };
    this.accounts.set(key, created);
    return created;
  }

  /** The backend's ports with ECS, task definitions and the registry routed per account, for `createGate`. */
  gatePorts(): GatePorts {
    const { backend } = this;
    const central: AccountPorts = { ecs: backend.ecs, taskDefinitions: backend.taskDefinitions, registry: backend.registry };
    const routed = accountRoutedPorts({
      central: { account: backend.location.account, region: backend.location.region, ports: central },
      member: (where) => this.memberPorts(where),
      isMember: (account) => this.isMember(account),
      metrics: backend.metrics,
    });
    return { ...backend.ports, ...routed };
  }

  /** Whether the gate serves `account`: in the organisation, in any region. */
  isMember(account: string): boolean {
    return [...this.accounts.values()].some((known) => known.location.account === account && known.member);
  }

  /** The account and region of the world, if it was added. */
  find(where: Pick<AccountRegion, 'account' | 'region'>): LocalAccount | undefined {
    return this.accounts.get(accountRegionKey(where));
  }

  /** A member's ports: every call first takes the member role's credentials, as the SDK clients do on AWS. */
  private memberPorts(where: AccountRegion): AccountPorts {
    const account = this.find(where);
    const credentialsFirst = <T extends object>(target: T): T =>
      new Proxy(target, {
        get: (object, property) => {
          const value = Reflect.get(object, property, object);
          if (typeof value !== 'function') return value;
          return async (...args: unknown[]) => {
            await this.credentials.credentialsFor(where);
            return (value as (...a: unknown[]) => unknown).apply(object, args);
          };
        },
      });
    // A member in a region the world does not have: no StackSet instance there, so no role, and STS refuses before
    // any call could be made.
    if (!account) {
      const nowhere = new Proxy({}, { get: () => async () => { await this.credentials.credentialsFor(where); throw new Error(`LocalOrganisation: no ${accountRegionKey(where)} in this world`); } });
      return { ecs: nowhere as AccountPorts['ecs'], taskDefinitions: nowhere as AccountPorts['taskDefinitions'], registry: nowhere as AccountPorts['registry'] };
    }
    return { ecs: credentialsFirst(account.ecs), taskDefinitions: credentialsFirst(account.taskDefinitions), registry: credentialsFirst(this.backend.registry) };
  }

  /**
   * STS AssumeRole in memory: granted for a member with the role in the region the role's name ends in
   * (`fargate-gate-member-<region>`), AccessDenied otherwise (missing role, a region without the StackSet instance,
   * an outsider).
   */
  private async assumeRole(roleArn: string): Promise<TemporaryCredentials> {
    const parsed = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(.+)$/.exec(roleArn);
    const account = parsed?.[1] ?? accountOf(roleArn) ?? 'unknown';
    const region = parsed?.[2].startsWith(MEMBER_ROLE_NAME_PREFIX) ? parsed[2].slice(MEMBER_ROLE_NAME_PREFIX.length) : undefined;
    this.assumeRoleCalls.set(account, (this.assumeRoleCalls.get(account) ?? 0) + 1);
    const found = region === undefined ? undefined : this.find({ account, region });
    if (!found?.member || !found.hasRole) {
      throw Object.assign(new Error(`User: arn:aws:sts::${this.backend.location.account}:assumed-role/gate is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`), { name: 'AccessDenied' });
    }
    return { accessKeyId: `ASIA${account}`, secretAccessKey: 'local', sessionToken: 'local', expiration: new Date(this.backend.clock.millis() + SESSION_MS) };
  }
}
