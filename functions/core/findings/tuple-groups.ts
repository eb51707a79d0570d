/**
 * A tuple of strings that keys an item, as one reader per part. The first part is the head: every item's head is
 * looked up; the other parts are read only when two items share a head.
 */
export type TupleKey<T> = readonly [head: (item: T) => string, ...rest: ((item: T) => string)[]];

/**
 * Items numbered by their tuple: `groupOf[i]` is item i's group (groups numbered in order of first item), `sizes[g]`
 * how many items group g has (`sizes.length` is the number of groups).
 */
export interface TupleGroups {
  groupOf: Int32Array;
  sizes: Int32Array;
}

/** No group: the end of a chain. */
const NONE = -1;

/**
 * Groups items with equal tuples, in one pass (what `TupleMap` gives, without a value, a bucket or a tuple array per
 * item). A large report's findings are nearly all alone in their tuple, and grouping them was, with the garbage
 * collection its allocations caused, the largest part of the engine's time after `JSON.parse`: an item whose head no
 * other item has costs one Map entry holding a number. The groups of one head form a chain through fixed-size arrays
 * (no object or list per head, even when two packages of one name share it); items sharing a head are told apart by
 * comparing their parts one by one with each group's first item (never a joined string, so no separator can merge two
 * tuples). A head shared by many tuples (hostile input: thousands of versions of one package) is indexed by full keys,
 * so every item stays constant time.
 */
export function groupTuples<T>(items: readonly T[], key: TupleKey<T>, heads: HeadIndex = headIndex(items, key[0])): TupleGroups {
  if (heads.length !== items.length) throw new Error(`a head index of ${heads.length} items for ${items.length} items`);
  const groupOf = new Int32Array(items.length);
  // At most one group per item: fixed-size arrays, never grown.
  const sizes = new Int32Array(items.length);
  /** The first item of each group: the one later items of its head are compared with. */
  const firstItem = new Int32Array(items.length);
  /** The next group of the same head (`NONE` at the end), for the groups of a chain. */
  const nextOfHead = new Int32Array(items.length);
  /** How many groups a head has, at its first group. */
  const headGroups = new Int32Array(items.length);
  /** Heads with more than `SMALL_CHAIN` groups, by their first group: every group of the head by full key. */
  let indexed: Map<number, Map<string, number>> | undefined;
  let groups = 0;
  const newGroup = (index: number): number => {
    sizes[groups] = 1;
    firstItem[groups] = index;
    nextOfHead[groups] = NONE;
    groupOf[index] = groups;
    return groups++;
  };
  const same = (a: T, b: T): boolean => {
    for (let part = 1; part < key.length; part += 1) if (key[part](a) !== key[part](b)) return false;
    return true;
  };
  for (let i = 0; i < items.length; i += 1) {
    const item = items[i];
    const firstWithHead = heads[i];
    if (firstWithHead === i) {
      headGroups[newGroup(i)] = 1;
      continue;
    }
    // The group the head's first item made is the start of the head's chain.
    const first = groupOf[firstWithHead];
    // The group of an earlier item with this tuple, if there is one.
    let found = NONE;
    const index = headGroups[first] > SMALL_CHAIN ? indexed?.get(first) : undefined;
    if (index !== undefined) {
      found = index.get(fullKey(key, item)) ?? NONE;
    } else {
      for (let candidate = first; candidate !== NONE; candidate = nextOfHead[candidate]) {
        if (same(items[firstItem[candidate]], item)) {
          found = candidate;
          break;
        }
      }
    }
    if (found !== NONE) {
      sizes[found] += 1;
      groupOf[i] = found;
      continue;
    }
    const group = newGroup(i);
    // Linked in after the head's first group: the order a chain is searched in changes nothing (its tuples differ).
    nextOfHead[group] = nextOfHead[first];
    nextOfHead[first] = group;
    headGroups[first] += 1;
    if (index !== undefined) {
      index.set(fullKey(key, item), group);
    } else if (headGroups[first] > SMALL_CHAIN) {
      const byKey = new Map<string, number>();
      for (let g = first; g !== NONE; g = nextOfHead[g]) byKey.set(fullKey(key, items[firstItem[g]]), g);
      (indexed ??= new Map()).set(first, byKey);
    }
  }
  return { groupOf, sizes: sizes.subarray(0, groups) };
}

/**
 * For each item, the index of the first item with the same head (its own index when it is the first): all that
 * grouping needs of the heads, found with one Map pass. Items of equal heads at every index have the same index, so
 * one index serves every grouping of the same items by a key of the same head (see `packageHeads` in dedupe.ts).
 */
export type HeadIndex = Int32Array;

export function headIndex<T>(items: readonly T[], head: (item: T) => string): HeadIndex {
  const firstWith = new Map<string, number>();
  const index = new Int32Array(items.length);
  for (let i = 0; i < items.length; i += 1) {
    const name = head(items[i]);
    const first = firstWith.get(name);
    if (first === undefined) {
      firstWith.set(name, i);
      index[i] = i;
    } else {
      index[i] = first;
    }
  }
  return index;
}

/** A head's groups are searched one by one while at most this many, then by full key. */
const SMALL_CHAIN = 16;

/** An unambiguous string of the item's whole tuple (JSON quotes every part). */
const fullKey = <T>(key: TupleKey<T>, item: T) => JSON.stringify(key.map((part) => part(item)));
