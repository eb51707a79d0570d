import { environmentFiles } from '../../../../../functions/core/policy/rules/hardening/environmentFiles';
import { findings, run } from './support';

describe('hardening.environmentFiles', () => {
  it('flags environment files and says their contents cannot be seen, naming where they come from', () => {
    const out = findings(
      run(environmentFiles, { action: 'warn' }, {
        containers: [
          { name: 'a', environmentFiles: [{ value: 'arn:aws:s3:::b/a.env', type: 's3', origin: 'taskDefinition' }, { value: 'arn:aws:s3:::b/o.env', type: 's3', origin: 'overrides' }] },
          { name: 'b', environmentFiles: [] },
          { name: 'c' },
        ],
      }),
    );
    expect(out).toHaveLength(1);
    expect(out[0].message).toContain('loads 2 environment files from the task definition and the RunTask overrides');
    expect(out[0].message).toContain('contents cannot be seen');
  });
});
