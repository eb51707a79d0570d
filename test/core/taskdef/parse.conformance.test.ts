import { basename } from 'node:path';
import { applyOverrides, parseTaskDefinition } from '../../../functions/core/taskdef/parse';
import { conformanceFiles, conformanceTaskDefinitions, describeWithConformance, jsonObjects, readConformanceJson, type JsonObject } from '../../support/conformance';

const ecsApi = conformanceFiles('ecs-api');
const events = conformanceFiles('events');

const taskDefinitions = conformanceTaskDefinitions();

/** Tasks with overrides and containers (DescribeTasks, RunTask responses, Task State Change details). */
const tasksWithOverrides = [...ecsApi, ...events].flatMap((file) =>
  [...jsonObjects(readConformanceJson(file))]
    .filter(([, o]) => o.overrides !== undefined && Array.isArray(o.containers))
    .map(([path, o]) => ({ label: `${basename(file)} ${path}`, task: o })),
);

describeWithConformance('task definitions in the real ECS API samples', () => {
  it('finds the samples it is meant to check', () => {
    // DescribeTaskDefinition (aws-cli and botocore) plus RegisterTaskDefinition input and output (botocore).
    expect(taskDefinitions.length).toBeGreaterThanOrEqual(4);
    expect(tasksWithOverrides.length).toBeGreaterThanOrEqual(3);
  });

  it.each(taskDefinitions.map((t) => [t.label, t.json] as const))('%s parses with every container, image and variable', (label, json) => {
    const spec = parseTaskDefinition(json, label);
    const containers = json.containerDefinitions as JsonObject[];
    expect(spec.containers.map((c) => [c.name, c.image])).toEqual(containers.map((c) => [c.name, c.image]));
    spec.containers.forEach((container, index) => {
      expect(container.environment).toEqual(((containers[index].environment as JsonObject[] | undefined) ?? []).map((e) => ({ name: e.name, value: e.value ?? '' })));
      expect(container.essential).toBe(containers[index].essential ?? true);
      expect(container.overrideEnvironment).toEqual([]);
    });
    if (typeof json.taskDefinitionArn === 'string') expect(spec.arn).toBe(json.taskDefinitionArn);
  });

  it('reads the aws-cli DescribeTaskDefinition output whole, wrapper and tags included', () => {
    const file = ecsApi.find((f) => basename(f) === 'awscli-example-describe-task-definition-wordpress-mysql.json');
    expect(file).toBeDefined();
    const spec = parseTaskDefinition(readConformanceJson(file!), basename(file!));
    expect(spec.arn).toBe('arn:aws:ecs:us-east-1:012345678910:task-definition/hello_world:8');
    expect(spec.family).toBe('hello_world');
    expect(spec.revision).toBe(8);
    const mysql = spec.containers.find((c) => c.name === 'mysql');
    expect(mysql?.environment).toEqual([{ name: 'MYSQL_ROOT_PASSWORD', value: 'password' }]);
    expect(mysql?.user).toBeUndefined();
  });

  it.each(tasksWithOverrides.map((t) => [t.label, t.task] as const))('%s: its overrides apply to its own containers', (label, task) => {
    const containers = task.containers as JsonObject[];
    const spec = parseTaskDefinition(
      { containerDefinitions: containers.map((c) => ({ name: c.name, image: typeof c.image === 'string' ? c.image : 'unknown' })) },
      label,
    );
    const result = applyOverrides(spec, task.overrides, `${label}.overrides`);
    expect(result.containers.map((c) => c.name)).toEqual(spec.containers.map((c) => c.name));
    const overrides = ((task.overrides as JsonObject).containerOverrides as JsonObject[] | undefined) ?? [];
    for (const override of overrides) {
      const container = result.containers.find((c) => c.name === override.name);
      expect(container?.overrideEnvironment).toEqual(((override.environment as JsonObject[] | undefined) ?? []).map((e) => ({ name: e.name, value: e.value ?? '' })));
    }
  });
});
