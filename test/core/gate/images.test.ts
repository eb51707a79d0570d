import { INVALID_REFERENCE, MISSING_REFERENCE, isReferenceScanKey, planImage, referenceScanKey, reportKeyFor } from '../../../functions/core/gate/images';
import { parseImageReference } from '../../../functions/core/image/reference';

const digest = `sha256:${'c'.repeat(64)}`;
const other = `sha256:${'d'.repeat(64)}`;
const ecrTag = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/web:1.2';

describe('planImage', () => {
  it('trusts the digest ECS reports over everything else', () => {
    expect(planImage({ name: 'web', image: `${ecrTag}@${other}`, imageDigest: digest })).toMatchObject({ kind: 'pinned', digest, source: 'task' });
  });

  it('uses the reference\'s own digest when ECS reports none', () => {
    expect(planImage({ name: 'web', image: `nginx@${digest}` })).toMatchObject({ kind: 'pinned', digest, source: 'reference' });
  });

  it('ignores a reported digest that is not a sha256 manifest digest', () => {
    expect(planImage({ name: 'web', image: ecrTag, imageDigest: 'sha256:abc' })).toMatchObject({ kind: 'resolveTag' });
  });

  it('resolves ECR tags (and untagged ECR references, which mean latest) through the registry', () => {
    expect(planImage({ name: 'web', image: ecrTag })).toMatchObject({ kind: 'resolveTag' });
    expect(planImage({ name: 'web', image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/web' })).toMatchObject({ kind: 'resolveTag' });
  });

  it('scans other registries\' tags by reference under a key that is not a digest', () => {
    const plan = planImage({ name: 'web', image: 'nginx:1.25' });
    expect(plan).toMatchObject({ kind: 'byReference' });
    if (plan.kind !== 'byReference') return;
    expect(plan.scanKey).toMatch(/^ref-[0-9a-f]{64}$/);
    expect(isReferenceScanKey(plan.scanKey)).toBe(true);
    expect(isReferenceScanKey(digest)).toBe(false);
  });

  it('keys a reference by its canonical form: docker.io/library/nginx:1.25 is nginx:1.25', () => {
    expect(referenceScanKey(parseImageReference('nginx:1.25'))).toBe(referenceScanKey(parseImageReference('docker.io/library/nginx:1.25')));
    expect(referenceScanKey(parseImageReference('nginx:1.25'))).not.toBe(referenceScanKey(parseImageReference('nginx:1.26')));
  });

  it('falls back to the task definition\'s image when the event has none', () => {
    expect(planImage({ name: 'web' }, `nginx@${digest}`)).toMatchObject({ kind: 'pinned', digest });
    expect(planImage({ name: 'web' })).toEqual({ kind: 'invalid', container: 'web', error: MISSING_REFERENCE });
  });

  it('refuses an invalid reference without repeating it', () => {
    expect(planImage({ name: 'web', image: 'nginx:1.25; curl x|sh' })).toEqual({ kind: 'invalid', container: 'web', error: INVALID_REFERENCE });
  });
});

describe('reportKeyFor', () => {
  it('lays reports out like the S3 adapter: <prefix><algorithm>/<hex>/<scanId>.json', () => {
    expect(reportKeyFor('reports/', digest, 'scan-1')).toBe(`reports/sha256/${'c'.repeat(64)}/scan-1.json`);
    expect(reportKeyFor('reports', digest, 'scan-1')).toBe(`reports/sha256/${'c'.repeat(64)}/scan-1.json`);
    expect(reportKeyFor('', 'ref-ab', 'scan/../1')).toBe('ref-ab/scan_.._1.json');
  });
});
