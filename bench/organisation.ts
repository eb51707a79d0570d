import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadedPolicy, Policy } from '../functions/core/policy';
import { createGate } from '../functions/handlers/gate';
import { LocalBackend } from '../functions/local/backend';
import type { WorldTask } from '../functions/local/ecs';
import { LocalOrganisation, type LocalAccount } from '../functions/local/organisation';
import { seededRandom } from '../functions/local/random';
import { Simulation } from '../functions/local/simulation';
import { KIND_BLOCKS, KIND_REPORTS, type ImageKind } from './fleet';

/**
 * The organisation benchmark (docs/organisation.md): a seeded fleet over N member accounts, plus one member whose role
 * is missing and one account outside the organisation, replayed through the real gate on the in-memory organisation
 * (functions/local/organisation.ts). Ground truth comes from the image kinds (bench/fleet.ts), never from the gate.
 */

export interface OrganisationBenchOptions {
  root: string;
  policy: LoadedPolicy<Policy>;
  seed?: string;
  /** Member accounts with the member role. */
  accounts: number;
  /** Distinct images, shared by every account (the same base images run everywhere). */
  images: number;
  /** Standalone tasks per account. */
  tasksPerAccount: number;
  /** Launches are spread over this much simulated time. */
  durationMs?: number;
}

export interface OrganisationFigures {
  accounts: number;
  events: number;
  distinctDigests: number;
  scansStarted: number;
  scansPerDistinctDigest: number;
  roleAssumptions: number;
  roleAssumptionsPer1000Events: number;
  /** Assumptions of the member roles that exist: one per account unless a session expired. */
  roleAssumptionsOfServedAccounts: number;
  roleRefusalsFromCache: number;
  /** Tasks of served accounts whose image must not run (ground truth). */
  tasksThatMustStop: number;
  wrongStops: number;
  missedStops: number;
  memberRoleErrors: number;
}

const KINDS: ImageKind[] = ['compliant', 'compliant', 'wontfixWarn', 'rootCritical', 'secret', 'highFixable'];
const CENTRAL = '100000000000';

export async function measureOrganisation(options: OrganisationBenchOptions): Promise<OrganisationFigures> {
  const random = seededRandom(options.seed ?? 'fargate-gate-organisation');
  const backend = new LocalBackend({ location: { account: CENTRAL, region: 'us-east-1' }, keepActions: false, seed: options.seed });
  let gate: ReturnType<typeof createGate> | undefined;
  const simulation = new Simulation(backend, { handleEvent: (event) => gate!.handleEvent(event), handleHook: (payload) => gate!.handleHook(payload) });
  const organisation = new LocalOrganisation(backend, simulation);
  const served: LocalAccount[] = Array.from({ length: options.accounts }, (_, index) => organisation.addAccount(String(200000000000 + index)));
  const noRole = organisation.addAccount('300000000000', { hasRole: false });
  const outsider = organisation.addAccount('400000000000', { member: false });
  gate = createGate({ ...organisation.gatePorts(), policy: options.policy, config: { scanProjectName: backend.scanner.projectName } });

  const registry = `${CENTRAL}.dkr.ecr.us-east-1.amazonaws.com`;
  const images = Array.from({ length: options.images }, (_, index) => {
    const kind = KINDS[Math.floor(random() * KINDS.length)];
    const reference = `${registry}/fleet/image-${index}:1`;
    const digest = `sha256:${index.toString(16).padStart(64, '0')}`;
    backend.images.declare(reference, digest, { report: readFileSync(join(options.root, 'examples/reports', KIND_REPORTS[kind as keyof typeof KIND_REPORTS]), 'utf8') });
    return { reference, digest, kind };
  });

  const durationMs = options.durationMs ?? 2 * 60 * 60 * 1000;
  const launched: { account: LocalAccount; task: WorldTask; image: (typeof images)[number] }[] = [];
  for (const account of [...served, noRole, outsider]) {
    const definitions = images.map((image, index) => account.taskDefinitions.register({ family: `app-${index}`, containerDefinitions: [{ name: 'app', image: image.reference }] }, `bench ${index}`).arn as string);
    for (let n = 0; n < options.tasksPerAccount; n += 1) {
      // Zipf-like reuse: a few base images run most tasks.
      const index = Math.min(images.length - 1, Math.floor(images.length * random() ** 2));
      const task = account.ecs.launchTask({ cluster: 'prod', taskDefinitionArn: definitions[index], startInMs: Math.floor(random() * durationMs) });
      launched.push({ account, task, image: images[index] });
    }
  }
  await simulation.advance(durationMs + 30 * 60 * 1000);

  const distinctDigests = new Set(launched.map((launch) => launch.image.digest)).size;
  const scansStarted = backend.scanner.builds.size;
  let wrongStops = 0;
  let missedStops = 0;
  let tasksThatMustStop = 0;
  for (const { account, task, image } of launched) {
    const stopped = account.ecs.requireTask(task.taskArn).desiredStatus === 'STOPPED';
    const mustStop = KIND_BLOCKS[image.kind] && account.member && account.hasRole;
    if (mustStop) tasksThatMustStop += 1;
    if (stopped && !mustStop) wrongStops += 1;
    if (!stopped && mustStop) missedStops += 1;
  }
  const events = simulation.deliveries.total;
  const servedAssumptions = served.reduce((sum, account) => sum + (organisation.assumeRoleCalls.get(account.location.account) ?? 0), 0);
  const round = (value: number) => Math.round(value * 100) / 100;
  return {
    accounts: options.accounts,
    events,
    distinctDigests,
    scansStarted,
    scansPerDistinctDigest: round(scansStarted / distinctDigests),
    roleAssumptions: organisation.credentials.assumptions,
    roleAssumptionsPer1000Events: round((organisation.credentials.assumptions / events) * 1000),
    roleAssumptionsOfServedAccounts: servedAssumptions,
    /** Refusals answered from MemberCredentials' negative cache (the member without the role), without an AssumeRole. */
    roleRefusalsFromCache: organisation.credentials.refusalsFromCache,
    tasksThatMustStop,
    wrongStops,
    missedStops,
    memberRoleErrors: backend.metrics.total('MemberRoleErrors'),
  };
}
