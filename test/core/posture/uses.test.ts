import { usesOfTask } from '../../../functions/core/posture/uses';

const DIGEST = `sha256:${'c'.repeat(64)}`;
const TASK = {
  taskArn: 'arn:aws:ecs:eu-west-1:111122223333:task/prod/0123456789abcdef0123456789abcdef',
  clusterArn: 'arn:aws:ecs:eu-west-1:111122223333:cluster/prod',
  taskDefinitionArn: 'arn:aws:ecs:eu-west-1:111122223333:task-definition/web:1',
  containers: [{ name: 'app', image: `111122223333.dkr.ecr.eu-west-1.amazonaws.com/web@${DIGEST}` }],
};

describe('usesOfTask', () => {
  it('records the exposure the task\'s launch facts settled and the task definition\'s tags of the sighting', () => {
    const [use] = usesOfTask(
      { ...TASK, exposure: { value: 'public', source: 'a public IP is assigned (RunTask)' } },
      { seenAt: '2026-12-01T10:00:00.000Z', source: 'taskEvent', taskDefinitionTags: { team: 'payments' } },
    );
    expect(use).toMatchObject({ digest: DIGEST, exposure: { value: 'public', source: 'a public IP is assigned (RunTask)' }, taskDefinitionTags: { team: 'payments' } });
  });

  it('says nothing of exposure or tags when nothing settled them', () => {
    const [use] = usesOfTask(TASK, { seenAt: '2026-12-01T10:00:00.000Z', source: 'reconciliation' });
    expect(use).not.toHaveProperty('exposure');
    expect(use).not.toHaveProperty('taskDefinitionTags');
  });
});
