/**
 * How a list of items is keyed by a tuple of strings: `head` is the tuple's first part (read straight from the item),
 * `parts` the whole tuple (`parts(item)[0] === head(item)`), asked for only when two items share a head.
 */
export interface TupleKey<T> {
  head(item: T): string;
  parts(item: T): readonly string[];
}

/** Items numbered by their tuple: `groupOf[i]` is item i's group (groups numbered in order of first item), `sizes[g]` how many items group g has. */
export interface TupleGroups {
  groupOf: Int32Array;
  sizes: number[];
}

/**
 * Groups items with equal tuples, in one pass (the grouping `TupleMap` gives, without a value object per item).
 * A large report's findings are nearly all alone in their tuple, and grouping them was, with the garbage collection
 * its allocations caused, the largest part of the engine's time after `JSON.parse`: an item whose head no other item
 * has costs one Map entry holding a number, and no tuple is built for it. Items sharing a head are told apart by
 * comparing whole parts (never a joined string, so no separator can merge two tuples); a head shared by many tuples
 * (hostile input: thousands of versions of one package) is indexed by full keys, so every item stays constant time.
 */
export function groupTuples<T>(items: readonly T[], key: TupleKey<T>): TupleGroups {
  const heads = new Map<string, number | Bucket>();
  const groupOf = new Int32Array(items.length);
  const sizes: number[] = [];
  /** The first item of each group, to read its tuple when a second head like it turns up. */
  const firstItem: number[] = [];
  const newGroup = (index: number): number => {
    const group = sizes.length;
    sizes.push(1);
    firstItem.push(index);
    return group;
  };
  for (let i = 0; i < items.length; i += 1) {
    const item = items[i];
    const head = key.head(item);
    const slot = heads.get(head);
    if (slot === undefined) {
      const group = newGroup(i);
      heads.set(head, group);
      groupOf[i] = group;
      continue;
    }
    const parts = key.parts(item);
    let bucket: Bucket;
    if (typeof slot === 'number') {
      bucket = { entries: [{ parts: key.parts(items[firstItem[slot]]), group: slot }] };
      heads.set(head, bucket);
    } else {
      bucket = slot;
    }
    let group = find(bucket, parts);
    if (group === undefined) {
      group = newGroup(i);
      add(bucket, parts, group);
    } else {
      sizes[group] += 1;
    }
    groupOf[i] = group;
  }
  return { groupOf, sizes };
}

/** The tuples sharing one head: listed while few, then indexed by full key. */
interface Bucket {
  entries?: { parts: readonly string[]; group: number }[];
  indexed?: Map<string, number>;
}

const SMALL_BUCKET = 16;

function find(bucket: Bucket, parts: readonly string[]): number | undefined {
  if (bucket.indexed !== undefined) return bucket.indexed.get(fullKey(parts));
  for (const entry of bucket.entries ?? []) if (sameParts(entry.parts, parts)) return entry.group;
  return undefined;
}

function add(bucket: Bucket, parts: readonly string[], group: number): void {
  if (bucket.indexed !== undefined) {
    bucket.indexed.set(fullKey(parts), group);
    return;
  }
  const entries = (bucket.entries ??= []);
  entries.push({ parts, group });
  if (entries.length > SMALL_BUCKET) {
    bucket.indexed = new Map(entries.map((entry): [string, number] => [fullKey(entry.parts), entry.group]));
    bucket.entries = undefined;
  }
}

/** An unambiguous string of the whole tuple (JSON quotes every part). */
const fullKey = (parts: readonly string[]) => JSON.stringify(parts);

function sameParts(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}
