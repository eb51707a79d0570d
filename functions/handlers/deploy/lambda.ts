import { CodeBuildClient } from '@aws-sdk/client-codebuild';
import { RefreshBuilds } from '../../adapters/codebuild-refresh';
import { isComplete as completeStep, onEvent as eventStep, type CustomResourceEvent } from './database-first-refresh';

/**
 * Entry points of the deploy-time first refresh (one bundle, two functions: handler `onEvent` and handler
 * `isComplete`). Only the CodeBuild client is imported, so the bundle holds nothing else of the SDK.
 */
const builds = new RefreshBuilds(new CodeBuildClient({}));

export const onEvent = (event: CustomResourceEvent) => eventStep(event, builds);
export const isComplete = (event: CustomResourceEvent) => completeStep(event, builds);
