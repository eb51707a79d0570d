import { MemberCredentials, type TemporaryCredentials } from '../adapters/member-credentials';
import { accountOf, type AccountRegion } from '../core/organisation/account';
import type { GatePorts } from '../core/ports';
import { accountRoutedPorts, type AccountPorts } from '../handlers/organisation/account-routing';
import type { LocalBackend } from './backend';
import { FakeEcs } from './ecs';
import { taskStateChangeEvent } from './events';
import type { AwsLocation } from './ids';
import type { Simulation } from './simulation';
import { MemoryTaskDefinitions } from './task-definitions';

/**
 * An organisation in memory (docs/organisation.md): the backend's account is the central one, running the gate; each
 * added account has its own ECS and task definitions, whose task events reach the same gate as a member stack's rules
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
  /** The member stack's role exists there (a StackSet instance deployed). */
  hasRole: boolean;
}

const SESSION_MS = 60 * 60 * 1000;

export class LocalOrganisation {
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

  /** An account of the world besides the central one, in the central region. */
  addAccount(account: string, options: { member?: boolean; hasRole?: boolean } = {}): LocalAccount {
    const { backend, simulation } = this;
    const location: AwsLocation = { account, region: backend.location.region };
    const taskDefinitions = new MemoryTaskDefinitions(location, backend.activity);
    const ecs = new FakeEcs({
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
    const created: LocalAccount = { location, ecs, taskDefinitions, member: options.member ?? true, hasRole: options.hasRole ?? true };
    this.accounts.set(account, created);
    return created;
  }

  /** The backend's ports with ECS, task definitions and the registry routed per account, for `createGate`. */
  gatePorts(): GatePorts {
    const { backend } = this;
    const central: AccountPorts = { ecs: backend.ecs, taskDefinitions: backend.taskDefinitions, registry: backend.registry };
    const routed = accountRoutedPorts({
      central: { account: backend.location.account, region: backend.location.region, ports: central },
      member: (where) => this.memberPorts(where),
      isMember: (account) => this.accounts.get(account)?.member === true,
      metrics: backend.metrics,
    });
    return { ...backend.ports, ...routed };
  }

  /** A member's ports: every call first takes the member role's credentials, as the SDK clients do on AWS. */
  private memberPorts(where: AccountRegion): AccountPorts {
    const account = this.accounts.get(where.account);
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
    // The routing asks only for accounts that passed `isMember`, which are accounts of this world.
    if (!account) throw new Error(`LocalOrganisation: no account ${where.account} in this world`);
    return { ecs: credentialsFirst(account.ecs), taskDefinitions: credentialsFirst(account.taskDefinitions), registry: credentialsFirst(this.backend.registry) };
  }

  /** STS AssumeRole in memory: granted for a member with the role, AccessDenied otherwise (missing role, outsider). */
  private async assumeRole(roleArn: string): Promise<TemporaryCredentials> {
    const account = /^arn:aws[a-z-]*:iam::(\d{12}):role\//.exec(roleArn)?.[1] ?? accountOf(roleArn) ?? 'unknown';
    this.assumeRoleCalls.set(account, (this.assumeRoleCalls.get(account) ?? 0) + 1);
    const found = this.accounts.get(account);
    if (!found?.member || !found.hasRole) {
      throw Object.assign(new Error(`User: arn:aws:sts::${this.backend.location.account}:assumed-role/gate is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`), { name: 'AccessDenied' });
    }
    return { accessKeyId: `ASIA${account}`, secretAccessKey: 'local', sessionToken: 'local', expiration: new Date(this.backend.clock.millis() + SESSION_MS) };
  }
}
