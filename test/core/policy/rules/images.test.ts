import { parseImageReference } from '../../../../functions/core/image/reference';
import { container, evaluate, evaluateReport, facts, policy, report } from '../support';

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

  it('falls back to the report reference for a bare report, and ignores one that is not an image reference', () => {
    expect(evaluateReport(loaded, report({ image: facts({ reference: 'nginx:latest' }) })).violations.map((v) => v.id)).toEqual(['images.registry', 'images.tag']);
    expect(evaluateReport(loaded, report({ image: facts({ reference: '/tmp/images/alpine-3.10.tar.gz' }) })).violations).toEqual([]);
  });

  it('does nothing when disabled', () => {
    const off = policy({ rules: { images: { action: 'deny', enabled: false, denyTags: ['*'] } } });
    expect(judge('nginx', off)).toEqual([]);
  });
});
