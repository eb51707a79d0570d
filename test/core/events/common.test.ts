import { z } from 'zod';
import { describeSchemaError } from '../../../functions/core/events/common';

describe('describeSchemaError', () => {
  const detail = z.looseObject({
    taskArn: z.string().regex(/^arn:/, 'expected a task ARN'),
    containers: z.array(z.looseObject({ name: z.string() })).min(1),
  });
  const reason = (value: unknown, root?: readonly PropertyKey[]) => describeSchemaError(detail.safeParse(value).error!, value, 'malformed ECS Task State Change', root);

  it('names the path from the event root, what was expected and the value found, cut short', () => {
    expect(reason({ taskArn: `task/${'x'.repeat(60)}`, containers: [{ name: 'app' }] })).toBe(
      `malformed ECS Task State Change at detail.taskArn: expected a task ARN, got the string "task/${'x'.repeat(35)}…"`,
    );
  });

  it('counts the problems after the first', () => {
    expect(reason({ taskArn: 'arn:x', containers: [{}, { name: 3 }] })).toBe('malformed ECS Task State Change at detail.containers[0].name: is required: expected a string (and 1 more problem)');
  });

  it('names no path when the validated part itself is wrong, or when it is the root', () => {
    expect(reason('STOPPED', [])).toBe('malformed ECS Task State Change: expected an object, got the string "STOPPED"');
    expect(reason({ taskArn: 7, containers: [{ name: 'a' }] }, [])).toBe('malformed ECS Task State Change at taskArn: expected a string, got the number 7');
  });
});
