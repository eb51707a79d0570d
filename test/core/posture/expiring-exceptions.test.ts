import { loadPolicy } from '../../../functions/core/policy/load';
import { expiringExceptions } from '../../../functions/core/posture/expiring-exceptions';

const exception = (id: string, expiresAt: string) => ({ id, match: { ids: ['CVE-2025-1000'] }, reason: 'accepted', owner: `team-${id}`, expiresAt });
const policy = loadPolicy(
  {
    schemaVersion: '1',
    name: 'p',
    mode: 'enforce',
    onScanError: 'deny',
    rules: { vulnerabilities: { action: 'deny', fixable: { minSeverity: 'high' } } },
    exceptions: [exception('later', '2026-03-01'), exception('soon', '2026-01-10T12:00:00Z'), exception('gone', '2026-01-01'), exception('sooner', '2026-01-07')],
  },
  'test policy',
);

describe('expiringExceptions', () => {
  it('lists the exceptions still in force that end within the window, soonest first, with their owners and days left', () => {
    expect(expiringExceptions(policy, Date.parse('2026-01-05T09:00:00Z'), 14)).toEqual([
      { id: 'sooner', owner: 'team-sooner', reason: 'accepted', expiresAt: '2026-01-07T00:00:00.000Z', daysLeft: 1 },
      { id: 'soon', owner: 'team-soon', reason: 'accepted', expiresAt: '2026-01-10T12:00:00.000Z', daysLeft: 5 },
    ]);
  });

  it('leaves out expired exceptions and those beyond the window', () => {
    expect(expiringExceptions(policy, Date.parse('2026-01-05T09:00:00Z'), 1).map((e) => e.id)).toEqual([]);
    expect(expiringExceptions(policy, Date.parse('2026-02-20T00:00:00Z'), 14).map((e) => e.id)).toEqual(['later']);
  });
});
