/**
 * A map keyed by a tuple of strings (every key of one map has the same length). The engine keys each finding by where
 * it sits (package, version, target, path): joining those into one string per finding built a fresh string that the
 * Map then had to flatten and hash, for every finding of every report, and dominated the time of a large report.
 * Here the first part (the package name, a string the report already holds, its hash computed once) picks a small
 * bucket whose entries are told apart by comparing the other parts; a bucket that grows past a few entries (hostile
 * input: thousands of versions of one package) is indexed by its entries' full keys instead, so every lookup stays
 * constant time. Parts are compared whole: no separator can make two different tuples one key.
 */
export class TupleMap<V> {
  private readonly buckets = new Map<string, Bucket<V>>();

  /** The value under `parts`, made with `create` (and kept) when there is none. */
  getOrCreate(parts: readonly string[], create: () => V): V {
    const first = parts[0];
    const bucket = this.buckets.get(first);
    if (bucket === undefined) {
      // Most buckets only ever hold one entry: it is kept in the bucket itself, with no list made for it.
      const value = create();
      this.buckets.set(first, { parts, value });
      return value;
    }
    if (bucket.indexed !== undefined) {
      const key = fullKey(parts);
      let value = bucket.indexed.get(key);
      if (value === undefined) bucket.indexed.set(key, (value = create()));
      return value;
    }
    if (sameParts(bucket.parts, parts)) return bucket.value;
    const more = (bucket.more ??= []);
    for (const entry of more) if (sameParts(entry.parts, parts)) return entry.value;
    const value = create();
    more.push({ parts, value });
    if (more.length + 1 > SMALL_BUCKET) {
      bucket.indexed = new Map([[fullKey(bucket.parts), bucket.value], ...more.map((entry): [string, V] => [fullKey(entry.parts), entry.value])]);
      bucket.more = undefined;
    }
    return value;
  }
}

/** The entries whose tuples start with one part: the first held inline, later ones in `more`, all in `indexed` once many. */
interface Bucket<V> {
  parts: readonly string[];
  value: V;
  more?: { parts: readonly string[]; value: V }[];
  indexed?: Map<string, V>;
}

const SMALL_BUCKET = 16;

/** An unambiguous string of the whole tuple (JSON quotes every part). */
const fullKey = (parts: readonly string[]) => JSON.stringify(parts);

function sameParts(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 1; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}
