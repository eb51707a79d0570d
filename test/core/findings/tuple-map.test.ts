import { TupleMap } from '../../../functions/core/findings/tuple-map';

describe('TupleMap', () => {
  it('keeps one value per tuple, made once, and tells tuples apart by every part', () => {
    const map = new TupleMap<{ n: number }>();
    let made = 0;
    const make = () => ({ n: ++made });
    const a = map.getOrCreate(['openssl', '1.0', 't'], make);
    expect(map.getOrCreate(['openssl', '1.0', 't'], make)).toBe(a);
    expect(map.getOrCreate(['openssl', '1.1', 't'], make)).not.toBe(a);
    expect(map.getOrCreate(['zlib', '1.0', 't'], make)).not.toBe(a);
    expect(made).toBe(3);
  });

  it('never joins parts: tuples a separator would have made one key stay two', () => {
    const map = new TupleMap<string>();
    const first = map.getOrCreate(['a\u0000b', 'c'], () => 'first');
    const second = map.getOrCreate(['a', 'b\u0000c'], () => 'second');
    const third = map.getOrCreate(['a', 'b\u0000c'.slice(0, 1), '\u0000c'], () => 'third');
    expect([first, second, third]).toEqual(['first', 'second', 'third']);
  });

  it('finds every tuple of one first part before and after its bucket grows into an index (hostile: thousands of versions of one package)', () => {
    const map = new TupleMap<number>();
    const versions = Array.from({ length: 2_000 }, (_, i) => `1.${i}`);
    versions.forEach((version, i) => expect(map.getOrCreate(['pkg', version], () => i)).toBe(i));
    versions.forEach((version, i) => expect(map.getOrCreate(['pkg', version], () => -1)).toBe(i));
    // JSON quoting keeps the index unambiguous too.
    expect(map.getOrCreate(['pkg', '1.0","x'], () => -2)).toBe(-2);
  });
});
