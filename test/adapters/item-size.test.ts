import { MAX_ITEM_BYTES, itemSizeBytes } from '../../functions/adapters/item-size';

describe('itemSizeBytes (DynamoDB item sizes and formats)', () => {
  it('counts names and string values as UTF-8 bytes', () => {
    expect(itemSizeBytes({ pk: 'abc' })).toBe(2 + 3);
    expect(itemSizeBytes({ é: 'ü€' })).toBe(2 + 2 + 3);
  });

  it('counts numbers as one byte per two significant digits plus one', () => {
    expect(itemSizeBytes({ n: 1 })).toBe(1 + 2);
    expect(itemSizeBytes({ n: 1234 })).toBe(1 + 3);
    expect(itemSizeBytes({ n: 12345 })).toBe(1 + 4);
    expect(itemSizeBytes({ n: 1000 })).toBe(1 + 2);
    expect(itemSizeBytes({ n: 0.0015 })).toBe(1 + 2);
  });

  it('counts binary as raw bytes, null and booleans as one byte', () => {
    expect(itemSizeBytes({ b: new Uint8Array(100) })).toBe(1 + 100);
    expect(itemSizeBytes({ t: true, f: null })).toBe(2 + 2);
  });

  it('adds 3 bytes per list or map and 1 byte per element, and skips undefined attributes', () => {
    expect(itemSizeBytes({ l: [] })).toBe(1 + 3);
    expect(itemSizeBytes({ l: ['ab', 'c'] })).toBe(1 + 3 + (1 + 2) + (1 + 1));
    expect(itemSizeBytes({ m: { k: 'v' } })).toBe(1 + 3 + (1 + 1 + 1));
    expect(itemSizeBytes({ a: undefined, m: { x: undefined } })).toBe(1 + 3);
  });

  it('knows the 400 KB limit', () => {
    expect(MAX_ITEM_BYTES).toBe(409600);
  });
});
