import type * as z from 'zod';
import { zodSchema } from '../zod-on-demand';
import { InputError } from '../errors';
import { parseJsonText } from '../json-text';
import type { LaunchFacts } from '../policy/rules/hardening/types';
import { describeJsonValue, parseWithSchema } from '../validation/issues';

/*
 * The launch settings of a RunTask (or CreateService / UpdateService) request, as `aws ecs run-task
 * --cli-input-json` takes it. API_RunTask: `enableExecuteCommand` defaults to false and, on Fargate, an omitted
 * `platformVersion` means "LATEST"; API_AwsVpcConfiguration: `assignPublicIp` defaults to "DISABLED"
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html,
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_AwsVpcConfiguration.html). So a request that
 * leaves a setting out still decides it: the API default is the fact, and its source says "(RunTask default)".
 */
const launchSchema = zodSchema((z) =>
  z.looseObject({
    enableExecuteCommand: z.boolean().nullish(),
    platformVersion: z.string().min(1).nullish(),
    networkConfiguration: z
      .looseObject({
        awsvpcConfiguration: z.looseObject({ assignPublicIp: z.enum(['ENABLED', 'DISABLED']).nullish() }).nullish(),
      })
      .nullish(),
  }),
);

/**
 * The launch facts a RunTask / CreateService request gives, each with `source` as its origin. A string is read as
 * JSON text; a document that is not an object, or a field of the wrong type, is an `InputError` naming `source`.
 */
export function launchFactsFromRequest(json: unknown, source: string, origin: string): LaunchFacts {
  const document = typeof json === 'string' ? parseJsonText(json, { source, what: 'RunTask request', expected: 'a RunTask request object' }) : json;
  if (document === null || typeof document !== 'object' || Array.isArray(document)) {
    throw new InputError(`expected a RunTask request object ({ "taskDefinition", "networkConfiguration", ... }), got ${describeJsonValue(document)}`, { source });
  }
  refuseOtherDocuments(document as Record<string, unknown>, source);
  return factsOfRequest(parseWithSchema(launchSchema(), document, { source }), origin, `${origin} (RunTask default)`);
}

/** Members of API responses (CreateService / UpdateService / DescribeServices: `service(s)`; RunTask / DescribeTasks: `tasks`), never of a request. */
const RESPONSE_MEMBERS = ['service', 'services', 'tasks'] as const;
/** The RunTask request members that say something about how the task is launched (API_RunTask). */
const REQUEST_MEMBERS = ['taskDefinition', 'networkConfiguration', 'launchType', 'capacityProviderStrategy', 'platformVersion', 'enableExecuteCommand'] as const;

/**
 * A response (`{"service": {...}}`, `{"tasks": [...]}`) or an empty object would otherwise pass as a request that sets
 * nothing, and the API defaults would stand in for facts nobody stated: refuse both.
 */
function refuseOtherDocuments(document: Record<string, unknown>, source: string): void {
  const response = RESPONSE_MEMBERS.find((member) => member in document);
  if (response !== undefined) {
    throw new InputError(
      `this is not a RunTask request: it has a top-level "${response}", as an ECS API response does; give the request (aws ecs run-task --cli-input-json, or --generate-cli-skeleton)`,
      { source },
    );
  }
  if (!REQUEST_MEMBERS.some((member) => member in document)) {
    throw new InputError(`this is not a RunTask request: it has none of ${REQUEST_MEMBERS.join(', ')}`, { source });
  }
}

function factsOfRequest(request: z.infer<ReturnType<typeof launchSchema>>, origin: string, defaultOrigin = origin): LaunchFacts {
  const exec = request.enableExecuteCommand;
  const platform = request.platformVersion;
  const assign = request.networkConfiguration?.awsvpcConfiguration?.assignPublicIp;
  return {
    execCommand: exec != null ? { value: exec, source: origin } : { value: false, source: defaultOrigin },
    platformVersion: platform != null ? { value: platform, source: origin } : { value: 'LATEST', source: defaultOrigin },
    publicIp: assign != null ? { value: assign === 'ENABLED', source: origin } : { value: false, source: defaultOrigin },
  };
}

/**
 * The launch facts of a RunTask request as CloudTrail recorded it (`requestParameters`): the request's own settings,
 * with the API defaults for those it left out, as `launchFactsFromRequest`. An event is not a user's file: a
 * request the gate cannot read gives no facts (each rule then says "not judged"), never an error.
 */
export function launchFactsFromRecordedRequest(requestParameters: unknown, origin: string): LaunchFacts {
  const parsed = launchSchema().safeParse(requestParameters);
  return parsed.success ? factsOfRequest(parsed.data, origin) : {};
}

/** How launch facts read from DescribeTasks name their source. */
export const DESCRIBE_TASKS_SOURCE = 'from DescribeTasks';


/**
 * The launch facts an ECS task itself carries (API_Task, as DescribeTasks, the RunTask response and the ECS Task State
 * Change `detail` give it): `enableExecuteCommand` and, on Fargate, `platformVersion`, both as ECS applied them.
 * Only what the task states is a fact: a member it leaves out (older events have no `enableExecuteCommand`) stays
 * unknown. A task never says whether it has a public IP: its ENI attachment `details` name the subnet, the ENI id,
 * the MAC address, the private DNS name and the private IPv4 address only (the Task State Change samples in
 * ../shared/conformance/events, API_Attachment / API_KeyValuePair), and a public IP would need an EC2
 * DescribeNetworkInterfaces call. So `publicIp` is never set here.
 */
export function launchFactsFromTask(task: unknown, origin: string): LaunchFacts {
  // Read without zod (every task event reads it): a member of another type, or a platform version that is empty or
  // longer than 64 characters, is no fact. zod's lengths count code points: so does `codePoints`.
  if (typeof task !== 'object' || task === null || Array.isArray(task)) return {};
  const { enableExecuteCommand, platformVersion } = task as { enableExecuteCommand?: unknown; platformVersion?: unknown };
  const facts: LaunchFacts = {};
  if (typeof enableExecuteCommand === 'boolean') facts.execCommand = { value: enableExecuteCommand, source: origin };
  if (isPlatformVersion(platformVersion)) facts.platformVersion = { value: platformVersion, source: origin };
  return facts;
}

/** Within `z.string().min(1).max(64)`: zod's lengths count code points, so does `codePoints`. */
function isPlatformVersion(value: unknown): value is string {
  return typeof value === 'string' && value.length >= 1 && (value.length <= 64 || codePoints(value) <= 64);
}

function codePoints(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}

/** How launch facts read from a service revision name their source. */
export const SERVICE_REVISION_SOURCE = 'from the service revision';

/**
 * The launch facts of a service revision (API_ServiceRevision, DescribeServiceRevisions): `platformVersion` (Fargate)
 * and `networkConfiguration.awsvpcConfiguration.assignPublicIp`, where the revision states them. An awsvpc
 * configuration without `assignPublicIp` takes the API default, DISABLED (API_AwsVpcConfiguration); a revision with
 * no awsvpc configuration at all leaves the public IP unknown. A service revision has no `enableExecuteCommand`:
 * ECS Exec is a setting of the service (DescribeServices), not of its revision, so it is never a fact here.
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceRevision.html
 */
export function launchFactsFromServiceRevision(revision: unknown, origin = SERVICE_REVISION_SOURCE): LaunchFacts {
  // Read without zod (every hook invocation reads one), as launchFactsFromTask: a member of another type is no fact.
  // A platform version is one of 1 to 64 code points; an `assignPublicIp` other than ENABLED or DISABLED (or an
  // awsvpc configuration that is not an object) makes the whole network configuration no fact.
  if (!isObject(revision)) return {};
  const { platformVersion, networkConfiguration } = revision as { platformVersion?: unknown; networkConfiguration?: unknown };
  const facts: LaunchFacts = {};
  if (isPlatformVersion(platformVersion)) facts.platformVersion = { value: platformVersion, source: origin };
  if (!isObject(networkConfiguration)) return facts;
  const awsvpc = (networkConfiguration as { awsvpcConfiguration?: unknown }).awsvpcConfiguration;
  if (!isObject(awsvpc)) return facts;
  const assign = (awsvpc as { assignPublicIp?: unknown }).assignPublicIp;
  if (assign === undefined || assign === null || assign === 'ENABLED' || assign === 'DISABLED') facts.publicIp = { value: assign === 'ENABLED', source: origin };
  return facts;
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
