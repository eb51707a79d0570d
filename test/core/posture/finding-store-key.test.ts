import { createHash } from 'node:crypto';
import { FINDING_KEY_BYTES, findingStoreKey } from '../../../functions/core/posture/finding-store-key';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

describe('findingStoreKey', () => {
  it('keeps a <rule>:<id> up to the bound as it is (the keys of items written before stay the same)', () => {
    expect(findingStoreKey({ rule: 'vulnerabilities', id: 'CVE-2026-0001' })).toBe('vulnerabilities:CVE-2026-0001');
    const atBound = { rule: 'secrets', id: 'p'.repeat(FINDING_KEY_BYTES - 'secrets:'.length) };
    expect(findingStoreKey(atBound)).toBe(`secrets:${atBound.id}`);
    expect(findingStoreKey({ ...atBound, id: `${atBound.id}p` })).toContain('#sha256:');
  });

  it('hashes a long id: a readable prefix plus the SHA-256 of the whole, within the bound', () => {
    const id = `/app/${'a'.repeat(2000)}`;
    const key = findingStoreKey({ rule: 'secrets', id });
    expect(key).toBe(`secrets:/app/${'a'.repeat(63 - 'secrets:/app/'.length)}…#sha256:${sha256(`secrets:${id}`)}`);
    expect(Buffer.byteLength(key, 'utf8')).toBeLessThanOrEqual(FINDING_KEY_BYTES);
  });

  it('tells apart long ids that differ only past the prefix, and keeps the bound by bytes, not characters', () => {
    const base = '😀'.repeat(FINDING_KEY_BYTES / 4 + 1); // fewer code units than the bound, more UTF-8 bytes
    expect(base.length).toBeLessThan(FINDING_KEY_BYTES);
    const a = findingStoreKey({ rule: 'secrets', id: `${base}a` });
    const b = findingStoreKey({ rule: 'secrets', id: `${base}b` });
    expect(a).not.toBe(b);
    for (const key of [a, b]) {
      expect(Buffer.byteLength(key, 'utf8')).toBeLessThanOrEqual(FINDING_KEY_BYTES);
      expect(Buffer.from(key, 'utf8').toString('utf8')).toBe(key); // no surrogate half left by the prefix cut
    }
  });

  it('hashes a short id that looks like a hashed key, so it never stands for another finding', () => {
    const long = { rule: 'secrets', id: 'x'.repeat(FINDING_KEY_BYTES) };
    const forged = { rule: 'secrets', id: findingStoreKey(long).slice('secrets:'.length) };
    expect(findingStoreKey(forged)).not.toBe(findingStoreKey(long));
    expect(findingStoreKey(forged)).toContain(sha256(`secrets:${forged.id}`));
  });
});
