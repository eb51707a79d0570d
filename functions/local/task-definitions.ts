// The local backend reads task definitions with zod at hand (core/zod-on-demand.ts), like the command line that runs it.
import '../io/zod-provided';
import type { TaskDefinitionPort } from '../core/ports';
import type { TaskDefinitionSpec } from '../core/taskdef/model';
import { parseTaskDefinition } from '../core/taskdef/parse';
import type { ActivityLog } from './activity';
import { arns, type AwsLocation } from './ids';

/**
 * Registered task definitions, by revision ARN and by `family:revision`. As `TaskDefinitionPort` it
 * behaves like the adapter: `DescribeTaskDefinition` once per revision, then from memory (revisions are
 * immutable), so only the first `get` of a revision counts as an AWS call.
 */
export class MemoryTaskDefinitions implements TaskDefinitionPort {
  private readonly byKey = new Map<string, TaskDefinitionSpec>();
  private readonly latestRevision = new Map<string, number>();
  private readonly fetched = new Set<string>();

  constructor(
    private readonly location: AwsLocation,
    private readonly activity?: ActivityLog,
  ) {}

  /**
   * Registers a task definition given in any shape `parseTaskDefinition` reads (RegisterTaskDefinition
   * input is the usual one). Without a revision the next free one is taken, as RegisterTaskDefinition does.
   */
  register(json: unknown, source: string): TaskDefinitionSpec {
    const parsed = parseTaskDefinition(json, source);
    const family = parsed.family ?? familyFromArn(parsed.arn);
    if (!family) throw new Error(`${source}: a task definition needs a "family" (or a taskDefinitionArn)`);
    const revision = parsed.revision ?? (this.latestRevision.get(family) ?? 0) + 1;
    const arn = arns.taskDefinition(this.location, family, revision);
    const spec: TaskDefinitionSpec = { ...parsed, arn, family, revision };
    if (this.byKey.has(arn)) throw new Error(`${source}: task definition ${family}:${revision} is registered twice`);
    this.byKey.set(arn, spec);
    this.byKey.set(`${family}:${revision}`, spec);
    this.latestRevision.set(family, Math.max(revision, this.latestRevision.get(family) ?? 0));
    return structuredClone(spec);
  }

  /** `family`, `family:revision` or an ARN → the registered revision ARN; undefined when unknown. */
  resolve(reference: string): string | undefined {
    if (this.byKey.has(reference)) return this.byKey.get(reference)?.arn;
    const latest = this.latestRevision.get(reference);
    return latest === undefined ? undefined : this.byKey.get(`${reference}:${latest}`)?.arn;
  }

  /** Lookup without counting, for the world itself. */
  peek(reference: string): TaskDefinitionSpec | undefined {
    const arn = this.resolve(reference);
    const spec = arn ? this.byKey.get(arn) : undefined;
    return spec ? structuredClone(spec) : undefined;
  }

  async get(taskDefinitionArn: string): Promise<TaskDefinitionSpec> {
    const spec = this.byKey.get(taskDefinitionArn);
    const cached = this.fetched.has(taskDefinitionArn);
    this.activity?.call('taskDefinitions.get', !cached);
    if (!spec) {
      // What DescribeTaskDefinition answers for a revision that does not exist.
      throw Object.assign(new Error('Unable to describe task definition.'), { name: 'ClientException' });
    }
    this.fetched.add(taskDefinitionArn);
    return structuredClone(spec);
  }
}

function familyFromArn(arn: string | undefined): string | undefined {
  const match = arn ? /task-definition\/([^:]+):\d+$/.exec(arn) : null;
  return match ? match[1] : undefined;
}
