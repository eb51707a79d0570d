import { parseImageReference } from '../../functions/core/image/reference';
import { FakeRegistry } from '../../functions/local/ecr';
import { ImageCatalog } from '../../functions/local/backend';
import { REGISTRY, digestOf } from './helpers';

describe('FakeRegistry', () => {
  it('resolves ECR tags to the digest they name now, and moves a tag on a new push', async () => {
    const registry = new FakeRegistry();
    expect(registry.push(`${REGISTRY}/shop/api:1.0`, digestOf('1'))).toEqual({});
    expect(await registry.resolveDigest(parseImageReference(`${REGISTRY}/shop/api:1.0`))).toEqual({ digest: digestOf('1') });
    expect(registry.push(`${REGISTRY}/shop/api:1.0`, digestOf('2'))).toEqual({ previousDigest: digestOf('1') });
    expect(await registry.resolveDigest(parseImageReference(`${REGISTRY}/shop/api:1.0`))).toEqual({ digest: digestOf('2') });
    expect(registry.currentDigest(`${REGISTRY}/shop/api@${digestOf('1')}`)).toBe(digestOf('1'));
    expect(await registry.resolveDigest(parseImageReference(`${REGISTRY}/shop/api:9.9`))).toBeUndefined();
  });

  it('stamps each image with its first push, as imagePushedAt: a re-tag keeps it', async () => {
    let now = new Date('2026-01-05T09:00:00Z');
    const registry = new FakeRegistry(undefined, () => now);
    registry.push(`${REGISTRY}/shop/api:1.0`, digestOf('1'));
    now = new Date('2026-01-05T10:00:00Z');
    registry.push(`${REGISTRY}/shop/api:1.0`, digestOf('2'));
    expect(await registry.resolveDigest(parseImageReference(`${REGISTRY}/shop/api:1.0`))).toEqual({ digest: digestOf('2'), pushedAt: '2026-01-05T10:00:00.000Z' });
    now = new Date('2026-01-05T11:00:00Z');
    registry.push(`${REGISTRY}/shop/api:1.0`, digestOf('1'));
    expect(await registry.resolveDigest(parseImageReference(`${REGISTRY}/shop/api:1.0`))).toEqual({ digest: digestOf('1'), pushedAt: '2026-01-05T09:00:00.000Z' });
  });

  it('answers only for ECR, as DescribeImages does', async () => {
    const registry = new FakeRegistry();
    registry.push('ghcr.io/acme/tool:1', digestOf('3'));
    expect(await registry.resolveDigest(parseImageReference('ghcr.io/acme/tool:1'))).toBeUndefined();
  });
});

describe('ImageCatalog', () => {
  it('resolves images outside ECR by name, and gives scan outcomes by digest', () => {
    const catalog = new ImageCatalog(new FakeRegistry());
    catalog.declare('nginx:1.27', digestOf('4'), { error: 'boom' });
    expect(catalog.resolve('docker.io/library/nginx:1.27')).toBe(digestOf('4'));
    expect(catalog.resolve(`nginx@${digestOf('4')}`)).toBe(digestOf('4'));
    expect(catalog.resolve('not a reference')).toBeUndefined();
    expect(catalog.outcomeFor({ scanId: 's', digest: 'ref-x', imageReference: 'nginx:1.27', reportKey: 'k' })).toEqual({ error: 'boom', digest: digestOf('4') });
    expect(catalog.outcomeFor({ scanId: 's', digest: digestOf('5'), imageReference: 'nginx:1.27', reportKey: 'k' })).toBeUndefined();
  });
});
