import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import {
  CorruptItemError,
  assessmentShape,
  isPlainAssessment,
  itemToLauncher,
  itemToScan,
  itemToVerdict,
  itemToWaiter,
  launcherToItem,
  plainVerdictItem,
  scanToItem,
  verdictItemSchema,
  verdictToItem,
} from '../../functions/adapters/dynamo-items';
import { assertProperty } from '../support/property';
import { itemKeys } from '../../functions/adapters/dynamo-table';
import { itemSizeBytes } from '../../functions/adapters/item-size';
import { assessment, digestOf, verdict } from './sample-data';

const key = itemKeys.verdict(digestOf(1), 'p');
const base = { ...key, digest: digestOf(1), policyHash: 'p', scannedAt: '2026-01-01T00:00:00Z', expiresAt: 1 };

describe('verdict items', () => {
  it('compresses exactly when the plain item would pass the threshold', async () => {
    const small = verdict(digestOf(1));
    const plain = await verdictToItem(small, { compressAboveBytes: 1_000_000 });
    expect(plain).toHaveProperty('assessmentJson');
    const size = itemSizeBytes(plain);
    expect(await verdictToItem(small, { compressAboveBytes: size })).toHaveProperty('assessmentJson');
    const compressed = await verdictToItem(small, { compressAboveBytes: size - 1 });
    expect(compressed).toHaveProperty('assessmentGzip');
    expect(compressed).not.toHaveProperty('assessmentJson');
    expect(await itemToVerdict(compressed)).toEqual(small);
  });

  it('compresses a realistic 2000-finding assessment at least tenfold', async () => {
    const large = verdict(digestOf(2), { assessment: assessment(2000) });
    const item = await verdictToItem(large, { compressAboveBytes: 64 * 1024 });
    const json = Buffer.byteLength(JSON.stringify(large.assessment));
    expect((item.assessmentGzip as Uint8Array).byteLength * 10).toBeLessThan(json);
  });

  it('does not write undefined optional attributes', async () => {
    const item = await verdictToItem({ ...verdict(digestOf(3)), buildId: undefined, reportLocation: undefined }, { compressAboveBytes: 1e9 });
    expect(Object.keys(item)).not.toContain('buildId');
    expect(Object.keys(item)).not.toContain('reportLocation');
  });

  it('reports damaged verdict items', async () => {
    await expect(itemToVerdict({ ...base })).rejects.toThrow('neither assessmentJson nor assessmentGzip');
    await expect(itemToVerdict({ ...base, assessmentGzip: new Uint8Array([1, 2, 3]) })).rejects.toThrow('assessmentGzip is not valid gzip');
    await expect(itemToVerdict({ ...base, assessmentGzip: new Uint8Array(gzipSync('[1]')) })).rejects.toThrow('not an image assessment');
    await expect(itemToVerdict({ ...base, assessmentJson: '{"facts":{}}' })).rejects.toThrow(CorruptItemError);
    await expect(itemToVerdict({ ...key, assessmentJson: '{}' })).rejects.toThrow('is not a valid verdict item');
  });
});

describe('verdict items read without zod when they plainly have the schema\'s shape', () => {
  const member = fc.oneof(
    fc.jsonValue(),
    fc.constantFrom<unknown>(undefined, null, '', 'x', 0, -0, 1.5, Number.NaN, Number.POSITIVE_INFINITY, true, [], {}, [{}], [1], new Uint8Array([1]), Buffer.from('x')),
  );
  const verdictMembers = ['digest', 'policyHash', 'assessmentJson', 'assessmentGzip', 'buildId', 'reportLocation', 'scannedAt', 'expiresAt'];
  const assessmentMembers = ['facts', 'provenance', 'candidates', 'scannerSaysRoot'];
  /** A sample with some members replaced by values of every kind (or removed). */
  const varied = (sample: Record<string, unknown>, members: string[]) =>
    fc.dictionary(fc.constantFrom(...members), member, { maxKeys: 3 }).map((changes) => {
      const value: Record<string, unknown> = { ...sample, ...changes };
      for (const [name, change] of Object.entries(changes)) if (change === undefined) delete value[name];
      return value;
    });

  it('takes the items the store writes as they are', async () => {
    const item = await verdictToItem(verdict(digestOf(4)), { compressAboveBytes: 1e9 });
    expect(plainVerdictItem(item)).toBe(item);
    const compressed = await verdictToItem(verdict(digestOf(5)), { compressAboveBytes: 1 });
    expect(plainVerdictItem(compressed)).toBe(compressed);
    expect(isPlainAssessment(verdict(digestOf(4)).assessment)).toBe(true);
  });

  it('takes only what verdictItemSchema accepts, with the same members', async () => {
    const sample = await verdictToItem(verdict(digestOf(6)), { compressAboveBytes: 1e9 });
    assertProperty(
      fc.property(varied(sample, verdictMembers), (item) => {
        const taken = plainVerdictItem(item);
        if (taken === undefined) return;
        const parsed = verdictItemSchema().safeParse(item);
        expect(parsed.success).toBe(true);
        for (const name of verdictMembers) expect(taken[name as keyof typeof taken]).toEqual(parsed.data?.[name as keyof typeof taken]);
      }),
      { numRuns: 1000 },
    );
  });

  it('calls an assessment plain only when assessmentShape accepts it', () => {
    const sample = JSON.parse(JSON.stringify(verdict(digestOf(7)).assessment)) as Record<string, unknown>;
    assertProperty(
      fc.property(fc.oneof(member, varied(sample, assessmentMembers)), (value) => {
        if (isPlainAssessment(value)) expect(assessmentShape().safeParse(value).success).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('scan and waiter items', () => {
  it('reports a scan item with an unknown state or missing fields', () => {
    expect(() => itemToScan({ ...itemKeys.scan(digestOf(1)), digest: digestOf(1), state: 'paused' })).toThrow(/not a valid scan item/);
  });

  it('round-trips the count of failed attempts at finishing a scan, and reports a damaged one', () => {
    const record = { digest: digestOf(2), imageReference: `r@${digestOf(2)}`, scanId: 's', state: 'running' as const, buildId: 'p:1', attempts: 0, startedAt: 'a', deadline: 'b', finishFailures: 3 };
    const item = scanToItem(record, 99);
    expect(item.finishFailures).toBe(3);
    expect(itemToScan(item)).toEqual(record);
    expect(() => itemToScan({ ...item, finishFailures: -1 })).toThrow(/not a valid scan item/);
    expect(() => itemToScan({ ...item, finishFailures: '3' })).toThrow(/not a valid scan item/);
  });

  it('reports a waiter item without its task', () => {
    expect(() => itemToWaiter({ ...itemKeys.waiter(digestOf(1), 't'), digest: digestOf(1) })).toThrow(/not a valid waiter item/);
  });
});

describe('launcher items', () => {
  it('round-trip the principal under the task key, with the TTL', () => {
    const task = 'arn:aws:ecs:eu-west-1:123456789012:task/prod/abc';
    const item = launcherToItem(task, 'arn:aws:iam::123456789012:user/alice', 1234);
    expect(item).toMatchObject({ ...itemKeys.launcher(task), type: 'launcher', taskArn: task, expiresAt: 1234 });
    expect(itemToLauncher(item)).toBe('arn:aws:iam::123456789012:user/alice');
  });

  it('read a launcher item without a usable principal as unknown', () => {
    const task = 'arn:aws:ecs:eu-west-1:123456789012:task/prod/abc';
    expect(itemToLauncher({ ...itemKeys.launcher(task) })).toBeUndefined();
    expect(itemToLauncher({ ...itemKeys.launcher(task), principal: 42 })).toBeUndefined();
    expect(itemToLauncher({ ...itemKeys.launcher(task), principal: '' })).toBeUndefined();
  });
});
