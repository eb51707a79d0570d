/*
 * XML 1.0 escaping. Strings here come from scanner reports and image metadata, so any of them may hold
 * markup, `]]>`, or characters XML 1.0 forbids outright (most C0 controls, lone surrogates, U+FFFE/U+FFFF:
 * https://www.w3.org/TR/xml/#charsets). A forbidden character makes the whole report unparseable, so it is
 * written as a visible `\uXXXX` escape instead; the reader still sees that something odd was there.
 */

// Everything outside XML 1.0 `Char`: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
const FORBIDDEN = /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu;

function visible(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** Character data: markup characters escaped (`>` too, so `]]>` can never appear), forbidden characters made visible. */
export function escapeXmlText(text: string): string {
  return text
    .replace(FORBIDDEN, visible)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r/g, '&#13;');
}

/** Attribute value (always written in double quotes). Line breaks and tabs are character references, since a parser normalises literal ones to spaces. */
export function escapeXmlAttribute(text: string): string {
  return escapeXmlText(text).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;');
}

export function xmlAttributes(attributes: Record<string, string | number | undefined>): string {
  return Object.entries(attributes)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([name, value]) => ` ${name}="${escapeXmlAttribute(String(value))}"`)
    .join('');
}
