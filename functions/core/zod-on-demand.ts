import type * as Zod from 'zod';

/*
 * zod, for the schemas of the gate's readers, without importing it. Each reader takes what plainly has its schema's shape
 * without zod (plain-shape.ts) and asks its schema about anything else, which decides and words the problem. So a
 * well-formed event never needs zod, and the gate and hook functions leave it out of their cold start: it is loaded
 * (functions/io/zod-loader.ts, `withZod`) only when a reader needs a schema. A reader runs synchronously, so one that
 * needs a schema before zod is loaded stops with `ZodNotLoaded`; `withZod` loads zod and reads again (a reader is pure,
 * so reading twice gives what reading once would). Every Lambda function reads this way, not only the gate and the
 * hook: the adapters the others use (DynamoDB stores, ECS) wrap their readers in `withZod` too, and no Lambda entry
 * provides zod. What runs outside Lambda (the CLI, simulate, the local backend, the tests) provides zod first
 * (functions/io/zod-provided.ts).
 *
 * The provided zod is kept on `globalThis` (as zod keeps its own configuration, `__zod_globalConfig`): one zod per
 * process, whatever module registry loaded this one (jest's isolateModules loads modules afresh).
 */

export type ZodNamespace = typeof Zod;

const PROVIDED = Symbol.for('fargate-gate.zod');

type Holder = { [PROVIDED]?: ZodNamespace };

/** A reader needed a schema before zod was provided. Never reaches a caller through `withZod`. */
export class ZodNotLoaded extends Error {
  constructor() {
    super('zod is not loaded: read through withZod (functions/io/zod-loader.ts), or provide zod first (functions/io/zod-provided.ts)');
    this.name = 'ZodNotLoaded';
  }
}

/** Makes `z` the zod the schemas are built with. */
export function provideZod(z: ZodNamespace): void {
  (globalThis as Holder)[PROVIDED] = z;
}

/** Forgets the provided zod: for tests of the path that loads it. */
export function forgetZod(): void {
  delete (globalThis as Holder)[PROVIDED];
}

/** Whether zod has been provided. */
export function zodProvided(): boolean {
  return (globalThis as Holder)[PROVIDED] !== undefined;
}

/** The provided zod; `ZodNotLoaded` when there is none yet. */
export function providedZod(): ZodNamespace {
  const z = (globalThis as Holder)[PROVIDED];
  if (z === undefined) throw new ZodNotLoaded();
  return z;
}

/**
 * A schema built on its first use with the provided zod, and kept (like `lazySchema`, whose modules import zod). Calling
 * the getter before zod is provided throws `ZodNotLoaded`.
 */
export function zodSchema<T>(build: (z: ZodNamespace) => T): () => T {
  let built: T | undefined;
  return () => (built ??= build(providedZod()));
}
