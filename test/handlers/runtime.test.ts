import type { TaskDefinitionSpec } from '../../functions/core/taskdef/model';
import { memoizeTaskDefinitions } from '../../functions/handlers/runtime';

const spec = (arn: string): TaskDefinitionSpec => ({ arn, containers: [] });

describe('memoizeTaskDefinitions', () => {
  it('reads a revision once, even when asked concurrently', async () => {
    const asked: string[] = [];
    const port = memoizeTaskDefinitions({ get: async (arn) => (asked.push(arn), spec(arn)) }, 10);
    await Promise.all([port.get('a'), port.get('a'), port.get('a')]);
    await port.get('a');
    expect(asked).toEqual(['a']);
  });

  it('forgets a failed read so the next event tries again', async () => {
    let calls = 0;
    const port = memoizeTaskDefinitions(
      {
        get: async (arn) => {
          calls += 1;
          if (calls === 1) throw new Error('throttled');
          return spec(arn);
        },
      },
      10,
    );
    await expect(port.get('a')).rejects.toThrow('throttled');
    await expect(port.get('a')).resolves.toEqual(spec('a'));
  });

  it('evicts the least recently used revision past its capacity', async () => {
    const asked: string[] = [];
    const port = memoizeTaskDefinitions({ get: async (arn) => (asked.push(arn), spec(arn)) }, 2);
    await port.get('a');
    await port.get('b');
    await port.get('a');
    await port.get('c');
    await port.get('a');
    await port.get('b');
    expect(asked).toEqual(['a', 'b', 'c', 'b']);
  });
});
