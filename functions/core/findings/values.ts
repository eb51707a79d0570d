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
  for (const key of Object.keys(value) as Array<keyof T>) {
    if (value[key] === undefined) delete value[key];
  }
  return value;
}
