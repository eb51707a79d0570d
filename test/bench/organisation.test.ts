import { resolve } from 'node:path';
import { measureOrganisation } from '../../bench/organisation';
import { defaultPolicy } from '../../bench/policy-engine';

const ROOT = resolve(__dirname, '../..');

describe('measureOrganisation', () => {
  it('with the real gate over several accounts: one scan per digest, one role assumption per served account, no wrong or missed stop', async () => {
    const figures = await measureOrganisation({ root: ROOT, policy: defaultPolicy(ROOT), seed: 'organisation-test', accounts: 4, images: 6, tasksPerAccount: 8, durationMs: 30 * 60_000 });
    expect(figures.events).toBeGreaterThan(4 * 8);
    expect(figures.distinctDigests).toBeGreaterThan(1);
    expect(figures.scansStarted).toBe(figures.distinctDigests);
    expect(figures.scansPerDistinctDigest).toBe(1);
    expect(figures.roleAssumptionsOfServedAccounts).toBe(4);
    // The member without a role is refused at every event that needs it: counted, never acted on; its refusal is
    // remembered for a minute, so most refusals cost no AssumeRole.
    expect(figures.memberRoleErrors).toBeGreaterThan(0);
    expect(figures.roleRefusalsFromCache).toBeGreaterThan(0);
    expect(figures.roleAssumptions - figures.roleAssumptionsOfServedAccounts).toBeLessThan(figures.memberRoleErrors);
    expect(figures.tasksThatMustStop).toBeGreaterThan(0);
    expect(figures.wrongStops).toBe(0);
    expect(figures.missedStops).toBe(0);
  });
});
