/**
 * A schema built on its first use and kept: the gate's event function meets one or two kinds of event per execution
 * environment, so a cold start builds only the schemas of the kind it parses, not every kind's at load.
 */
export function lazySchema<T>(build: () => T): () => T {
  let built: T | undefined;
  return () => (built ??= build());
}
