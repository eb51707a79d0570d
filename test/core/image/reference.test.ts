import fc from 'fast-check';
import { InputError } from '../../../functions/core/errors';
import {
  formatImageReference,
  isSha256Digest,
  parseImageReference,
  pinnedReference,
} from '../../../functions/core/image/reference';
import { assertProperty } from '../../support/property';

const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('parseImageReference', () => {
  it.each([
    ['nginx', { registry: 'docker.io', repository: 'library/nginx' }],
    ['nginx:1.27', { registry: 'docker.io', repository: 'library/nginx', tag: '1.27' }],
    ['index.docker.io/bitnami/redis:7', { registry: 'docker.io', repository: 'bitnami/redis', tag: '7' }],
    ['ghcr.io/org/team/app:v1.2.3', { registry: 'ghcr.io', repository: 'org/team/app', tag: 'v1.2.3' }],
    ['localhost:5000/app', { registry: 'localhost:5000', repository: 'app' }],
    ['localhost/app', { registry: 'localhost', repository: 'app' }],
    ['registry.example.com:8443/a/b_c/d.e/f--g:latest', { registry: 'registry.example.com:8443', repository: 'a/b_c/d.e/f--g', tag: 'latest' }],
    ['[::1]:5000/app:x', { registry: '[::1]:5000', repository: 'app', tag: 'x' }],
    [`public.ecr.aws/nginx/nginx@${DIGEST}`, { registry: 'public.ecr.aws', repository: 'nginx/nginx', digest: DIGEST }],
    [`quay.io/prometheus/node-exporter:v1.8.0@${DIGEST}`, { registry: 'quay.io', repository: 'prometheus/node-exporter', tag: 'v1.8.0', digest: DIGEST }],
  ])('%s', (input, expected) => {
    const parsed = parseImageReference(input);
    expect(parsed).toEqual({ original: input, ...expected });
    expect(parsed.ecr).toBeUndefined();
  });

  it.each([
    ['registry-1.docker.io/library/busybox:1.36', 'library/busybox'],
    ['registry-1.docker.io/busybox:1.36', 'library/busybox'],
    ['index.docker.io/busybox:1.36', 'library/busybox'],
    ['Index.Docker.IO/busybox:1.36', 'library/busybox'],
    ['REGISTRY-1.DOCKER.IO/bitnami/redis:1.36', 'bitnami/redis'],
    ['docker.io/busybox:1.36', 'library/busybox'],
  ])('normalises the Docker Hub alias in %s to docker.io (the names moby\'s registry package treats as Docker Hub)', (input, repository) => {
    const parsed = parseImageReference(input);
    expect(parsed).toMatchObject({ original: input, registry: 'docker.io', repository });
    expect(formatImageReference(parsed)).toBe(`docker.io/${repository}:1.36`);
  });

  it('compares registry hosts without case (DNS names are case-insensitive), keeping the port', () => {
    expect(parseImageReference('GHCR.io/org/app:1').registry).toBe('ghcr.io');
    expect(parseImageReference('Registry.Example.com:5000/app').registry).toBe('registry.example.com:5000');
    expect(parseImageReference('123456789012.DKR.ECR.eu-west-1.amazonaws.com/app:1').ecr).toEqual({ accountId: '123456789012', region: 'eu-west-1', fips: false });
    // A Docker Hub host with a port is a different endpoint, not an alias.
    expect(parseImageReference('registry-1.docker.io:5000/app').registry).toBe('registry-1.docker.io:5000');
  });

  it('parses ECR references: account, region, FIPS endpoints and the China partition', () => {
    expect(parseImageReference('123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app:1.0')).toMatchObject({
      registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
      repository: 'team/app',
      tag: '1.0',
      ecr: { accountId: '123456789012', region: 'eu-west-1', fips: false },
    });
    expect(parseImageReference(`111122223333.dkr.ecr-fips.us-gov-west-1.amazonaws.com/app@${DIGEST}`).ecr).toEqual({
      accountId: '111122223333',
      region: 'us-gov-west-1',
      fips: true,
    });
    expect(parseImageReference('111122223333.dkr.ecr.cn-north-1.amazonaws.com.cn/app:1').ecr).toEqual({
      accountId: '111122223333',
      region: 'cn-north-1',
      fips: false,
    });
    // Look-alikes are not ECR: the gate must never call DescribeImages for them.
    expect(parseImageReference('123456789012.dkr.ecr.eu-west-1.amazonaws.com.evil.example/app:1').ecr).toBeUndefined();
    expect(parseImageReference('12345678901.dkr.ecr.eu-west-1.amazonaws.com/app:1').ecr).toBeUndefined();
  });

  it.each([
    ['', 'non-empty'],
    ['UP_PER/app', 'registry host'],
    ['-bad.example.com/app', 'registry host'],
    ['app:', 'tag'],
    ['app:-leading-dash', 'tag'],
    [`app:${'t'.repeat(129)}`, 'tag'],
    ['app@sha256:abc', 'digest'],
    [`app@sha256:${'A'.repeat(64)}`, 'sha256'],
    [`app@sha256:${'a'.repeat(63)}`, 'sha256'],
    ['app@', 'digest'],
    ['/app', 'path component'],
    ['app/', 'path component'],
    ['a//b', 'path component'],
    ['Registry.example.com/App', 'path component'],
    ['example.com/-app', 'path component'],
    ['example.com/app_', 'path component'],
    [`example.com/${'a'.repeat(250)}`, 'longer than 255'],
  ])('rejects %j (%s)', (input, fragment) => {
    expect(() => parseImageReference(input)).toThrow(InputError);
    expect(() => parseImageReference(input)).toThrow(fragment);
  });

  it.each([null, undefined, 42, {}, ['nginx']])('rejects the non-string %p', (input) => {
    expect(() => parseImageReference(input)).toThrow('image reference must be a non-empty string');
  });

  it.each(['app;rm -rf /', 'app:$(id)', 'app:`id`', 'app name', 'app\nnext', 'app:1|sh', 'app:1&&x', "app:1'", 'app:1"', 'app>out', 'app:${HOME}'])(
    'rejects shell metacharacters: %j',
    (input) => {
      expect(() => parseImageReference(input)).toThrow(InputError);
    },
  );

  it('quotes at most 300 characters of a rejected reference in its message', () => {
    const error = (() => {
      try {
        parseImageReference(`${'x'.repeat(2000)};`);
      } catch (caught) {
        return caught as Error;
      }
      return undefined;
    })();
    expect(error?.message.length).toBeLessThan(400);
  });
});

describe('image reference properties', () => {
  const component = fc.stringMatching(/^[a-z0-9]+(?:[._-][a-z0-9]+)?$/).filter((s) => s.length <= 20);
  const host = fc.constantFrom('ghcr.io', 'registry.example.com:5000', '123456789012.dkr.ecr.us-east-1.amazonaws.com', 'localhost:5000');
  const tag = fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}$/);
  const digest = fc.stringMatching(/^[0-9a-f]{64}$/).map((hex) => `sha256:${hex}`);

  it('every valid reference parses, and its canonical form parses to the same parts', () => {
    assertProperty(
      fc.property(host, fc.array(component, { minLength: 1, maxLength: 4 }), fc.option(tag), fc.option(digest), (registry, path, t, d) => {
        const input = `${registry}/${path.join('/')}${t === null ? '' : `:${t}`}${d === null ? '' : `@${d}`}`;
        const parsed = parseImageReference(input);
        expect(parsed.registry).toBe(registry);
        expect(parsed.repository).toBe(path.join('/'));
        expect(parsed.tag).toBe(t ?? undefined);
        expect(parsed.digest).toBe(d ?? undefined);
        const again = parseImageReference(formatImageReference(parsed));
        expect({ ...again, original: '' }).toEqual({ ...parsed, original: '' });
      }),
    );
  });

  it('any string either parses or is an InputError, and a parsed reference never holds a shell metacharacter', () => {
    assertProperty(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (input) => {
        let parsed;
        try {
          parsed = parseImageReference(input);
        } catch (error) {
          expect(error).toBeInstanceOf(InputError);
          return;
        }
        expect(formatImageReference(parsed)).not.toMatch(/[\s;|&$`'"<>(){}\\*?!#~]/);
      }),
      { numRuns: 2000 },
    );
  });

  it('pins a reference by digest without its tag', () => {
    assertProperty(
      fc.property(host, component, tag, digest, (registry, repo, t, d) => {
        const pinned = pinnedReference(parseImageReference(`${registry}/${repo}:${t}`), d);
        expect(pinned).toBe(`${registry}/${repo}@${d}`);
        expect(parseImageReference(pinned).digest).toBe(d);
      }),
    );
  });
});

describe('isSha256Digest', () => {
  it.each([
    [DIGEST, true],
    [`sha256:${'0'.repeat(64)}`, true],
    [`sha256:${'A'.repeat(64)}`, false],
    [`sha256:${'a'.repeat(65)}`, false],
    [`sha512:${'a'.repeat(128)}`, false],
    ['', false],
    [undefined, false],
    [42, false],
  ])('%p → %p', (value, expected) => {
    expect(isSha256Digest(value)).toBe(expected);
  });
});
