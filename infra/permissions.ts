import type { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { ReasonedStatement } from './nag-suppressions';
import { clusterCondition, ecsResourceArns, type GateScope } from './scope';
import { VERDICT_EVENT } from './verdict-event';

/**
 * The IAM statements of the gate's roles, one function per capability. Each grants the fewest actions on the
 * narrowest resources the capability needs, and every wildcard comes with the reason it cannot be narrowed (attached
 * as the cdk-nag acknowledgment of exactly that finding).
 */

const ECS_IDS_AT_RUN_TIME =
  'ECS creates task, deployment and revision ids at run time, so the ARN ends in a wildcard; it is limited to the clusters in scope in this account and region, and the ecs:cluster condition holds the action to the same clusters.';

/** Stop a task, only in the clusters in scope (resource pattern and `ecs:cluster` both). */
export function stopTasks(stack: Stack, scope: GateScope): ReasonedStatement {
  return {
    statement: new iam.PolicyStatement({
      sid: 'StopTasksInScopedClusters',
      actions: ['ecs:StopTask'],
      resources: ecsResourceArns(stack, scope, 'task'),
      conditions: clusterCondition(stack, scope),
    }),
    wildcardReason: ECS_IDS_AT_RUN_TIME,
  };
}

/** Read tasks (containers, digests, group) in the clusters in scope. */
export function describeTasks(stack: Stack, scope: GateScope): ReasonedStatement {
  return {
    statement: new iam.PolicyStatement({
      sid: 'DescribeTasksInScopedClusters',
      actions: ['ecs:DescribeTasks'],
      resources: ecsResourceArns(stack, scope, 'task'),
      conditions: clusterCondition(stack, scope),
    }),
    wildcardReason: ECS_IDS_AT_RUN_TIME,
  };
}

/**
 * Roll back a service deployment, or scale the service to zero when there is nothing to roll back to, only for
 * services in the clusters in scope.
 */
export function rollBackServices(stack: Stack, scope: GateScope): ReasonedStatement[] {
  const conditions = clusterCondition(stack, scope);
  return [
    {
      statement: new iam.PolicyStatement({
        sid: 'RollBackServicesInScopedClusters',
        // DescribeServices confirms a task's deployment belongs to the service before any service-level action.
        actions: ['ecs:DescribeServices', 'ecs:ListServiceDeployments', 'ecs:UpdateService'],
        resources: ecsResourceArns(stack, scope, 'service'),
        conditions,
      }),
      wildcardReason:
        'The service is known only from the failing task (its group), so the ARN ends in a wildcard; it is limited to services of the clusters in scope, and the ecs:cluster condition holds the action to the same clusters.',
    },
    {
      statement: new iam.PolicyStatement({
        sid: 'StopServiceDeploymentsInScopedClusters',
        actions: ['ecs:StopServiceDeployment', 'ecs:DescribeServiceDeployments'],
        resources: ecsResourceArns(stack, scope, 'service-deployment'),
        conditions,
      }),
      wildcardReason: ECS_IDS_AT_RUN_TIME,
    },
    describeServiceRevisions(stack, scope),
  ];
}

/** Read the container images (and resolved digests) of service revisions: what a lifecycle hook judges. */
export function describeServiceRevisions(stack: Stack, scope: GateScope): ReasonedStatement {
  return {
    statement: new iam.PolicyStatement({
      sid: 'DescribeServiceRevisionsInScopedClusters',
      actions: ['ecs:DescribeServiceRevisions'],
      resources: ecsResourceArns(stack, scope, 'service-revision'),
      conditions: clusterCondition(stack, scope),
    }),
    wildcardReason: ECS_IDS_AT_RUN_TIME,
  };
}

/** Read task definitions (container user, environment names, images). */
export function describeTaskDefinitions(): ReasonedStatement {
  return {
    statement: new iam.PolicyStatement({
      sid: 'DescribeTaskDefinitionNoResourceLevelPermission',
      actions: ['ecs:DescribeTaskDefinition'],
      resources: ['*'],
    }),
    wildcardReason:
      'ecs:DescribeTaskDefinition supports no resource-level permission (the Service Authorization Reference lists no resource type for it), so "*" is the only valid resource. It is read-only.',
  };
}

const REPOSITORY_SCOPE =
  'Images may come from any repository in scope: every repository of this account and region unless the ecrRepositories setting lists names or patterns (then the ARNs end in those patterns). Read-only.';

/** Resolve ECR tags to digests in the repositories in scope. */
export function resolveImageTags(scope: GateScope): ReasonedStatement {
  return {
    statement: new iam.PolicyStatement({
      sid: 'ResolveTagsInScopedRepositories',
      actions: ['ecr:DescribeImages'],
      resources: scope.repositoryArns,
    }),
    wildcardReason: REPOSITORY_SCOPE,
  };
}

/** Pull image manifests and layers from the repositories in scope (and the Trivy DB mirror, if it is in ECR). */
export function pullImages(scope: GateScope): ReasonedStatement[] {
  return [
    {
      statement: new iam.PolicyStatement({
        sid: 'PullFromScopedRepositories',
        actions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
        resources: [...scope.repositoryArns, ...scope.mirrorRepositoryArns],
      }),
      wildcardReason: REPOSITORY_SCOPE,
    },
    {
      statement: new iam.PolicyStatement({
        sid: 'EcrAuthorizationTokenNoResourceLevelPermission',
        actions: ['ecr:GetAuthorizationToken'],
        resources: ['*'],
      }),
      wildcardReason:
        'ecr:GetAuthorizationToken supports no resource-level permission: the token is issued for the whole registry and only lets the scanner pull what PullFromScopedRepositories allows.',
    },
  ];
}

/** Start scans and read their status (the sweep), on the gate's scan project only. */
export function runScans(projectArn: string): ReasonedStatement {
  return {
    statement: new iam.PolicyStatement({
      sid: 'RunScansOnTheScanProject',
      actions: ['codebuild:StartBuild', 'codebuild:BatchGetBuilds'],
      resources: [projectArn],
    }),
  };
}

/** Start scans on the gate's scan project only (the hook never polls builds). */
export function startScans(projectArn: string): ReasonedStatement {
  return {
    statement: new iam.PolicyStatement({
      sid: 'StartScansOnTheScanProject',
      actions: ['codebuild:StartBuild'],
      resources: [projectArn],
    }),
  };
}

/** Read raw scan reports under the report prefix. */
export function readReports(bucketArn: string, reportPrefix: string): ReasonedStatement {
  return {
    statement: new iam.PolicyStatement({
      sid: 'ReadRawReports',
      actions: ['s3:GetObject'],
      resources: [`${bucketArn}/${reportPrefix}*`],
    }),
    wildcardReason: `One raw report per scan, named by digest and scan id at run time; read access is limited to the ${reportPrefix} prefix of the gate's own bucket.`,
  };
}

/**
 * List keys under one prefix of a bucket. S3 answers a read of a missing key with 404 only to a caller that may list
 * the bucket, and 403 to anyone else; S3 evaluates that implicit check with the requested key as `s3:prefix` (Ceph
 * RGW copied this AWS behaviour in ceph/ceph#68577), so a listing limited to the prefix is enough. Without it a missing
 * report (or scanner cache archive) looks like a permission error.
 */
export function listPrefix(sid: string, bucketArn: string, prefix: string): ReasonedStatement {
  return {
    statement: new iam.PolicyStatement({
      sid,
      actions: ['s3:ListBucket'],
      resources: [bucketArn],
      conditions: { StringLike: { 's3:prefix': [`${prefix}*`] } },
    }),
  };
}

/**
 * Decrypt objects of the CDK assets bucket when its bootstrap uses a customer managed KMS key (the scan build
 * downloads the evaluator and the policy from it), and only through S3 in this region.
 */
export function decryptAssets(keyArn: string, region: string): ReasonedStatement {
  return {
    statement: new iam.PolicyStatement({
      sid: 'DecryptEvaluatorAndPolicyAssets',
      actions: ['kms:Decrypt'],
      resources: [keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `s3.${region}.amazonaws.com` } },
    }),
  };
}

/** Exactly the item operations the DynamoDB store uses, on the table and its unfinished-scans index. */
export function useGateTable(tableArn: string, indexName: string): ReasonedStatement {
  return {
    statement: new iam.PolicyStatement({
      sid: 'GateTableItems',
      actions: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query'],
      resources: [tableArn, `${tableArn}/index/${indexName}`],
    }),
  };
}

/** Publish verdict events to the one bus the gate uses, and only with the gate's own source. */
export function publishVerdicts(eventBusArn: string): ReasonedStatement {
  return {
    statement: new iam.PolicyStatement({
      sid: 'PublishVerdictEvents',
      actions: ['events:PutEvents'],
      resources: [eventBusArn],
      conditions: { StringEquals: { 'events:source': VERDICT_EVENT.source } },
    }),
  };
}
