/**
 * Resolves the CloudFormation intrinsics CDK leaves in a synthesised value (Fn::Join, Ref, Fn::GetAtt) to the strings
 * CloudFormation would produce in a known account, so a rule's event pattern can be run against real events.
 */
export interface IntrinsicValues {
  partition?: string;
  region?: string;
  account?: string;
  /** Values for `{ Ref: logicalId }` and `{ 'Fn::GetAtt': [logicalId, attribute] }` (key `logicalId.attribute`). */
  refs?: Record<string, string>;
}

export function resolveIntrinsics(value: unknown, values: IntrinsicValues = {}): unknown {
  if (Array.isArray(value)) return value.map((item) => resolveIntrinsics(item, values));
  if (value === null || typeof value !== 'object') return value;
  const node = value as Record<string, unknown>;
  const keys = Object.keys(node);
  if (keys.length === 1 && keys[0] === 'Fn::Join') {
    const [delimiter, items] = node['Fn::Join'] as [string, unknown[]];
    return items.map((item) => String(resolveIntrinsics(item, values))).join(delimiter);
  }
  if (keys.length === 1 && keys[0] === 'Ref') {
    const name = node.Ref as string;
    const pseudo: Record<string, string | undefined> = { 'AWS::Partition': values.partition ?? 'aws', 'AWS::Region': values.region, 'AWS::AccountId': values.account };
    const resolved = name in pseudo ? pseudo[name] : values.refs?.[name];
    if (resolved === undefined) throw new Error(`no value for Ref ${name}`);
    return resolved;
  }
  if (keys.length === 1 && keys[0] === 'Fn::GetAtt') {
    const [logicalId, attribute] = node['Fn::GetAtt'] as [string, string];
    const resolved = values.refs?.[`${logicalId}.${attribute}`];
    if (resolved === undefined) throw new Error(`no value for Fn::GetAtt ${logicalId}.${attribute}`);
    return resolved;
  }
  return Object.fromEntries(keys.map((key) => [key, resolveIntrinsics(node[key], values)]));
}
