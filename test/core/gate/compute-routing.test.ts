import { effectiveThreshold, initialScanCompute, readImageSize, recordComputeOf } from '../../../functions/core/gate/compute-routing';
import { DEFAULT_EC2_ABOVE_IMAGE_BYTES, MAX_EC2_ABOVE_IMAGE_BYTES, MIN_EC2_ABOVE_IMAGE_BYTES, isValidEc2AboveImageBytes } from '../../../functions/core/gate/ec2-above-image-bytes';

const GIB = 1024 ** 3;

describe('readImageSize', () => {
  it.each([
    ['no size', undefined, { kind: 'unknown' }],
    ['null', null, { kind: 'unknown' }],
    ['zero bytes', 0, { kind: 'bytes', bytes: 0 }],
    ['a size', 123_456_789, { kind: 'bytes', bytes: 123_456_789 }],
    ['the largest exact integer', Number.MAX_SAFE_INTEGER, { kind: 'bytes', bytes: Number.MAX_SAFE_INTEGER }],
  ])('%s reads as %j', (_what, value, expected) => {
    expect(readImageSize(value)).toEqual(expected);
  });

  it.each([
    ['negative', -1, '-1'],
    ['NaN', Number.NaN, 'NaN'],
    ['Infinity', Number.POSITIVE_INFINITY, 'Infinity'],
    ['fractional', 1.5, '1.5'],
    ['past 2^53 (a long JSON parse cannot hold exactly)', 2 ** 60, String(2 ** 60)],
    ['a string', '3000000000', '"3000000000"'],
    ['a boolean', true, 'boolean'],
    ['an object', { bytes: 1 }, 'object'],
  ])('%s is unusable', (_what, value, shown) => {
    expect(readImageSize(value)).toEqual({ kind: 'unusable', value: shown });
  });

  it('clips a long unusable value in what it says', () => {
    const reading = readImageSize('x'.repeat(10_000));
    expect(reading.kind).toBe('unusable');
    expect(reading.kind === 'unusable' && reading.value.length).toBeLessThanOrEqual(41);
  });
});

describe('initialScanCompute', () => {
  const over = { kind: 'bytes', bytes: DEFAULT_EC2_ABOVE_IMAGE_BYTES + 1 } as const;

  it.each([
    ['an image just over the default threshold', over, undefined, 'ec2Fallback', 'size'],
    ['an image exactly at the threshold', { kind: 'bytes', bytes: DEFAULT_EC2_ABOVE_IMAGE_BYTES }, undefined, 'scanProject', 'under-threshold'],
    ['a small image', { kind: 'bytes', bytes: 80 * 1024 * 1024 }, undefined, 'scanProject', 'under-threshold'],
    ['an empty image', { kind: 'bytes', bytes: 0 }, undefined, 'scanProject', 'under-threshold'],
    ['a huge image (100 TiB)', { kind: 'bytes', bytes: 100 * 1024 * GIB }, undefined, 'ec2Fallback', 'size'],
    ['an unknown size', { kind: 'unknown' }, undefined, 'scanProject', 'size-unknown'],
    ['an unusable size', { kind: 'unusable', value: '-1' }, undefined, 'scanProject', 'size-unusable'],
    ['3 GiB under a 4 GiB setting', { kind: 'bytes', bytes: 3 * GIB }, 4 * GIB, 'scanProject', 'under-threshold'],
    ['3 GiB over a 1 GiB setting', { kind: 'bytes', bytes: 3 * GIB }, GIB, 'ec2Fallback', 'size'],
    ['1 GiB under a damaged (negative) setting, which falls back to the default', { kind: 'bytes', bytes: GIB }, -5, 'scanProject', 'under-threshold'],
    ['1 GiB under a damaged (zero) setting', { kind: 'bytes', bytes: GIB }, 0, 'scanProject', 'under-threshold'],
    ['1 GiB under a NaN setting', { kind: 'bytes', bytes: GIB }, Number.NaN, 'scanProject', 'under-threshold'],
  ] as const)('%s starts on %s (%s) with a fallback project', (_what, size, thresholdBytes, compute, reason) => {
    const decision = initialScanCompute({ size, fallbackAvailable: true, ...(thresholdBytes !== undefined ? { thresholdBytes } : {}) });
    expect(decision).toMatchObject({ compute, reason });
  });

  it('says the size and the threshold in force when it routes by size', () => {
    expect(initialScanCompute({ size: { kind: 'bytes', bytes: 3 * GIB }, fallbackAvailable: true, thresholdBytes: GIB })).toEqual({
      compute: 'ec2Fallback',
      reason: 'size',
      bytes: 3 * GIB,
      thresholdBytes: GIB,
    });
  });

  it('keeps every scan on the scan project without a fallback project, and an SBOM re-judgement whatever the size', () => {
    expect(initialScanCompute({ size: over, fallbackAvailable: false })).toEqual({ compute: 'scanProject', reason: 'no-fallback' });
    expect(initialScanCompute({ size: over, fallbackAvailable: true, mode: 'sbom' })).toEqual({ compute: 'scanProject', reason: 'sbom' });
    expect(initialScanCompute({ size: over, fallbackAvailable: true, mode: 'image' })).toMatchObject({ compute: 'ec2Fallback' });
  });

  it('reads a registry value end to end: hostile sizes never route, a real one does', () => {
    const route = (value: unknown) => initialScanCompute({ size: readImageSize(value), fallbackAvailable: true }).compute;
    expect([-3 * GIB, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 64, '9999999999999', 3.5 * GIB + 0.5].map(route)).toEqual(Array(6).fill('scanProject'));
    expect(route(3 * GIB)).toBe('ec2Fallback');
  });
});

describe('the threshold setting', () => {
  it('is 2 GiB by default, within its bounds', () => {
    expect(DEFAULT_EC2_ABOVE_IMAGE_BYTES).toBe(2_147_483_648);
    expect(isValidEc2AboveImageBytes(DEFAULT_EC2_ABOVE_IMAGE_BYTES)).toBe(true);
  });

  it.each([
    [MIN_EC2_ABOVE_IMAGE_BYTES, true],
    [MAX_EC2_ABOVE_IMAGE_BYTES, true],
    [MIN_EC2_ABOVE_IMAGE_BYTES - 1, false],
    [MAX_EC2_ABOVE_IMAGE_BYTES + 1, false],
    [0, false],
    [-GIB, false],
    [1.5 * GIB + 0.25, false],
    [Number.NaN, false],
    [Number.POSITIVE_INFINITY, false],
  ])('%d is valid: %s', (value, valid) => {
    expect(isValidEc2AboveImageBytes(value)).toBe(valid);
    expect(effectiveThreshold(value)).toBe(valid ? value : DEFAULT_EC2_ABOVE_IMAGE_BYTES);
  });

  it('maps a decision to the record: ec2Fallback, or nothing for the scan project', () => {
    expect(recordComputeOf({ compute: 'ec2Fallback', reason: 'size', bytes: 3, thresholdBytes: 2 })).toBe('ec2Fallback');
    expect(recordComputeOf({ compute: 'scanProject', reason: 'size-unknown' })).toBeUndefined();
  });
});
