import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { createMemberPorts } from '../../functions/adapters/member-ports';
import { MemberCredentials } from '../../functions/adapters/member-credentials';
import { stsAssumeRole } from '../../functions/adapters/sts-assume-role';
import { MemberRoleError } from '../../functions/core/organisation/errors';

const A = { partition: 'aws', account: '444455556666', region: 'eu-west-1' };
const B = { partition: 'aws', account: '777788889999', region: 'eu-west-1' };
const HOUR = 60 * 60 * 1000;
const T0 = Date.parse('2026-12-06T12:00:00Z');

function accessDenied(): Error {
  return Object.assign(new Error('User: arn:aws:sts::111122223333:assumed-role/gate/x is not authorized to perform: sts:AssumeRole'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
}

describe('MemberCredentials over STS AssumeRole', () => {
  const sts = mockClient(STSClient);
  let now = T0;
  const issued = (expiresInMs: number, key = 'AKIA') => ({ Credentials: { AccessKeyId: key, SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(now + expiresInMs) } });
  const cache = () => new MemberCredentials({ assumeRole: stsAssumeRole(new STSClient({ region: 'eu-west-1' })), now: () => now });

  beforeEach(() => {
    sts.reset();
    now = T0;
  });

  it('assumes the member role of the event\'s account and region, named after the region, once for many calls', async () => {
    sts.on(AssumeRoleCommand).resolves(issued(HOUR));
    const credentials = cache();
    for (let i = 0; i < 50; i += 1) await credentials.credentialsFor(A);
    await Promise.all(Array.from({ length: 20 }, () => credentials.credentialsFor(B)));
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 2);
    expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, { RoleArn: 'arn:aws:iam::444455556666:role/fargate-gate-member-eu-west-1', RoleSessionName: 'fargate-gate' });
    expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, { RoleArn: 'arn:aws:iam::777788889999:role/fargate-gate-member-eu-west-1' });
    expect(credentials.assumptions).toBe(2);
  });

  it('keeps one session per region of an account', async () => {
    sts.on(AssumeRoleCommand).resolves(issued(HOUR));
    const credentials = cache();
    await credentials.credentialsFor(A);
    await credentials.credentialsFor({ ...A, region: 'us-east-1' });
    expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, { RoleArn: 'arn:aws:iam::444455556666:role/fargate-gate-member-us-east-1' });
    expect(credentials.assumptions).toBe(2);
  });

  it('refreshes credentials before they expire, not after', async () => {
    sts.on(AssumeRoleCommand).resolvesOnce(issued(HOUR, 'FIRST')).resolves(issued(HOUR, 'SECOND'));
    const credentials = cache();
    expect((await credentials.credentialsFor(A)).accessKeyId).toBe('FIRST');
    now = T0 + HOUR - 6 * 60 * 1000; // 6 minutes left: still used
    expect((await credentials.credentialsFor(A)).accessKeyId).toBe('FIRST');
    now = T0 + HOUR - 4 * 60 * 1000; // 4 minutes left: inside the 5-minute margin
    expect((await credentials.credentialsFor(A)).accessKeyId).toBe('SECOND');
    expect(credentials.assumptions).toBe(2);
  });

  it('turns a refusal into a MemberRoleError naming the account, remembers it for a minute, then asks STS again', async () => {
    sts.on(AssumeRoleCommand).rejectsOnce(accessDenied()).resolves(issued(HOUR));
    const credentials = cache();
    const error = await credentials.credentialsFor(A).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MemberRoleError);
    expect(error).toMatchObject({ account: A.account, region: A.region, reason: 'refused', cached: false, message: expect.stringContaining('arn:aws:iam::444455556666:role/fargate-gate-member-eu-west-1') });
    // Within the refusal TTL: the same refusal, marked cached, and STS is not asked (a missing role is not hammered).
    for (let i = 0; i < 10; i += 1) {
      now = T0 + i * 5_000;
      await expect(credentials.credentialsFor(A)).rejects.toMatchObject({ name: 'MemberRoleError', account: A.account, reason: 'refused', cached: true });
    }
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
    expect(credentials.refusalsFromCache).toBe(10);
    // Another account is not affected by A's refusal.
    await expect(credentials.credentialsFor(B)).resolves.toMatchObject({ accessKeyId: 'AKIA' });
    // Once the TTL is over, a StackSet may have deployed the role meanwhile: STS is asked again.
    now = T0 + 60_000;
    await expect(credentials.credentialsFor(A)).resolves.toMatchObject({ accessKeyId: 'AKIA' });
    expect(credentials.assumptions).toBe(3);
  });

  it('does not remember a throttled (failed) assumption: the next call asks STS again', async () => {
    sts.on(AssumeRoleCommand).rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } })).resolves(issued(HOUR));
    const credentials = cache();
    await expect(credentials.credentialsFor(A)).rejects.toMatchObject({ reason: 'failed', cached: false });
    await expect(credentials.credentialsFor(A)).resolves.toMatchObject({ accessKeyId: 'AKIA' });
    expect(credentials.refusalsFromCache).toBe(0);
  });

  it('with refusalTtlMs 0, remembers no refusal', async () => {
    sts.on(AssumeRoleCommand).rejectsOnce(accessDenied()).resolves(issued(HOUR));
    const credentials = new MemberCredentials({ assumeRole: stsAssumeRole(new STSClient({ region: 'eu-west-1' })), now: () => now, refusalTtlMs: 0 });
    await expect(credentials.credentialsFor(A)).rejects.toMatchObject({ reason: 'refused' });
    await expect(credentials.credentialsFor(A)).resolves.toMatchObject({ accessKeyId: 'AKIA' });
  });

  it('calls a throttled assumption failed, not refused', async () => {
    sts.on(AssumeRoleCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } }));
    await expect(cache().credentialsFor(A)).rejects.toMatchObject({ reason: 'failed', account: A.account });
  });

  it('refuses an STS answer without complete credentials', async () => {
    sts.on(AssumeRoleCommand).resolves({ Credentials: undefined });
    await expect(cache().credentialsFor(A)).rejects.toMatchObject({ reason: 'failed', message: expect.stringContaining('no complete credentials') });
  });

  it('gives the member\'s ECS client the member role\'s credentials, in the member\'s region', async () => {
    sts.on(AssumeRoleCommand).resolves(issued(HOUR, 'MEMBERKEY'));
    const credentials = cache();
    const { ecsClient } = createMemberPorts(A, credentials);
    expect(await ecsClient.config.region()).toBe('eu-west-1');
    const identity = await ecsClient.config.credentials();
    expect(identity).toMatchObject({ accessKeyId: 'MEMBERKEY', sessionToken: 't' });
    ecsClient.destroy();
  });
});
