import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { FargateGateProps } from '../../infra/fargate-gate';
import { FargateGateStack } from '../../infra/stack';
import { templateTestEntries } from './gate-entries';

export const TEST_ENV = { account: '111122223333', region: 'us-west-2' };

export interface SynthOptions {
  /** A concrete account and region (default) or an environment-agnostic stack. */
  env?: { account: string; region: string } | 'agnostic';
  /** An existing notification topic, as the app passes it. */
  notificationTopicArn?: string;
}

/** Synthesises the FargateGateStack without bundling (template tests). */
export function synthGate(props: FargateGateProps = {}, options: SynthOptions = {}): { app: App; stack: FargateGateStack; template: Template } {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const env = options.env === 'agnostic' ? undefined : (options.env ?? TEST_ENV);
  const stack = new FargateGateStack(app, 'Gate', { env, gate: { handlerEntries: templateTestEntries(), ...props }, notificationTopicArn: options.notificationTopicArn });
  return { app, stack, template: Template.fromStack(stack) };
}
