import { measureInventory } from '../../bench/inventory';

describe('the inventory bench', () => {
  it('reconciles a seeded fleet to exactly what runs, and costs the ListTasks pages plus one DescribeTasks per page of unknown tasks', async () => {
    const figures = await measureInventory({ seed: 'inventory-test', tasks: 250, clusters: 2, images: 12, churn: 20 });
    expect(figures.runningTasks).toBe(250);
    expect(figures.digestsInUse).toBe(figures.digestsRunning);
    expect(figures.firstPass.recorded).toBe(250);
    // Every task unknown: one DescribeTasks per ListTasks page (at most 100 tasks each).
    expect(figures.firstPass.describeCalls).toBe(figures.firstPass.listPages);
    // The owner tags: one DescribeTaskDefinition per task definition of the tasks recorded, none once all are known.
    expect(figures.taskDefinitionsRunning).toBeGreaterThan(1);
    expect(figures.firstPass.taskDefinitionReads).toBe(figures.taskDefinitionsRunning);
    expect(figures.steadyPass).toMatchObject({ describeCalls: 0, taskDefinitionReads: 0, recorded: 0, closed: 0, listPages: figures.firstPass.listPages });
    // The lost STOPPED events are closed, the tasks started unseen recorded: the inventory matches ECS again.
    expect(figures.churnPass).toMatchObject({ recorded: 20, closed: 20 });
    expect(figures.openUsesAfterChurn).toBe(figures.runningAfterChurn);
  });
});
