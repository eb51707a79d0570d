import { BatchGetBuildsCommand, StartBuildCommand, type CodeBuildClient } from '@aws-sdk/client-codebuild';
import type { BuildStatus } from '../core/ports';
import { idempotencyTokenFor, toBuildStatus } from './codebuild';

/**
 * The two CodeBuild calls of the deploy-time first refresh of the vulnerability DB mirror: start one build of the
 * refresh project exactly as it is defined (no override of any kind, which its starter's role also refuses), and read
 * that build's status. StartBuild returns once the build is queued (StartBuild, CodeBuild API Reference,
 * https://docs.aws.amazon.com/codebuild/latest/APIReference/API_StartBuild.html), hence the separate status read.
 */
export class RefreshBuilds {
  constructor(private readonly client: CodeBuildClient) {}

  /** Starts a build of `projectName`; a retry with the same token within CodeBuild's 5-minute window gets the same build. */
  async start(projectName: string, idempotencyToken: string): Promise<string> {
    const result = await this.client.send(new StartBuildCommand({ projectName, idempotencyToken: idempotencyTokenFor(idempotencyToken) }));
    const id = result.build?.id;
    if (!id) throw new Error(`CodeBuild StartBuild of ${projectName} returned no build id`);
    return id;
  }

  /** The build's status, or undefined when CodeBuild does not know the id (`buildsNotFound`). */
  async status(buildId: string): Promise<BuildStatus | undefined> {
    const result = await this.client.send(new BatchGetBuildsCommand({ ids: [buildId] }));
    const build = (result.builds ?? []).find((candidate) => candidate.id === buildId);
    return build ? toBuildStatus(build) : undefined;
  }
}
