import { InputError } from '../errors';

// RFC 3339 as Go's time.Time marshals it (Trivy `CreatedAt`, Grype `descriptor.timestamp`, `db.built`):
// any number of fractional digits, `Z` or a numeric offset.
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

/** Go's zero `time.Time`: what a scanner writes when it never set the field, so it means "not known". */
const GO_ZERO_TIME = /^0001-01-01[Tt]00:00:00(?:\.0+)?(?:[Zz]|[+-]00:00)$/;

/**
 * A report timestamp as UTC ISO-8601 (`2021-08-25T12:20:30.000Z`), so stored verdicts compare by string and
 * `maxScanAge` arithmetic needs no parsing of scanner-specific offsets. Empty and Go-zero values are absent;
 * anything else that is not RFC 3339 is an error, because a wrong scan time would silently defeat `maxScanAge`.
 */
export function reportTimestamp(value: string | null | undefined, source: string, path: string): string | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (text === '' || GO_ZERO_TIME.test(text)) return undefined;
  const millis = RFC3339.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(millis)) {
    throw new InputError(`expected an RFC 3339 timestamp such as 2024-01-15T08:58:29Z, got ${JSON.stringify(text.slice(0, 60))}`, {
      source,
      path,
    });
  }
  return new Date(millis).toISOString();
}
