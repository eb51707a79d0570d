/**
 * DynamoDB item size by the documented rules ("DynamoDB item sizes and formats",
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html): attribute
 * name bytes plus value bytes; strings as UTF-8, binary as raw bytes, numbers one byte per two significant
 * digits plus one, null/boolean one byte, lists and maps 3 bytes plus one byte per element. Works on the
 * native JavaScript form the DocumentClient marshals, so the store can measure an item before writing it.
 */

/** DynamoDB's hard limit on one item, names and values together. */
export const MAX_ITEM_BYTES = 400 * 1024;

export function itemSizeBytes(item: Record<string, unknown>): number {
  let total = 0;
  for (const [name, value] of Object.entries(item)) {
    if (value === undefined) continue;
    total += utf8Bytes(name) + valueSize(value);
  }
  return total;
}

function valueSize(value: unknown): number {
  if (value === null || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return utf8Bytes(value);
  if (typeof value === 'number' || typeof value === 'bigint') return numberSize(String(value));
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof ArrayBuffer) return value.byteLength;
  if (value instanceof Set) {
    let size = 0;
    for (const element of value) size += valueSize(element);
    return size;
  }
  if (Array.isArray(value)) {
    let size = 3;
    for (const element of value) size += 1 + (element === undefined ? 1 : valueSize(element));
    return size;
  }
  if (typeof value === 'object') {
    let size = 3;
    for (const [name, element] of Object.entries(value as Record<string, unknown>)) {
      if (element === undefined) continue;
      size += 1 + utf8Bytes(name) + valueSize(element);
    }
    return size;
  }
  return utf8Bytes(String(value));
}

function numberSize(text: string): number {
  const digits = text.replace(/e.*$/i, '').replace(/[^0-9]/g, '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
}

function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
