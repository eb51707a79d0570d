import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';
import type { PropertyType, SpecDatabase, TypeDefinition } from '@aws-cdk/service-spec-types';

/**
 * Validates a synthesised CloudFormation template against CloudFormation's resource schemas as CDK's own code
 * generator reads them (@aws-cdk/aws-service-spec): every resource type exists, and each resource's properties are
 * known, of the right type (primitives, lists, maps, nested types, unions), and none that is required is missing.
 * An intrinsic function stands for a value of any type: CloudFormation resolves it at deploy time.
 */

let database: SpecDatabase | undefined;
function db(): SpecDatabase {
  database ??= loadAwsServiceSpecSync();
  return database;
}

/** Keys a resource may carry beside `Type` and `Properties` (template anatomy, "Resources" section). */
const RESOURCE_ATTRIBUTES = new Set(['Type', 'Properties', 'DependsOn', 'Metadata', 'Condition', 'DeletionPolicy', 'UpdateReplacePolicy', 'UpdatePolicy', 'CreationPolicy']);

function isIntrinsic(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'));
}

/** Problems of one value against one schema type, at a path like `MyBucket.Properties.LifecycleConfiguration.Rules[0]`. */
function typeProblems(value: unknown, type: PropertyType, path: string): string[] {
  if (isIntrinsic(value)) return [];
  switch (type.type) {
    case 'string':
    case 'date-time':
      return typeof value === 'string' ? [] : [`${path}: expected a string, got ${describe(value)}`];
    case 'number':
    case 'integer':
      // CloudFormation takes numbers written as strings too ("30").
      return typeof value === 'number' || (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) ? [] : [`${path}: expected a ${type.type}, got ${describe(value)}`];
    case 'boolean':
      return typeof value === 'boolean' || value === 'true' || value === 'false' ? [] : [`${path}: expected a boolean, got ${describe(value)}`];
    case 'json':
      return [];
    case 'null':
      return value === null ? [] : [`${path}: expected null, got ${describe(value)}`];
    case 'tag':
      return objectProblems(value, { Key: { type: { type: 'string' }, required: true }, Value: { type: { type: 'string' }, required: true } }, path);
    case 'array':
      if (!Array.isArray(value)) return [`${path}: expected a list, got ${describe(value)}`];
      return value.flatMap((item, index) => typeProblems(item, type.element, `${path}[${index}]`));
    case 'map':
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return [`${path}: expected a map, got ${describe(value)}`];
      return Object.entries(value).flatMap(([key, item]) => typeProblems(item, type.element, `${path}.${key}`));
    case 'ref': {
      const definition = db().get('typeDefinition', type.reference.$ref) as TypeDefinition;
      return objectProblems(value, definition.properties, path);
    }
    case 'union': {
      const attempts = type.types.map((member) => typeProblems(value, member, path));
      if (attempts.some((problems) => problems.length === 0)) return [];
      return [`${path}: matches none of the types it may have: ${attempts.map((problems) => problems[0]).join(' | ')}`];
    }
  }
}

function objectProblems(value: unknown, properties: Record<string, { type: PropertyType; required?: boolean }>, path: string): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [`${path}: expected an object, got ${describe(value)}`];
  const problems: string[] = [];
  const given = value as Record<string, unknown>;
  for (const [name, item] of Object.entries(given)) {
    const property = properties[name];
    if (!property) problems.push(`${path}.${name}: unknown property (known: ${Object.keys(properties).sort().join(', ')})`);
    else problems.push(...typeProblems(item, property.type, `${path}.${name}`));
  }
  for (const [name, property] of Object.entries(properties)) if (property.required && !(name in given)) problems.push(`${path}.${name}: required property missing`);
  return problems;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}

/** Everything wrong with a template's resources against CloudFormation's resource schemas. */
export function templateSchemaProblems(template: { Resources?: Record<string, Record<string, unknown>> }): string[] {
  const problems: string[] = [];
  for (const [id, resource] of Object.entries(template.Resources ?? {})) {
    const type = resource.Type as string;
    for (const key of Object.keys(resource)) if (!RESOURCE_ATTRIBUTES.has(key)) problems.push(`${id}.${key}: not a resource attribute`);
    // Custom resources have no schema: only the service token is defined.
    if (type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource') {
      if (!(resource.Properties as Record<string, unknown> | undefined)?.ServiceToken) problems.push(`${id}.Properties.ServiceToken: required property missing`);
      continue;
    }
    const spec = db().lookup('resource', 'cloudFormationType', 'equals', type);
    if (spec.length !== 1) {
      problems.push(`${id}: ${type} is not a CloudFormation resource type`);
      continue;
    }
    problems.push(...objectProblems(resource.Properties ?? {}, spec[0].properties, `${id}.Properties`));
  }
  return problems;
}
