import fc from 'fast-check';
import type { EvaluationResult, ExceptionReport, SuppressedViolation, Violation } from '../../../functions/core/result/model';
import { SEVERITIES } from '../../../functions/core/severity';

/** EvaluationResult builders for renderer tests; the engine that produces real ones is built separately. */

export function violation(fields: Partial<Violation> = {}): Violation {
  return {
    rule: 'vulnerabilities',
    kind: 'vulnerability',
    container: 'app',
    id: 'CVE-2024-0001',
    severity: 'high',
    action: 'deny',
    message: 'openssl 3.0.1: buffer overflow, fixed in 3.0.7',
    ...fields,
  };
}

export function exception(fields: Partial<ExceptionReport> = {}): ExceptionReport {
  return { id: 'EX-1', reason: 'not reachable from the network', owner: 'team-payments', expiresAt: '2026-06-30', ...fields };
}

export function suppressed(fields: Partial<Violation> = {}, by: Partial<ExceptionReport> = {}): SuppressedViolation {
  const e = exception(by);
  return { ...violation(fields), suppressedBy: { exceptionId: e.id, reason: e.reason, owner: e.owner, expiresAt: e.expiresAt } };
}

export function result(fields: Partial<EvaluationResult> = {}): EvaluationResult {
  return {
    decision: 'pass',
    mode: 'enforce',
    violations: [],
    suppressed: [],
    exceptions: { used: [], unused: [], expired: [] },
    errors: [],
    policy: { name: 'baseline', hash: 'sha256:3f2a9c1b7d0e9a8b7c6d5e4f30112233445566778899aabbccddeeff00112233', schemaVersion: '1' },
    subject: {
      cluster: 'arn:aws:ecs:eu-west-1:111122223333:cluster/prod',
      taskDefinition: 'arn:aws:ecs:eu-west-1:111122223333:task-definition/web-api:42',
      images: [
        {
          container: 'app',
          reference: '111122223333.dkr.ecr.eu-west-1.amazonaws.com/web-api:1.4.2',
          digest: 'sha256:0c1f0ed5a9f1b0d4d2b1d4e0e6d88fd2bfcd1ab5a2d1e7b1b0a0f8e3c6d2a4b1',
          scanner: 'trivy',
          scannerVersion: '0.58.1',
          scannedAt: '2025-03-04T10:00:00Z',
        },
      ],
    },
    evaluatedAt: '2025-03-04T10:05:00Z',
    ...fields,
  };
}

/** A failing result with something in every section. */
export function busyResult(): EvaluationResult {
  return result({
    decision: 'fail',
    violations: [
      violation({ rule: 'secrets', kind: 'secret', id: 'aws-access-key-id', severity: 'critical', action: 'warn', container: 'sidecar', message: 'AWS access key in environment variable AWS_KEY' }),
      violation(),
      violation({ rule: 'rootUser', kind: 'rootUser', id: 'rootUser', severity: 'high', message: 'runs as root: the image has no USER and the task definition sets none' }),
      violation({ id: 'CVE-2024-0002', severity: 'critical', message: 'glibc: heap overflow' }),
    ],
    suppressed: [suppressed({ id: 'CVE-2023-4444', severity: 'medium' }, { id: 'EX-7' })],
    exceptions: { used: [exception({ id: 'EX-7' })], unused: [exception({ id: 'EX-9', reason: 'old CVE' })], expired: [exception({ id: 'EX-2', expiresAt: '2024-01-01' })] },
    errors: [{ container: 'worker', message: 'scan failed: registry answered 429 Too Many Requests' }],
  });
}

/** Strings a hostile image or report can carry: markup, CDATA ends, XML-illegal characters, pipes, breaks, ANSI. */
export const HOSTILE = [
  '<script>alert("x")</script>',
  'a & b && c;',
  ']]>',
  '<![CDATA[ x ]]>',
  'bell \u0007 nul \u0000 esc \u001b[31mred\u001b[0m',
  'lone \ud800 surrogate and \udfff',
  'non-characters \ufffe \uffff',
  'pipe | in | cell',
  'line one\nline two\r\nline three\rend',
  'tab\tseparated',
  "quote \" and apostrophe '",
  '[link](https://evil.example) **bold** `code` _em_ ~strike~ #head',
  'bidi \u202e reversed \u2066 isolate',
  'wide 漢字 and emoji 💥 and combining e\u0301',
] as const;

const hostileChar = fc.oneof(
  fc.constantFrom('<', '>', '&', '"', "'", ']', '|', '\n', '\r', '\t', '\u0000', '\u0001', '\u001b', '\u007f', '\u0085', '\ud800', '\udc00', '\ufffe', '\uffff', '\u202e', '💥', '漢', '`', '*', '_', '\\'),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
);

/** Any string, biased towards characters that break XML, Markdown and terminals. */
export const arbText = (maxLength = 40): fc.Arbitrary<string> => fc.string({ unit: hostileChar, maxLength });

const arbSeverity = fc.constantFrom(...SEVERITIES);

const arbViolation: fc.Arbitrary<Violation> = fc.record(
  {
    rule: fc.oneof(fc.constantFrom('rootUser', 'secrets', 'vulnerabilities', 'misconfigurations', 'images'), arbText(12)),
    kind: fc.constantFrom('rootUser', 'secret', 'vulnerability', 'misconfiguration', 'image'),
    container: fc.option(arbText(10), { nil: undefined }),
    id: arbText(20),
    severity: arbSeverity,
    action: fc.constantFrom('deny', 'warn'),
    message: arbText(80),
    details: fc.option(fc.dictionary(arbText(8), fc.oneof(arbText(10), fc.integer(), fc.boolean(), fc.constant(undefined)), { maxKeys: 3 }), { nil: undefined }),
  },
  { requiredKeys: ['rule', 'kind', 'id', 'severity', 'action', 'message'] },
) as fc.Arbitrary<Violation>;

const arbException: fc.Arbitrary<ExceptionReport> = fc.record({ id: arbText(10), reason: arbText(30), owner: arbText(10), expiresAt: arbText(12) });

const arbSuppressed: fc.Arbitrary<SuppressedViolation> = fc
  .tuple(arbViolation, arbException)
  .map(([v, e]) => ({ ...v, suppressedBy: { exceptionId: e.id, reason: e.reason, owner: e.owner, expiresAt: e.expiresAt } }));

export const arbResult = (maxFindings = 30): fc.Arbitrary<EvaluationResult> =>
  fc.record({
    decision: fc.constantFrom('pass', 'warn', 'fail', 'error'),
    mode: fc.constantFrom('enforce', 'audit'),
    violations: fc.array(arbViolation, { maxLength: maxFindings }),
    suppressed: fc.array(arbSuppressed, { maxLength: 5 }),
    exceptions: fc.record({
      used: fc.array(arbException, { maxLength: 3 }),
      unused: fc.array(arbException, { maxLength: 3 }),
      expired: fc.array(arbException, { maxLength: 3 }),
    }),
    errors: fc.array(fc.record({ container: fc.option(arbText(10), { nil: undefined }), message: arbText(60) }), { maxLength: 3 }),
    policy: fc.record({ name: arbText(20), hash: arbText(70), schemaVersion: arbText(4) }),
    subject: fc.record(
      {
        cluster: arbText(30),
        service: arbText(20),
        taskArn: arbText(40),
        taskDefinition: arbText(40),
        images: fc.array(
          fc.record(
            { container: arbText(10), reference: arbText(40), digest: arbText(20), repository: arbText(20), tag: arbText(8), scanner: arbText(6), scannerVersion: arbText(6), scannedAt: arbText(20) },
            { requiredKeys: [] },
          ),
          { maxLength: 3 },
        ),
      },
      { requiredKeys: ['images'] },
    ),
    evaluatedAt: arbText(24),
  }) as fc.Arbitrary<EvaluationResult>;
