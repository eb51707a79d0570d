/**
 * Resource tags as ECS hands them around (`[{ "key", "value" }]`: DescribeTaskDefinition output with
 * `include: ["TAGS"]`, RegisterTaskDefinition input), as a key → value record. Tags never decide admission, they
 * only name owners in notices, so a list the gate cannot read is left out rather than refused, and a hostile one is
 * held to ECS's own limits (API_Tag: at most 50 tags, keys up to 128 characters, values up to 256): what is beyond
 * is dropped, never stored or sent on.
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Tag.html
 */
export const MAX_TAGS = 50;
export const MAX_TAG_KEY_LENGTH = 128;
export const MAX_TAG_VALUE_LENGTH = 256;

export function readResourceTags(value: unknown): Record<string, string> | undefined {
  if (!Array.isArray(value)) return undefined;
  const tags: Record<string, string> = {};
  let count = 0;
  for (const entry of value) {
    if (count >= MAX_TAGS) break;
    if (entry === null || typeof entry !== 'object') continue;
    const { key, value: tagValue } = entry as { key?: unknown; value?: unknown };
    if (typeof key !== 'string' || key === '' || key.length > MAX_TAG_KEY_LENGTH) continue;
    const text = tagValue === undefined || tagValue === null ? '' : tagValue;
    if (typeof text !== 'string' || text.length > MAX_TAG_VALUE_LENGTH || Object.hasOwn(tags, key)) continue;
    Object.defineProperty(tags, key, { value: text, enumerable: true, writable: true, configurable: true });
    count += 1;
  }
  return count > 0 ? tags : undefined;
}

/** The same limits on a record already read (an inventory item, a use given to a store): what is beyond is dropped. */
export function boundTags(value: unknown): Record<string, string> | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  return readResourceTags(Object.entries(value).map(([key, tagValue]) => ({ key, value: tagValue })));
}
