import fc from 'fast-check';
import { assertProperty } from '../../support/property';
import { groupTuples, hashedHeadIndex, hashOf, headIndex, mapHeadIndex, type TupleKey } from '../../../functions/core/findings/tuple-groups';
import { TupleMap } from '../../../functions/core/findings/tuple-map';

/** Items that are their own tuple (every item of a test has the same length). */
const byArray = (length: number): TupleKey<readonly string[]> => [(item) => item[0], ...Array.from({ length: length - 1 }, (_, i) => (item: readonly string[]) => item[i + 1])];

describe('groupTuples', () => {
  it('numbers groups in order of their first item and counts the items of each, telling tuples apart by every part', () => {
    const items = [
      ['openssl', '1.0', 't'],
      ['zlib', '1.0', 't'],
      ['openssl', '1.0', 't'],
      ['openssl', '1.1', 't'],
      ['openssl', '1.0', 'u'],
      ['openssl', '1.0', 't'],
      ['openssl', '1.0', 'u'],
    ];
    const { groupOf, sizes } = groupTuples(items, byArray(3));
    expect([...groupOf]).toEqual([0, 1, 0, 2, 3, 0, 3]);
    expect([...sizes]).toEqual([3, 1, 1, 2]);
  });

  it('reads the other parts only of items whose head another item has', () => {
    const asked: string[] = [];
    const key: TupleKey<readonly string[]> = [(item) => item[0], (item) => (asked.push(item.join('/')), item[1])];
    groupTuples([['a', '1'], ['b', '1'], ['a', '2'], ['c', '1']], key);
    expect([...new Set(asked)].sort()).toEqual(['a/1', 'a/2']);
  });

  it('never joins parts: tuples a separator would have made one key stay two', () => {
    const { sizes } = groupTuples([['a', 'b\u0000c', 'd'], ['a', 'b', '\u0000c\u0000d'], ['a', 'b\u0000c\u0000d', '']], byArray(3));
    expect([...sizes]).toEqual([1, 1, 1]);
  });

  it('keeps every tuple of one head apart before and after its bucket grows into an index (hostile: thousands of versions of one package)', () => {
    const versions = Array.from({ length: 2_000 }, (_, i) => ['pkg', `1.${i}`]);
    // Each version twice, the second pass after the bucket is indexed; then a version JSON quoting must keep apart.
    const { groupOf, sizes } = groupTuples([...versions, ...versions, ['pkg', '1.0","x']], byArray(2));
    expect([...sizes]).toEqual([...versions.map(() => 2), 1]);
    versions.forEach((_, i) => {
      expect(groupOf[i]).toBe(i);
      expect(groupOf[versions.length + i]).toBe(i);
    });
    expect(groupOf[2 * versions.length]).toBe(versions.length);
  });

  it('groups exactly as TupleMap keys (the grouping the engine had before): one group per distinct tuple, in order of first item', () => {
    // Few distinct parts, so heads and whole tuples repeat; NUL and quotes, so a joined or quoted key would show; and a
    // head with many tuples, so buckets grow into their index.
    const part = fc.constantFrom('', 'a', 'b', 'a\u0000b', '"', '\u0000', 'a","b');
    const hostileHead = fc.integer({ min: 0, max: 40 }).map((n) => ['pkg', `1.${n}`, 't']);
    const tuple = fc.oneof(fc.tuple(part, part, part), hostileHead);
    assertProperty(
      fc.property(fc.array(tuple, { maxLength: 120 }), (items) => {
        const map = new TupleMap<number>();
        let made = 0;
        const expected = items.map((item) => map.getOrCreate(item, () => made++));
        const { groupOf, sizes } = groupTuples(items, byArray(3));
        expect([...groupOf]).toEqual(expected);
        expect([...sizes]).toEqual(Array.from({ length: made }, (_, g) => expected.filter((group) => group === g).length));
      }),
      { numRuns: 300 },
    );
  });
});

describe('headIndex without a Map (large item lists)', () => {
  const self = (name: string) => name;

  it('gives each item the first item of its head, exactly as the Map does, for any seed', () => {
    assertProperty(
      fc.property(fc.array(fc.string({ maxLength: 4 }), { minLength: 256, maxLength: 900 }), fc.integer(), (names, seed) => {
        const expected = [...mapHeadIndex(names, self)];
        expect([...headIndex(names, self)]).toEqual(expected);
        expect([...(hashedHeadIndex(names, self, seed) ?? [])]).toEqual(expected);
      }),
      { numRuns: 60 },
    );
  });

  it('gives up for heads made to collide (the probes of a linear budget spent), and headIndex then answers through the Map', () => {
    // 600 distinct names that all hash to one slot of the 2,048-slot table under seed 0.
    const names: string[] = [];
    for (let i = 0; names.length < 600; i += 1) if ((hashOf(`p${i}`, 0) & 2047) === 7) names.push(`p${i}`);
    const items = [...names, ...names];
    expect(hashedHeadIndex(items, self, 0)).toBeUndefined();
    expect([...headIndex(items, self)]).toEqual([...mapHeadIndex(items, self)]);
    expect([...headIndex(items, self)].slice(600)).toEqual(names.map((_, i) => i));
  });
});
