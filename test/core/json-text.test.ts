import fc from 'fast-check';
import { parseJsonText } from '../../functions/core/json-text';
import { assertProperty } from '../support/property';

const policy = { source: 'p.json', what: 'policy' };

/** The error `parseJsonText` throws: an `InputError` with exactly this message, and the fields given. */
const inputError = (message: string, fields: Record<string, unknown> = {}) => expect.objectContaining({ name: 'InputError', message, ...fields });

describe('parseJsonText', () => {
  it('returns what JSON.parse returns for any JSON text', () => {
    assertProperty(
      fc.property(fc.json(), (text) => {
        expect(parseJsonText(text, policy)).toEqual(JSON.parse(text));
      }),
    );
  });

  it('ignores a UTF-8 byte-order mark', () => {
    expect(parseJsonText('\ufeff{"name": "x"}', policy)).toEqual({ name: 'x' });
  });

  it.each(['', ' \n\t\r', '\ufeff', '\ufeff  \n'])('says empty text %p is empty, and what was expected', (text) => {
    expect(() => parseJsonText(text, policy)).toThrow(inputError('p.json: the policy is empty; expected a JSON document', { source: 'p.json' }));
    expect(() => parseJsonText(text, { ...policy, expected: 'a fargate-gate policy' })).toThrow(inputError('p.json: the policy is empty; expected a fargate-gate policy'));
  });

  it('names the line, column and character of the first error, and what was expected there', () => {
    expect(() => parseJsonText('{\n  "name": "x",\n  "mode" "audit"\n}', policy)).toThrow(
      inputError(`p.json: the policy is not valid JSON at line 3, column 10 (character 26): expected ':' after the property name`),
    );
  });

  it('says text that stops where more JSON was required is probably truncated, and where it ends', () => {
    expect(() => parseJsonText('{\n  "rules": {\n    "rootUser": {"action": "de', policy)).toThrow(
      inputError(
        'p.json: the policy is not valid JSON: the text ends at line 3, column 31 (character 45) where the closing quote of the string was expected, ' +
          'so the file is probably truncated (an interrupted write, copy or upload)',
      ),
    );
  });

  it('counts lines and columns after a byte-order mark as an editor shows them', () => {
    expect(() => parseJsonText('\ufeff{"a": x}', policy)).toThrow(inputError('p.json: the policy is not valid JSON at line 1, column 7 (character 6): expected a JSON value'));
  });

  it('keeps the parser error as the cause', () => {
    expect(() => parseJsonText('{', policy)).toThrow(expect.objectContaining({ name: 'InputError', cause: expect.any(SyntaxError) }));
  });

  it('rejects a value that is not text, naming what was expected', () => {
    expect(() => parseJsonText(Buffer.from('{}') as unknown as string, { source: 'r.json', what: 'scan report' })).toThrow(
      inputError('r.json: expected the scan report as text, got object'),
    );
  });

  it('never quotes the text, wherever a secret stands and whatever breaks the JSON after it', () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY';
    const damage = fc.constantFrom('', 'x', ',', '}', ']', '"', '\\', ':', '{', '\n  oops', '\u0001');
    assertProperty(
      fc.property(fc.nat(), damage, fc.boolean(), (at, broken, cut) => {
        const document = JSON.stringify({ containerDefinitions: [{ name: 'app', environment: [{ name: 'AWS_SECRET_ACCESS_KEY', value: secret }] }] }, null, 2);
        const end = document.indexOf(secret) + secret.length + (at % 40);
        const text = cut ? document.slice(0, end) : `${document.slice(0, end)}${broken}${document.slice(end)}`;
        let message = '';
        try {
          parseJsonText(text, { source: 'taskdef.json', what: 'task definition' });
        } catch (error) {
          message = (error as Error).message;
        }
        // Some damage keeps the text valid JSON (a space in a string); every message that is given must not quote it.
        for (let i = 0; i + 8 <= secret.length; i += 1) expect(message).not.toContain(secret.slice(i, i + 8));
      }),
    );
  });
});
