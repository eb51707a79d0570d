import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { policyProblems, serviceActions } from '../support/iam-catalogue';
import type { PolicyDocument } from '../support/template-iam';

/**
 * The lock-down docs/deploy.md recommends for the scan project (a service control policy), read from the doc itself:
 * every action exists in AWS's IAM catalogue, on resources of its types; every CodeBuild action that can start or run a
 * build of a project, or act in one, is denied; and a simulation shows it refuses an administrator and lets the gate
 * start its scans.
 */

const DOC = resolve(__dirname, '../../docs/deploy.md');
const MARKER = '<!-- scan-project-lockdown: checked by test/infra/scan-project-lockdown.test.ts -->';

const ACCOUNT = '111122223333';
const VALUES: Record<string, string> = { '<region>': 'us-west-2', '<account>': ACCOUNT, '<ScanProjectName>': 'GateScanProject1234-abcd', '<stack>': 'FargateGate' };
const PROJECT = `arn:aws:codebuild:us-west-2:${ACCOUNT}:project/GateScanProject1234-abcd`;
const ROLE = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;

/** The JSON block right after the marker, with its placeholders filled in. */
function lockdownFromDoc(markdown = readFileSync(DOC, 'utf8')): PolicyDocument {
  const at = markdown.indexOf(MARKER);
  if (at < 0) throw new Error(`docs/deploy.md has no ${MARKER}`);
  const block = /^\s*```json\n([\s\S]*?)\n```/.exec(markdown.slice(at + MARKER.length));
  if (!block) throw new Error('no ```json block right after the lock-down marker in docs/deploy.md');
  return JSON.parse(block[1].replace(/<[A-Za-z]+>/g, (placeholder) => VALUES[placeholder] ?? placeholder)) as PolicyDocument;
}

const deniedActions = (document: PolicyDocument) => document.Statement.filter((s) => s.Effect === 'Deny').flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action!]));

/**
 * CodeBuild actions on a project or a sandbox that neither start nor run a build, nor act with the project's role,
 * each with why; any other such action of the catalogue must be in the lock-down.
 */
const NOT_RUNNING_A_BUILD: Record<string, string> = {
  StopBuild: 'stops a build',
  StopBuildBatch: 'stops a build batch',
  StopSandbox: 'stops a sandbox',
  BatchDeleteBuilds: 'deletes build records',
  DeleteBuildBatch: 'deletes a build batch record',
  DeleteWebhook: 'removes a trigger',
  DeleteResourcePolicy: 'removes sharing',
  InvalidateProjectCache: 'empties the cache; the next build downloads the scanner DB again',
  UpdateProjectVisibility: 'makes build results public or private; runs nothing',
};

describe('the scan project lock-down in docs/deploy.md', () => {
  const document = lockdownFromDoc();

  it('names only catalogue actions, on resources of their types, with valid condition keys', async () => {
    expect(document.Statement.length).toBeGreaterThan(0);
    expect(await policyProblems(document, { checkResources: true })).toEqual([]);
  });

  it('denies every CodeBuild action of the catalogue that can start or run a build of a project or act in one', async () => {
    const denied = new Set(deniedActions(document));
    const candidates = (await serviceActions('codebuild')).filter((action) => action.accessLevel !== 'Read' && action.accessLevel !== 'List' && action.resourceTypes.some((type) => type.name === 'project' || type.name === 'sandbox'));
    expect(candidates.map((action) => action.name)).toEqual(expect.arrayContaining(['StartBuild', 'RetryBuild', 'StartBuildBatch', 'StartSandbox', 'StartCommandExecution', 'UpdateProject']));
    const missing = candidates.filter((action) => !denied.has(`codebuild:${action.name}`) && !(action.name in NOT_RUNNING_A_BUILD)).map((action) => action.name);
    expect(missing).toEqual([]);
    for (const name of Object.keys(NOT_RUNNING_A_BUILD)) expect(candidates.map((action) => action.name)).toContain(name);
    expect(denied).toContain('iam:PassRole');
  });

  async function decision(principal: string, action: string, resource: string, identityActions: string[]) {
    const result = await runSimulation(
      {
        // AWS sets aws:PrincipalArn on every request; the simulator takes it from the context.
        request: { principal, action, resource: { resource, accountId: ACCOUNT }, contextVariables: { 'aws:PrincipalArn': principal } },
        identityPolicies: [{ name: 'broad', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: identityActions, Resource: '*' }] } }],
        serviceControlPolicies: [{ orgIdentifier: 'r-root', policies: [{ name: 'FullAWSAccess', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } }, { name: 'ScanProjectLockdown', policy: document }] }],
        resourceControlPolicies: [],
      },
      {},
    );
    if (result.resultType !== 'single') throw new Error(`${action}: ${JSON.stringify(result)}`);
    return result.overallResult;
  }

  it('refuses an administrator every listed action, and lets the gate and the hook start scan builds', async () => {
    const admin = ROLE('Administrator');
    const resources: Record<string, string> = {
      'codebuild:StartSandboxConnection': `arn:aws:codebuild:us-west-2:${ACCOUNT}:sandbox/GateScanProject1234-abcd:5f3a`,
      'codebuild:StartCommandExecution': `arn:aws:codebuild:us-west-2:${ACCOUNT}:sandbox/GateScanProject1234-abcd:5f3a`,
      'iam:PassRole': ROLE('FargateGate-GateScanRole1D54F03E-ABC'),
    };
    for (const action of deniedActions(document)) {
      expect({ action, result: await decision(admin, action, resources[action] ?? PROJECT, ['codebuild:*', 'iam:PassRole']) }).toEqual({ action, result: 'ExplicitlyDenied' });
    }
    for (const role of ['FargateGate-GateGateFunctionRole49DCA25E-ABC', 'FargateGate-GateHookFunctionRole3A58CB78-ABC']) {
      expect(await decision(ROLE(role), 'codebuild:StartBuild', PROJECT, ['codebuild:StartBuild'])).toBe('Allowed');
    }
    // CloudFormation may still update the project and pass it the scan role.
    const cloudFormation = ROLE(`cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-us-west-2`);
    expect(await decision(cloudFormation, 'codebuild:UpdateProject', PROJECT, ['codebuild:*'])).toBe('Allowed');
    expect(await decision(cloudFormation, 'iam:PassRole', resources['iam:PassRole'], ['iam:PassRole'])).toBe('Allowed');
  });

  it('is read from the doc: a missing marker or block is an error', () => {
    expect(() => lockdownFromDoc('# no lock-down here')).toThrow(/has no <!-- scan-project-lockdown/);
    expect(() => lockdownFromDoc(`${MARKER}\n\ntext\n`)).toThrow(/no ```json block/);
  });
});
