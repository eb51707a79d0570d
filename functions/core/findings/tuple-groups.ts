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

/**
 * Groups items with equal tuples, in one pass (what `TupleMap` gives, without a value, a bucket or a tuple array per
 * item). A large report's findings are nearly all alone in their tuple, and grouping them was, with the garbage
 * collection its allocations caused, the largest part of the engine's time after `JSON.parse`: an item whose head no
 * other item has costs one Map entry holding a number. Items sharing a head are told apart by comparing their parts
 * one by one with the group's first item (never a joined string, so no separator can merge two tuples); a head shared
 * by many tuples (hostile input: thousands of versions of one package) is indexed by full keys, so every item stays
 * constant time.
 */
export function groupTuples<T>(items: readonly T[], key: TupleKey<T>): TupleGroups {
  const head = key[0];
  const heads = new Map<string, number | Bucket>();
  const groupOf = new Int32Array(items.length);
  // At most one group per item: fixed-size arrays, never grown.
  const sizes = new Int32Array(items.length);
  /** The first item of each group: the one later items of its head are compared with. */
  const firstItem = new Int32Array(items.length);
  let groups = 0;
  const newGroup = (index: number): number => {
    sizes[groups] = 1;
    firstItem[groups] = index;
    return groups++;
  };
  const same = (a: T, b: T): boolean => {
    for (let part = 1; part < key.length; part += 1) if (key[part](a) !== key[part](b)) return false;
    return true;
  };
  for (let i = 0; i < items.length; i += 1) {
    const item = items[i];
    const name = head(item);
    const slot = heads.get(name);
    if (slot === undefined) {
      const group = newGroup(i);
      heads.set(name, group);
      groupOf[i] = group;
      continue;
    }
    // The group of an earlier item with this tuple, if there is one.
    let found: number | undefined;
    if (typeof slot === 'number') {
      if (same(items[firstItem[slot]], item)) found = slot;
    } else if (slot.indexed !== undefined) {
      found = slot.indexed.get(fullKey(key, item));
    } else {
      for (const candidate of slot.groups) {
        if (same(items[firstItem[candidate]], item)) {
          found = candidate;
          break;
        }
      }
    }
    if (found !== undefined) {
      sizes[found] += 1;
      groupOf[i] = found;
      continue;
    }
    const group = newGroup(i);
    groupOf[i] = group;
    if (typeof slot === 'number') {
      heads.set(name, { groups: [slot, group] });
    } else if (slot.indexed !== undefined) {
      slot.indexed.set(fullKey(key, item), group);
    } else {
      slot.groups.push(group);
      if (slot.groups.length > SMALL_BUCKET) {
        slot.indexed = new Map(slot.groups.map((g): [string, number] => [fullKey(key, items[firstItem[g]]), g]));
        slot.groups = [];
      }
    }
  }
  return { groupOf, sizes: sizes.subarray(0, groups) };
}

/** The groups whose tuples share one head: listed while few, then indexed by full key. */
interface Bucket {
  groups: number[];
  indexed?: Map<string, number>;
}

const SMALL_BUCKET = 16;

/** An unambiguous string of the item's whole tuple (JSON quotes every part). */
const fullKey = <T>(key: TupleKey<T>, item: T) => JSON.stringify(key.map((part) => part(item)));
