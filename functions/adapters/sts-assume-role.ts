import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import type { AssumeRole } from './member-credentials';

/** AssumeRole through STS, with a session name that says who acts in the member account's CloudTrail. */
export function stsAssumeRole(sts: STSClient, sessionName = 'fargate-gate'): AssumeRole {
  return async (roleArn) => {
    const result = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: sessionName }));
    const credentials = result.Credentials;
    if (!credentials?.AccessKeyId || !credentials.SecretAccessKey || !credentials.SessionToken || !credentials.Expiration) {
      throw new Error(`STS AssumeRole of ${roleArn} returned no complete credentials`);
    }
    return { accessKeyId: credentials.AccessKeyId, secretAccessKey: credentials.SecretAccessKey, sessionToken: credentials.SessionToken, expiration: credentials.Expiration };
  };
}
