import * as z from 'zod';
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
 * leaves a setting out still decides it: the API default is the fact.
 */
const launchSchema = z.looseObject({
  enableExecuteCommand: z.boolean().nullish(),
  platformVersion: z.string().min(1).nullish(),
  networkConfiguration: z
    .looseObject({
      awsvpcConfiguration: z.looseObject({ assignPublicIp: z.enum(['ENABLED', 'DISABLED']).nullish() }).nullish(),
    })
    .nullish(),
});

/**
 * The launch facts a RunTask / CreateService request gives, each with `source` as its origin. A string is read as
 * JSON text; a document that is not an object, or a field of the wrong type, is an `InputError` naming `source`.
 */
export function launchFactsFromRequest(json: unknown, source: string, origin: string): LaunchFacts {
  const document = typeof json === 'string' ? parseJsonText(json, { source, what: 'RunTask request', expected: 'a RunTask request object' }) : json;
  if (document === null || typeof document !== 'object' || Array.isArray(document)) {
    throw new InputError(`expected a RunTask request object ({ "taskDefinition", "networkConfiguration", ... }), got ${describeJsonValue(document)}`, { source });
  }
  const request = parseWithSchema(launchSchema, document, { source });
  return {
    execCommand: { value: request.enableExecuteCommand ?? false, source: origin },
    platformVersion: { value: request.platformVersion ?? 'LATEST', source: origin },
    publicIp: { value: request.networkConfiguration?.awsvpcConfiguration?.assignPublicIp === 'ENABLED', source: origin },
  };
}
