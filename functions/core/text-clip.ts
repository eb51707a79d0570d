/**
 * Cutting text to a length without splitting a character: a lone surrogate half is not valid UTF-8, so whatever
 * stores or sends the text (StopTask's reason, a DynamoDB item, an event) would get a replacement character or a
 * rejection instead. Shared by core modules of every area (gate/stop-reason.ts, posture/open-findings.ts).
 */

/** At most `max` UTF-16 code units, never splitting a surrogate pair; a cut string ends with an ellipsis. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, Math.max(0, max - 1));
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return `${cut}…`;
}
