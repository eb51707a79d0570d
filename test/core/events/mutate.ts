import fc from 'fast-check';

/** Every path to a value inside a JSON document (objects and arrays), the root excluded. */
export function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [];
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  return entries.flatMap(([key, child]) => [[...prefix, key], ...pathsOf(child, [...prefix, key])]);
}

export type Mutation = { path: (string | number)[]; op: 'delete' } | { path: (string | number)[]; op: 'set'; value: unknown };

/** Applies a mutation to a deep copy of `document`. */
export function applyMutation(document: unknown, mutation: Mutation): unknown {
  const copy = structuredClone(document);
  let parent: Record<string | number, unknown> = copy as Record<string | number, unknown>;
  for (const key of mutation.path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = mutation.path[mutation.path.length - 1];
  if (mutation.op === 'delete') {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  } else {
    parent[last] = mutation.value;
  }
  return copy;
}

/** Strings that have broken parsers and shells before. */
export const nastyString = fc.oneof(
  fc.string(),
  fc.constantFrom(
    '',
    ' ',
    '\n',
    '$(reboot)',
    '`id`',
    '; rm -rf /',
    'a\u0000b',
    '\uFEFF',
    '../../etc/passwd',
    'sha256:',
    'sha256:zz',
    'arn:aws:ecs:',
    'RUNNING',
    'FARGATE',
    'null',
    '{}',
    'x'.repeat(5000),
  ),
);

/** Any JSON value, weighted towards the shapes events are made of. */
export const jsonish: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue(),
  nastyString,
  fc.constantFrom(null, true, false, 0, -1, 1e308, Number.NaN),
  fc.array(fc.jsonValue(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue(), { maxKeys: 3 }),
);

/** One to three random mutations of a valid document. */
export function mutated(document: unknown): fc.Arbitrary<unknown> {
  const paths = pathsOf(document);
  const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    fc.record({ path: fc.constantFrom(...paths), op: fc.constant('delete' as const) }),
    fc.record({ path: fc.constantFrom(...paths), op: fc.constant('set' as const), value: jsonish }),
  );
  return fc.array(mutation, { minLength: 1, maxLength: 3 }).map((mutations) =>
    mutations.reduce<unknown>((doc, m) => {
      try {
        return applyMutation(doc, m);
      } catch {
        return doc; // an earlier mutation removed the path's parent
      }
    }, document),
  );
}

/**
 * A document with one member at one of `paths` set to a value of `boundary` (removed for `undefined`), on top of random
 * mutations: the values at which a reader's plain fast path and its zod schema are most likely to part.
 */
export function atBoundary(document: unknown, paths: (string | number)[][], boundary: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.tuple(mutated(document), fc.constantFrom(...paths), boundary).map(([doc, path, value]) => {
    try {
      return value === undefined ? applyMutation(doc, { path, op: 'delete' }) : applyMutation(doc, { path, op: 'set', value });
    } catch {
      return doc;
    }
  });
}

/** Characters and sequences a shell would act on. */
export const shellInjection = fc.constantFrom(';', '$(', '`', ' ', '\n', '|', '&&', '>', '<', "'", '"', '\\', '$IFS', '${HOME}', '\t', '*', '?', '#', '!').chain((meta) =>
  fc.tuple(fc.constant(meta), fc.stringMatching(/^[a-z]{0,8}$/)).map(([m, word]) => `${m}${word}`),
);
