import { LocalBackend, type LocalBackendOptions } from '../../functions/local/backend';
import type { EventBridgeEvent } from '../../functions/local/events';
import { Simulation, type GateHandlers, type SimulationOptions } from '../../functions/local/simulation';

export const REGISTRY = '123456789012.dkr.ecr.us-east-1.amazonaws.com';
export const digestOf = (c: string): string => `sha256:${c.repeat(64).slice(0, 64)}`;

/** A world with one task definition per image given, and a gate stand-in that records what it receives. */
export function world(options: LocalBackendOptions & { images?: Record<string, string>; simulation?: SimulationOptions; gate?: Partial<GateHandlers> } = {}) {
  const backend = new LocalBackend({ location: { account: '123456789012', region: 'us-east-1' }, ...options });
  const received: EventBridgeEvent[] = [];
  const hooks: unknown[] = [];
  const gate: GateHandlers = {
    handleEvent: options.gate?.handleEvent ?? (async (event) => void received.push(event as EventBridgeEvent)),
    handleHook: options.gate?.handleHook ?? (async (payload) => (hooks.push(payload), { hookStatus: 'SUCCEEDED' })),
  };
  const simulation = new Simulation(backend, gate, options.simulation);
  const families = new Map<string, string>();
  for (const [name, image] of Object.entries(options.images ?? {})) {
    const arn = backend.taskDefinitions.register({ family: name, containerDefinitions: [{ name: 'app', image }] }, `test ${name}`).arn as string;
    families.set(name, arn);
  }
  const taskEvents = () => received.filter((event) => event['detail-type'] === 'ECS Task State Change');
  return { backend, simulation, received, hooks, families, taskEvents, ecs: backend.ecs };
}
