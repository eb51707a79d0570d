/**
 * A schema built on its first use and kept. A cold start builds only the schemas the path it takes parses with: the
 * gate's event function meets one or two kinds of event per execution environment, and takes the policy prepared at
 * synth (core/policy/prepared.ts), so neither every event kind's schemas nor the policy's are built at module load.
 */
export function lazySchema<T>(build: () => T): () => T {
  let built: T | undefined;
  return () => (built ??= build());
}
