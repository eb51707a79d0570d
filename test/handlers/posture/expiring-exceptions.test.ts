import { silentLogger } from '../../../functions/handlers/logger';
import { reportExpiringExceptions } from '../../../functions/handlers/posture/expiring-exceptions';
import { buildRuntime } from '../../../functions/handlers/runtime';
import { createWorld, policyOf } from '../support/fakes';


describe('reportExpiringExceptions', () => {
  it('counts the exceptions expiring within the window every run and notes each one once', async () => {
    const world = createWorld();
    const policy = policyOf({
      exceptions: [
        { id: 'SEC-1', match: { ids: ['CVE-2025-1000'] }, reason: 'accepted', owner: 'team-a', expiresAt: '2026-01-08' },
        { id: 'SEC-2', match: { ids: ['CVE-2025-1001'] }, reason: 'accepted', owner: 'team-b', expiresAt: '2026-06-01' },
      ],
    });
    const rt = buildRuntime(world.deps(policy));
    expect((await reportExpiringExceptions(rt, 14, silentLogger())).map((e) => e.id)).toEqual(['SEC-1']);
    await reportExpiringExceptions(rt, 14, silentLogger());
    expect(world.metrics.counts.filter((c) => c.name === 'ExceptionsExpiringSoon').map((c) => c.value)).toEqual([1, 1]);
    expect([...world.store.enforcements.keys()]).toEqual([`exception-expiring#${policy.hash}#SEC-1#2026-01-08T00:00:00.000Z`]);
    expect(world.calls().filter((call) => call === 'store.claimEnforcement')).toHaveLength(2);
  });
});
