/** A report string that means something: Go writes unset strings as `""`, so blank is absent. */
export function nonBlank(value: string | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  // A string that starts and ends with a printable ASCII character (no whitespace among them) is its own trim: most
  // report strings, read several times per finding, need no call to trim.
  if (value.length > 0 && isPrintableAscii(value.charCodeAt(0)) && isPrintableAscii(value.charCodeAt(value.length - 1))) return value;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

/** `!` to `~`: none is whitespace to `String.prototype.trim`. */
function isPrintableAscii(code: number): boolean {
  return code > 0x20 && code < 0x7f;
}

/**
 * The object without its undefined-valued keys: findings are stored (DynamoDB rejects undefined) and
 * compared in tests, and an absent key says "the report did not say" more plainly than `key: undefined`.
 */
export function defined<T extends object>(value: T): T {
  // Checked without listing the keys first: findings are built by the thousand and most have no undefined key.
  let complete = true;
  for (const key in value) {
    if (value[key] === undefined && Object.hasOwn(value, key)) {
      complete = false;
      break;
    }
  }
  if (complete) return value;
  const keys = Object.keys(value) as Array<keyof T>;
  // A copy rather than `delete`: deleting a key turns the object into a slow dictionary for every later read, and
  // the findings are read over and over by the rules.
  const out = {} as T;
  for (const key of keys) if (value[key] !== undefined) out[key] = value[key];
  return out;
}
