import { XMLParser, XMLValidator } from 'fast-xml-parser';

/*
 * Test-side reading of the JUnit XML. fast-xml-parser's validator checks tag structure but not XML 1.0's
 * character rules or entity names, so those are checked here by hand first.
 */

const ILLEGAL_XML_CHAR = /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;

function legalCodePoint(code: number): boolean {
  return code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
}

/** Throws with a reason when `xml` is not a well-formed XML 1.0 document. */
export function assertWellFormedXml(xml: string): void {
  const illegal = ILLEGAL_XML_CHAR.exec(xml);
  if (illegal) throw new Error(`illegal XML character U+${illegal[0].charCodeAt(0).toString(16)} at ${illegal.index}`);
  if (xml.includes(']]>')) throw new Error('"]]>" outside a CDATA section');
  for (const match of xml.matchAll(/&([^;\s]*);?/g)) {
    const [whole, name] = match;
    if (!whole.endsWith(';')) throw new Error(`bare & at ${match.index}`);
    if (['amp', 'lt', 'gt', 'quot', 'apos'].includes(name)) continue;
    const numeric = /^#(?:x([0-9a-fA-F]+)|([0-9]+))$/.exec(name);
    if (!numeric) throw new Error(`unknown entity &${name}; at ${match.index}`);
    const code = numeric[1] ? parseInt(numeric[1], 16) : parseInt(numeric[2], 10);
    if (!legalCodePoint(code)) throw new Error(`character reference to illegal character &${name};`);
  }
  const validation = XMLValidator.validate(xml);
  if (validation !== true) throw new Error(`not well-formed: ${JSON.stringify(validation.err)}`);
}

export interface ParsedCase {
  classname: string;
  name: string;
  status: 'passed' | 'failure' | 'error' | 'skipped';
  message?: string;
  type?: string;
  body?: string;
  systemOut?: string;
}

export interface ParsedSuite {
  name: string;
  counts: { tests: number; failures: number; errors: number; skipped: number };
  rootCounts: { tests: number; failures: number; errors: number; skipped: number };
  properties: Record<string, string>;
  cases: ParsedCase[];
  systemOut?: string;
}

type Node = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  textNodeName: '#text',
  htmlEntities: true,
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: false,
  isArray: (name) => ['testsuite', 'testcase', 'property', 'failure', 'error', 'skipped'].includes(name),
});

function text(node: unknown): string | undefined {
  if (node === undefined) return undefined;
  if (typeof node === 'string') return node;
  const value = (node as Node)['#text'];
  return typeof value === 'string' ? value : '';
}

function counts(node: Node) {
  return {
    tests: Number(node['@tests']),
    failures: Number(node['@failures']),
    errors: Number(node['@errors']),
    skipped: Number(node['@skipped']),
  };
}

/** Checks well-formedness, then reads the one-suite JUnit document renderJunit writes. */
export function parseJunit(xml: string): ParsedSuite {
  assertWellFormedXml(xml);
  const document = parser.parse(xml) as Node;
  const root = document.testsuites as Node;
  const suites = root.testsuite as Node[];
  if (suites.length !== 1) throw new Error(`expected one testsuite, got ${suites.length}`);
  const suite = suites[0];
  const properties: Record<string, string> = {};
  for (const property of ((suite.properties as Node | undefined)?.property as Node[] | undefined) ?? []) {
    properties[String(property['@name'])] = String(property['@value']);
  }
  const cases = ((suite.testcase as Node[] | undefined) ?? []).map((node): ParsedCase => {
    const outcome = (['failure', 'error', 'skipped'] as const).filter((tag) => node[tag] !== undefined);
    if (outcome.length > 1) throw new Error(`test case with ${outcome.join(' and ')}`);
    const status = outcome[0] ?? 'passed';
    const element = outcome[0] ? ((node[outcome[0]] as Node[])[0] as Node) : undefined;
    if (outcome[0] && (node[outcome[0]] as Node[]).length !== 1) throw new Error('more than one outcome element');
    return {
      classname: String(node['@classname']),
      name: String(node['@name']),
      status,
      message: element?.['@message'] as string | undefined,
      type: element?.['@type'] as string | undefined,
      body: element && status !== 'skipped' ? text(element) : undefined,
      systemOut: text(node['system-out']),
    };
  });
  return { name: String(suite['@name']), counts: counts(suite), rootCounts: counts(root), properties, cases, systemOut: text(suite['system-out']) };
}

/** What renderJunit promises to make of a string: XML-illegal characters as visible `\uXXXX`, all else unchanged. */
export function xmlVisible(value: string): string {
  return value.replace(new RegExp(ILLEGAL_XML_CHAR.source, 'gu'), (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
