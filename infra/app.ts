import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readGateContext } from './context';
import { FargateGateMemberStack } from './member-stack';
import { FargateGateStack } from './stack';

/**
 * The `cdk.json` app: one FargateGateStack configured from `fargate-gate:*` context (docs/deploy.md), and with
 * `fargate-gate:organization-id` the member stack a StackSet deploys (docs/organisation.md).
 * Environment-agnostic unless CDK_DEFAULT_ACCOUNT/REGION are known, so `cdk synth` works offline without credentials.
 */
export function buildApp(app: App = new App()): { app: App; stack: FargateGateStack; memberStack?: FargateGateMemberStack } {
  const settings = readGateContext(app.node);
  const account = process.env.CDK_DEFAULT_ACCOUNT;
  const region = process.env.CDK_DEFAULT_REGION;
  const stack = new FargateGateStack(app, settings.stackName, {
    env: account && region ? { account, region } : undefined,
    gate: settings.gate,
    notificationTopicArn: settings.notificationTopicArn,
  });
  // With an organisation, the member stack too: environment-agnostic, as a StackSet deploys it to every account and region.
  const memberStack = settings.gate.organizationId === undefined ? undefined : new FargateGateMemberStack(app, `${settings.stackName}Member`);
  // cdk-nag runs in every synth: a change that adds an unacknowledged finding fails `cdk synth`.
  if (settings.nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack, memberStack };
}

if (require.main === module) {
  buildApp().app.synth();
}
