import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { evaluatePolicy, isBlocking } from '../../../functions/core/policy/evaluate';
import { loadPolicyText, maxScanAgeMs } from '../../../functions/core/policy/load';
import { HARDENING_RULES } from '../../../functions/core/policy/rules/hardening';
import { container, env, evaluate, facts, report, vuln } from './support';

const POLICIES = join(__dirname, '../../../policies');
const load = (file: string) => loadPolicyText(readFileSync(join(POLICIES, file), 'utf8'), `policies/${file}`);
const ECR = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app';

describe('shipped policies', () => {
  it.each(['default.json', 'strict.json', 'audit.json'])('%s loads, names the schema and is described in the README', (file) => {
    const loaded = load(file);
    expect(loaded.document.$schema).toBe('./policy.schema.json');
    expect(loaded.document.description?.length).toBeGreaterThan(40);
    expect(readFileSync(join(POLICIES, 'README.md'), 'utf8')).toContain(`\`${file}\``);
  });

  it('have distinct names and hashes', () => {
    const all = ['default.json', 'strict.json', 'audit.json'].map(load);
    expect(new Set(all.map((p) => p.name)).size).toBe(3);
    expect(new Set(all.map((p) => p.hash)).size).toBe(3);
  });

  describe('default.json', () => {
    const loaded = load('default.json');
    const judge = (scan = report(), spec = {}) => evaluate(loaded, [container(loaded, scan, spec)]);

    it('is enforced, fails closed on scan errors, and wants scans at most 7 days old', () => {
      expect(loaded.document).toMatchObject({ mode: 'enforce', onScanError: 'deny' });
      expect(maxScanAgeMs(loaded)).toBe(7 * 86_400_000);
      expect(evaluatePolicy(loaded, { containers: [{ name: 'web', scanError: 'x' }], context: {}, now: new Date() }).decision).toBe('error');
    });

    it('denies root, high secrets in the image or environment, and fixable high vulnerabilities', () => {
      expect(judge(report({ image: facts({ configUser: undefined }) })).decision).toBe('fail');
      expect(judge(report(), { environment: [env('DB_PASSWORD', 'hunter2-literal')] }).decision).toBe('fail');
      expect(judge(report({ vulnerabilities: [vuln('CVE-1', 'high', 'fixed')] })).decision).toBe('fail');
    });

    it('warns on unfixable critical, and lets through unfixable high, fixable medium and medium secrets', () => {
      expect(judge(report({ vulnerabilities: [vuln('CVE-1', 'critical', 'unfixed')] })).decision).toBe('warn');
      expect(judge(report({ vulnerabilities: [vuln('CVE-1', 'high', 'unfixed'), vuln('CVE-2', 'medium', 'fixed')] })).decision).toBe('pass');
      expect(judge(report(), { environment: [env('TRACE', `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.${'x'.repeat(20)}`)] }).decision).toBe('pass');
    });

    it('does not judge image references', () => {
      expect(judge(report(), { image: 'nginx:latest' }).decision).toBe('pass');
    });
  });

  describe('audit.json', () => {
    const loaded = load('audit.json');
    it('has the default checks but never blocks, even on scan errors', () => {
      const failing = evaluate(loaded, [container(loaded, report({ image: facts({ configUser: 'root' }), vulnerabilities: [vuln('CVE-1', 'critical')] }))]);
      expect(failing).toMatchObject({ mode: 'audit', decision: 'fail' });
      expect(isBlocking(failing)).toBe(false);
      const unscanned = evaluatePolicy(loaded, { containers: [{ name: 'web', scanError: 'x' }], context: {}, now: new Date() });
      expect(unscanned.decision).toBe('warn');
      expect(isBlocking(unscanned)).toBe(false);
      const { hardening: auditHardening, ...auditRest } = loaded.document.rules;
      const { hardening: defaultHardening, ...defaultRest } = load('default.json').document.rules;
      expect(auditRest).toEqual(defaultRest);
      expect(Object.keys(auditHardening ?? {}).sort()).toEqual(Object.keys(defaultHardening ?? {}).sort());
    });
  });

  describe('strict.json', () => {
    const loaded = load('strict.json');
    const judge = (spec: object, scan = report()) => evaluate(loaded, [container(loaded, scan, spec)]);

    it('limits registries to private ECR and denies mutable tags', () => {
      expect(judge({ image: `${ECR}:1.4.2` }).decision).toBe('pass');
      expect(judge({ image: 'nginx:1.27' }).violations.map((v) => v.id)).toEqual(['images.registry']);
      expect(judge({ image: 'public.ecr.aws/nginx/nginx:1.27' }).violations.map((v) => v.id)).toEqual(['images.registry']);
      expect(judge({ image: `${ECR}:latest` }).violations.map((v) => v.id)).toEqual(['images.tag']);
      expect(judge({ image: ECR }).violations.map((v) => v.id)).toEqual(['images.tag']);
      expect(judge({ image: `${ECR}:main` }).violations.map((v) => v.id)).toEqual(['images.tag']);
    });

    it('denies fixable medium, unfixable high, unrated fixable findings and any secret, with count budgets', () => {
      expect(judge({}, report({ vulnerabilities: [vuln('CVE-1', 'medium', 'fixed')] })).decision).toBe('fail');
      expect(judge({}, report({ vulnerabilities: [vuln('CVE-1', 'high', 'unfixed')] })).decision).toBe('fail');
      expect(judge({}, report({ vulnerabilities: [vuln('CVE-1', 'medium', 'unfixed')] })).decision).toBe('pass');
      expect(judge({}, report({ vulnerabilities: [vuln('GO-1', 'unknown', 'fixed')] })).decision).toBe('fail');
      const lows = Array.from({ length: 101 }, (_, i) => vuln(`CVE-L-${i}`, 'low', 'unfixed'));
      expect(judge({}, report({ vulnerabilities: lows })).violations.map((v) => v.id)).toEqual(['vulnerabilities.maxCounts.low']);
      expect(judge({ environment: [env('TRACE', `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.${'x'.repeat(20)}`)] }).decision).toBe('fail');
    });
  });

  describe('hardening rules', () => {
    const actions = (file: string) => {
      const hardening = (load(file).document.rules.hardening ?? {}) as Record<string, { enabled: boolean; action: string } | undefined>;
      return Object.fromEntries(HARDENING_RULES.map((rule) => [rule.key, hardening[rule.key]?.enabled ? hardening[rule.key]?.action : 'off']));
    };

    it('strict.json denies every hardening rule', () => {
      expect(Object.values(actions('strict.json'))).toEqual(HARDENING_RULES.map(() => 'deny'));
    });

    it('default.json denies only what Fargate itself refuses, warns on what a fleet can live with, and leaves off what nearly every task fails', () => {
      expect(actions('default.json')).toEqual({
        readonlyRootFilesystem: 'off',
        privileged: 'deny',
        hostNetwork: 'deny',
        hostPid: 'deny',
        hostIpc: 'deny',
        capabilities: 'warn',
        logging: 'off',
        environmentFiles: 'warn',
        execCommand: 'warn',
        platformVersion: 'warn',
        publicIp: 'warn',
        resourceLimits: 'off',
      });
    });

    it('audit.json reports every hardening rule: the default\'s actions, and warns on the three the default leaves off', () => {
      expect(actions('audit.json')).toEqual({ ...actions('default.json'), readonlyRootFilesystem: 'warn', logging: 'warn', resourceLimits: 'warn' });
      expect(Object.values(actions('audit.json'))).not.toContain('off');
    });
  });
});

