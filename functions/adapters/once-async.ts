/**
 * `load` run once, on the first call; later calls share its promise. A rejected load (a chunk that could not be read,
 * a client that could not be configured) is forgotten, so the next call tries again rather than failing for the rest
 * of the execution environment.
 */
export function onceAsync<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
}
