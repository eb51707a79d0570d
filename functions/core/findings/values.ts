/** A report string that means something: Go writes unset strings as `""`, so blank is absent. */
export function nonBlank(value: string | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
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
