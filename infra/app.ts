import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readGateContext } from './context';
import { FargateGateStack } from './stack';

/**
 * The `cdk.json` app: one FargateGateStack configured from `fargate-gate:*` context (docs/deploy.md).
 * Environment-agnostic unless CDK_DEFAULT_ACCOUNT/REGION are known, so `cdk synth` works offline without credentials.
 */
export function buildApp(app: App = new App()): { app: App; stack: FargateGateStack } {
  const settings = readGateContext(app.node);
  const account = process.env.CDK_DEFAULT_ACCOUNT;
  const region = process.env.CDK_DEFAULT_REGION;
  const stack = new FargateGateStack(app, settings.stackName, {
    env: account && region ? { account, region } : undefined,
    gate: settings.gate,
    notificationTopicArn: settings.notificationTopicArn,
  });
  // cdk-nag runs in every synth: a change that adds an unacknowledged finding fails `cdk synth`.
  if (settings.nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}

if (require.main === module) {
  buildApp().app.synth();
}
