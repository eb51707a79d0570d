import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildApp } from '../../infra/app';

const ROOT = join(__dirname, '../..');

function appWith(context: Record<string, unknown>): App {
  return new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
}

describe('the cdk.json app', () => {
  it('is run with tsx and delivers server access logs through a bucket policy', () => {
    const cdkJson = JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8'));
    expect(cdkJson.app).toBe('npx tsx infra/app.ts');
    expect(cdkJson.context['@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy']).toBe(true);
  });

  it('synthesises one environment-agnostic FargateGate stack that passes cdk-nag', () => {
    const { app, stack } = buildApp(appWith({}));
    expect(stack.stackName).toBe('FargateGate');
    expect(stack.environment).toBe('aws://unknown-account/unknown-region');
    expect(() => app.synth()).not.toThrow();
  });

  it('configures the stack from fargate-gate:* context', () => {
    const { stack } = buildApp(
      appWith({
        'fargate-gate:stack-name': 'GateStaging',
        'fargate-gate:clusters': 'staging',
        'fargate-gate:lifecycle-hook': 'false',
        'fargate-gate:reconcile-minutes': '30',
        'fargate-gate:in-use-report': 'false',
        'fargate-gate:notification-topic-arn': 'arn:aws:sns:eu-west-1:111122223333:alerts',
      }),
    );
    expect(stack.stackName).toBe('GateStaging');
    const template = Template.fromStack(stack);
    // The gate function and the inventory's reconciliation (the context turns the lifecycle hook and the in-use report
    // off); the other functions are the managed DB mirror's deploy-time first refresh.
    const functions = Object.keys(template.findResources('AWS::Lambda::Function')).filter((id) => !id.startsWith('GateVulnerabilityDbMirrorFirstRefresh'));
    expect(functions).toHaveLength(2);
    expect(functions.some((id) => id.startsWith('GateGateFunction'))).toBe(true);
    expect(functions.some((id) => id.startsWith('GateInUseReport'))).toBe(false);
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(30 minutes)' });
    template.resourceCountIs('AWS::SNS::Topic', 0);
    const notify = Object.entries(template.findResources('AWS::Events::Rule')).find(([id]) => id.startsWith('GateVerdictNotifications'))![1];
    expect(notify.Properties.Targets[0].Arn).toBe('arn:aws:sns:eu-west-1:111122223333:alerts');
  });

  it('refuses an unknown fargate-gate: key instead of deploying the default', () => {
    expect(() => buildApp(appWith({ 'fargate-gate:cluster': 'prod' }))).toThrow(/unknown context key fargate-gate:cluster; known keys: .*fargate-gate:clusters/);
  });

  it('fails synth when a change adds a cdk-nag finding, unless nag is switched off', () => {
    const withNag = buildApp(appWith({}));
    new s3.Bucket(withNag.stack, 'Unlogged');
    expect(() => withNag.app.synth()).toThrow(/AwsSolutions-S1/);

    const withoutNag = buildApp(appWith({ 'fargate-gate:nag': 'false' }));
    new s3.Bucket(withoutNag.stack, 'Unlogged');
    expect(() => withoutNag.app.synth()).not.toThrow();
  });
});
