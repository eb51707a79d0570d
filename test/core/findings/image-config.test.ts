import {
  cleanRepoDigests,
  configUser,
  decodeGrypeImageConfig,
  digestOfRepoDigest,
  envNames,
  imageEnvSecrets,
} from '../../../functions/core/findings/image-config';

const DIGEST = `sha256:${'a1'.repeat(32)}`;
const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('envNames', () => {
  it('keeps names, in order, once each, and never a value', () => {
    expect(envNames(['PATH=/bin', 'TOKEN=abc=def', 'FLAG', 'EMPTY=', 'PATH=/usr/bin', '=orphan', ' SPACED =x'])).toEqual([
      'PATH',
      'TOKEN',
      'FLAG',
      'EMPTY',
      'SPACED',
    ]);
  });

  it('is empty for no environment', () => {
    expect(envNames(undefined)).toEqual([]);
    expect(envNames(null)).toEqual([]);
  });
});

describe('configUser', () => {
  it.each([
    ['', undefined],
    ['  ', undefined],
    [null, undefined],
    [undefined, undefined],
    ['0', '0'],
    ['nobody:nogroup', 'nobody:nogroup'],
  ])('%p → %p', (raw, expected) => {
    expect(configUser(raw)).toBe(expected);
  });
});

describe('digestOfRepoDigest and cleanRepoDigests', () => {
  it.each([
    [`alpine@${DIGEST}`, DIGEST],
    [`registry:5000/team/app@${DIGEST}`, DIGEST],
    [DIGEST, DIGEST],
    ['alpine@sha256:abc', undefined],
    [`alpine@sha512:${'a'.repeat(128)}`, undefined],
    [`alpine@${DIGEST.toUpperCase()}`, undefined],
    ['REDACTED', undefined],
    ['', undefined],
  ])('%p → %p', (repoDigest, expected) => {
    expect(digestOfRepoDigest(repoDigest)).toBe(expected);
  });

  it('drops blanks and repeats, keeping what else the report says', () => {
    expect(cleanRepoDigests(['', `a@${DIGEST}`, ' ', `a@${DIGEST}`, 'REDACTED'])).toEqual([`a@${DIGEST}`, 'REDACTED']);
    expect(cleanRepoDigests(undefined)).toEqual([]);
  });
});

describe('decodeGrypeImageConfig', () => {
  it('reads the user and env names of an OCI config', () => {
    const config = b64(JSON.stringify({ architecture: 'amd64', os: 'linux', config: { User: '1000', Env: ['A=secret', 'B=2'] } }));
    expect(decodeGrypeImageConfig(config)).toEqual({ ok: true, user: '1000', envNames: ['A', 'B'], envSecrets: [] });
  });

  it('reads a config with no user and no env as known and empty', () => {
    expect(decodeGrypeImageConfig(b64('{"architecture":"amd64","os":"linux","config":{}}'))).toEqual({ ok: true, user: undefined, envNames: [], envSecrets: [] });
    expect(decodeGrypeImageConfig(b64('{"architecture":"amd64","os":"linux"}'))).toEqual({ ok: true, user: undefined, envNames: [], envSecrets: [] });
  });

  it('tolerates line breaks in the base64', () => {
    const config = b64('{"config":{"User":"app"}}');
    expect(decodeGrypeImageConfig(`${config.slice(0, 8)}\n${config.slice(8)}`)).toMatchObject({ ok: true, user: 'app' });
  });

  it.each([
    ['not base64', 'is not standard base64'],
    ['abc', 'is not standard base64'],
    ['YWJj=', 'is not standard base64'],
    ['eyJh-_==', 'is not standard base64'],
    [Buffer.from([0xc3, 0x28]).toString('base64'), 'does not decode to UTF-8 text'],
    [b64('{"config":'), 'does not decode to JSON'],
    [b64('"a string"'), 'decodes to JSON that is not an OCI image config'],
    [b64('{"config":{"Env":"A=1"}}'), 'decodes to JSON that is not an OCI image config (config.Env:'],
  ])('reports %p as a problem: %s', (encoded, problem) => {
    const decoded = decodeGrypeImageConfig(encoded);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.problem.startsWith(problem)).toBe(true);
  });
});

describe('imageEnvSecrets: credentials baked into the image ENV', () => {
  const token = `ghp_${'a1B2c3D4e5'.repeat(4).slice(0, 36)}`;
  const env = ['PATH=/usr/local/bin:/usr/bin', 'DB_PASSWORD=hunter2-literal', `GITHUB_TOKEN=${token}`, 'FEATURE', 'EMPTY=', 'LOG_LEVEL=debug', 'API_KEY=${API_KEY}'];

  it('runs the plaintext detector on each value and keeps only masked matches', () => {
    expect(imageEnvSecrets(env)).toEqual([
      {
        ruleId: 'plaintext-credential',
        category: 'Generic',
        severity: 'high',
        title: 'Credential-like variable with a literal value',
        location: { kind: 'imageConfig', detail: 'ENV DB_PASSWORD', variable: 'DB_PASSWORD' },
        match: 'DB_PASSWORD=********',
      },
      {
        ruleId: 'github-pat',
        category: 'GitHub',
        severity: 'critical',
        title: 'GitHub Personal Access Token',
        location: { kind: 'imageConfig', detail: 'ENV GITHUB_TOKEN', variable: 'GITHUB_TOKEN' },
        match: 'GITHUB_TOKEN=ghp_********',
      },
    ]);
    const text = JSON.stringify(imageEnvSecrets(env));
    expect(text).not.toContain('hunter2-literal');
    expect(text).not.toContain(token.slice(4));
  });

  it('skips the variables the caller says are already reported', () => {
    expect(imageEnvSecrets(env, { skip: (name) => name === 'DB_PASSWORD' }).map((s) => s.ruleId)).toEqual(['github-pat']);
  });

  it('reports a variable set twice once per distinct finding', () => {
    expect(imageEnvSecrets(['DB_PASSWORD=first-literal', 'DB_PASSWORD=second-literal'])).toHaveLength(1);
    expect(imageEnvSecrets(undefined)).toEqual([]);
    expect(imageEnvSecrets(null)).toEqual([]);
  });

  it('comes back from decodeGrypeImageConfig with the user and the names', () => {
    const config = b64(JSON.stringify({ architecture: 'amd64', os: 'linux', config: { User: '1000', Env: ['A=1', 'DB_PASSWORD=hunter2-literal'] } }));
    const decoded = decodeGrypeImageConfig(config);
    expect(decoded).toMatchObject({ ok: true, user: '1000', envNames: ['A', 'DB_PASSWORD'] });
    expect(decoded.ok && decoded.envSecrets.map((s) => s.location)).toEqual([{ kind: 'imageConfig', detail: 'ENV DB_PASSWORD', variable: 'DB_PASSWORD' }]);
    expect(JSON.stringify(decoded)).not.toContain('hunter2-literal');
  });
});
