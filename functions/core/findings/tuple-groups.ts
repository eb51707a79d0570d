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
  return items.length < HASHED_FROM ? mapHeadIndex(items, head) : (hashedHeadIndex(items, head) ?? mapHeadIndex(items, head));
}

/** The head index through a Map of each head to its first item. */
export function mapHeadIndex<T>(items: readonly T[], head: (item: T) => string): HeadIndex {
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

/** Below this many items the Map is as cheap as anything. */
const HASHED_FROM = 256;

/**
 * The head index through an open-addressing table in an Int32Array (item number + 1 per slot, 0 empty), probed
 * linearly from a hash of the head: what `mapHeadIndex` gives, without a Map of thousands of entries (and the copies
 * it makes as it grows) in the young generation, which a large report's parsed JSON has nearly filled (a scavenge
 * there copies the whole tree). The hash is seeded at random on each call and the probes are counted: past
 * `MAX_PROBES_PER_ITEM` per item (heads made to collide), undefined, and the caller uses the Map; so it stays linear.
 */
export function hashedHeadIndex<T>(items: readonly T[], head: (item: T) => string, seed: number = (Math.random() * 0x1_0000_0000) | 0): HeadIndex | undefined {
  const n = items.length;
  let size = 1;
  while (size < n * 2) size *= 2;
  const mask = size - 1;
  const slots = new Int32Array(size);
  const index = new Int32Array(n);
  let probes = 0;
  const budget = MAX_PROBES_PER_ITEM * n;
  for (let i = 0; i < n; i += 1) {
    const name = head(items[i]);
    let slot = hashOf(name, seed) & mask;
    for (;;) {
      const taken = slots[slot];
      if (taken === 0) {
        slots[slot] = i + 1;
        index[i] = i;
        break;
      }
      if (head(items[taken - 1]) === name) {
        index[i] = taken - 1;
        break;
      }
      probes += 1;
      if (probes > budget) return undefined;
      slot = (slot + 1) & mask;
    }
  }
  return index;
}

/** Collisions allowed per item, on average, before the Map is used instead. */
const MAX_PROBES_PER_ITEM = 8;

/** FNV-1a over the UTF-16 code units, from the seed, with a final mix so the low bits (the slot) depend on every unit. */
export function hashOf(text: string, seed: number): number {
  let hash = (0x811c9dc5 ^ seed) | 0;
  for (let i = 0; i < text.length; i += 1) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  return hash ^ (hash >>> 13);
}

/** A head's groups are searched one by one while at most this many, then by full key. */
const SMALL_CHAIN = 16;

/** An unambiguous string of the item's whole tuple (JSON quotes every part). */
const fullKey = <T>(key: TupleKey<T>, item: T) => JSON.stringify(key.map((part) => part(item)));
