import { clusterInScope } from '../../../functions/core/organisation/cluster-scope';

const CENTRAL = '111122223333';
const MEMBER = '444455556666';
const cluster = (account: string, name: string) => `arn:aws:ecs:eu-west-1:${account}:cluster/${name}`;
const LISTED = [cluster(CENTRAL, 'prod')];

describe('clusterInScope', () => {
  it('takes every cluster when none is listed', () => {
    expect(clusterInScope(cluster(MEMBER, 'x'), [])).toBe(true);
    expect(clusterInScope(undefined, undefined)).toBe(true);
  });

  it('holds a single-account gate to its list', () => {
    expect(clusterInScope(cluster(CENTRAL, 'prod'), LISTED)).toBe(true);
    expect(clusterInScope(cluster(CENTRAL, 'staging'), LISTED)).toBe(false);
    expect(clusterInScope(cluster(MEMBER, 'prod'), LISTED)).toBe(false);
    expect(clusterInScope(undefined, LISTED)).toBe(false);
  });

  it('in an organisation, holds the central account to the list and leaves member clusters to their member stacks', () => {
    expect(clusterInScope(cluster(CENTRAL, 'prod'), LISTED, CENTRAL)).toBe(true);
    expect(clusterInScope(cluster(CENTRAL, 'staging'), LISTED, CENTRAL)).toBe(false);
    expect(clusterInScope(cluster(MEMBER, 'anything'), LISTED, CENTRAL)).toBe(true);
    expect(clusterInScope('not-an-arn', LISTED, CENTRAL)).toBe(false);
  });
});
