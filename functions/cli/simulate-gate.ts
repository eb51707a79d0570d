import { createGate } from '../handlers/gate';
import type { GateFactory } from './simulate-runner';

/** The real gate (functions/handlers), on whatever ports the simulation hands it. */
export const defaultGateFactory: GateFactory = (deps) => createGate(deps);
