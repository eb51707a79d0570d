import { Duration } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { GATE_ENV } from '../../functions/handlers/environment';
import { IN_USE_REPORT_ENV } from '../../functions/handlers/lambda/in-use-report';
import { resolveInUseReportSettings } from '../../infra/in-use-report';
import { synthGate } from '../support/gate-stack';

const functionsOf = (template: Template) => template.findResources('AWS::Lambda::Function');
const reportFunction = (template: Template) => Object.entries(functionsOf(template)).find(([id]) => id.startsWith('GateInUseReportFunction'));

describe('the scheduled in-use report in the stack', () => {
  const { template } = synthGate();

  it('is a function with the gate\'s environment and the exception window, on a daily schedule with a dead-letter queue', () => {
    const found = reportFunction(template);
    expect(found).toBeDefined();
    const [id, fn] = found!;
    const variables = fn.Properties.Environment.Variables as Record<string, unknown>;
    expect(variables[IN_USE_REPORT_ENV.exceptionWindowDays]).toBe('14');
    expect(variables[GATE_ENV.policyFile]).toBeDefined();
    expect(variables[GATE_ENV.reportBucket]).toBeDefined();
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 day)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [id, 'Arn'] }, DeadLetterConfig: Match.anyValue(), RetryPolicy: Match.anyValue() })],
    });
  });

  it('writes under in-use/ only and reads the table, nothing more', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
      JSON.stringify(policy.Properties.Roles).includes('GateInUseReportFunctionRole'),
    );
    const statements = policies.flatMap((policy) => policy.Properties.PolicyDocument.Statement as { Sid?: string; Action: string | string[]; Resource: unknown }[]);
    const actions = statements.flatMap((statement) => [statement.Action].flat()).sort();
    // The sqs actions are the on-failure destination's, as for the gate's other asynchronous functions.
    expect(actions).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:GetItem',
      'dynamodb:Query',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      's3:PutObject',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:SendMessage',
    ]);
    const put = statements.find((statement) => statement.Sid === 'WriteInUseReports');
    expect(JSON.stringify(put?.Resource)).toMatch(/\/in-use\/\*"\]\]\}$/);
  });

  it('expires the reports with the others', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ Id: 'expire-in-use-reports', Prefix: 'in-use/', ExpirationInDays: 365 })]) },
    });
  });

  it('gives the gate function (its posture sweep notes expiring exceptions) the same one window as the report, report or not', () => {
    const gateFunction = (t: Template) => Object.entries(functionsOf(t)).find(([id]) => id.startsWith('GateGateFunction'))?.[1];
    const windowOf = (fn: Record<string, any> | undefined) => (fn?.Properties.Environment.Variables as Record<string, unknown> | undefined)?.[GATE_ENV.exceptionWindowDays];
    const thirty = synthGate({ inUseReport: { exceptionWindowDays: 30 } }).template;
    expect([windowOf(gateFunction(thirty)), windowOf(reportFunction(thirty)?.[1])]).toEqual(['30', '30']);
    expect(windowOf(gateFunction(synthGate({ inUseReport: { enabled: false, exceptionWindowDays: 7 } }).template))).toBe('7');
  });

  it('follows the settings: another interval and window, or none at all', () => {
    const six = synthGate({ inUseReport: { interval: Duration.hours(6), exceptionWindowDays: 30 } }).template;
    six.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(6 hours)' });
    expect((reportFunction(six)![1].Properties.Environment.Variables as Record<string, unknown>)[IN_USE_REPORT_ENV.exceptionWindowDays]).toBe('30');
    const none = synthGate({ inUseReport: { enabled: false } }).template;
    expect(reportFunction(none)).toBeUndefined();
    expect(JSON.stringify(none.toJSON())).not.toContain('in-use/');
  });
});

describe('resolveInUseReportSettings', () => {
  it.each([
    [{ interval: Duration.minutes(30) }, /whole hours from 1 to 168, got 30 minutes/],
    [{ interval: Duration.days(8) }, /whole hours from 1 to 168/],
    [{ exceptionWindowDays: -1 }, /whole days from 0 to 366, got -1/],
    [{ exceptionWindowDays: 1.5 }, /whole days from 0 to 366, got 1.5/],
  ])('refuses %o', (settings, message) => {
    expect(() => resolveInUseReportSettings(settings)).toThrow(message);
  });

  it('defaults to daily, 14 days, enabled', () => {
    const resolved = resolveInUseReportSettings();
    expect({ ...resolved, interval: resolved.interval.toHours() }).toEqual({ enabled: true, interval: 24, exceptionWindowDays: 14 });
  });
});
