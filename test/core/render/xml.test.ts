import fc from 'fast-check';
import { escapeXmlAttribute, escapeXmlText, xmlAttributes } from '../../../functions/core/render/xml';
import { assertWellFormedXml, parseJunit, xmlVisible } from './junit-xml';
import { assertProperty } from '../../support/property';

describe('escapeXmlText', () => {
  it.each([
    ['a < b && c > d', 'a &lt; b &amp;&amp; c &gt; d'],
    [']]>', ']]&gt;'],
    ['nul\u0000 esc\u001b', 'nul\\u0000 esc\\u001b'],
    ['lone \ud800 high, lone \udc00 low', 'lone \\ud800 high, lone \\udc00 low'],
    ['\ufffe\uffff', '\\ufffe\\uffff'],
    ['keeps\ttab\nand newline', 'keeps\ttab\nand newline'],
    ['carriage\rreturn', 'carriage&#13;return'],
    ['pair 💥 kept', 'pair 💥 kept'],
    ['&amp; already escaped', '&amp;amp; already escaped'],
  ])('%j -> %j', (input, expected) => {
    expect(escapeXmlText(input)).toBe(expected);
  });
});

describe('escapeXmlAttribute', () => {
  it('escapes quotes and keeps line breaks and tabs as character references', () => {
    expect(escapeXmlAttribute(`say "hi" it's\n\tfine\r`)).toBe('say &quot;hi&quot; it&apos;s&#10;&#9;fine&#13;');
  });
});

describe('xmlAttributes', () => {
  it('writes defined attributes in order and leaves undefined ones out', () => {
    expect(xmlAttributes({ name: 'a&b', skip: undefined, tests: 3 })).toBe(' name="a&amp;b" tests="3"');
  });
});

describe('XML escaping round trip', () => {
  it('any string survives text and attribute positions, with only XML-illegal characters made visible', () => {
    assertProperty(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), fc.string({ unit: fc.constantFrom('<', '&', '\u0000', '\ud800', '\r', '\n', '\t', '"', "'", ']', '>'), maxLength: 20 }), (a, b) => {
        const value = a + b + a;
        const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites tests="1" failures="1" errors="0" skipped="0"><testsuite name="${escapeXmlAttribute(value)}" tests="1" failures="1" errors="0" skipped="0"><testcase classname="c" name="n"><failure message="${escapeXmlAttribute(value)}">${escapeXmlText(value)}</failure></testcase></testsuite></testsuites>`;
        assertWellFormedXml(xml);
        const suite = parseJunit(xml);
        expect(suite.name).toBe(xmlVisible(value));
        expect(suite.cases[0].message).toBe(xmlVisible(value));
        expect(suite.cases[0].body).toBe(xmlVisible(value));
      }),
      { numRuns: 300 },
    );
  });
});
