import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { marshall } from '@aws-sdk/util-dynamodb';
import { verdictToItem } from '../functions/adapters/dynamo-items';
import { parseScanReportText } from '../functions/core/findings';
import { assessImage } from '../functions/core/policy';
import { defaultPolicy } from './policy-engine';

/**
 * The honest cold start of a function: a fresh `node` imports the function's entry and handles the first typical event,
 * so the chunks that event `import()`s, the clients it builds and its first calls all count. Nothing reaches AWS: every
 * client's endpoint (`AWS_ENDPOINT_URL`, which every SDK v3 client reads) is a local HTTP server in the same process,
 * started before the clock, that answers each operation with a canned response of the documented shape.
 *
 * The first events: for the gate, an ECS Task State Change of a service task still PROVISIONING (its image named by an
 * ECR tag, which the gate resolves); for the hook, the PRE_SCALE_UP invocation of a deployment. In both the image's
 * digest already has a passing verdict (pre-scanned on push, the common case), so the path is: resolve the tag (ECR
 * DescribeImages), read the task definition (ECS), read the verdicts (DynamoDB BatchGetItem), judge; the hook also
 * reads the service revision and publishes its decision (EventBridge PutEvents).
 *
 * The baseline is the same path with nothing but the SDK: a bundle that constructs, in a fresh `node`, the client of
 * each service the function called on that path and sends it the first operation the function sent (the services and
 * operations are read from the function's own run, not listed by hand), answered by the same server.
 */

/** One timed process: import of the entry, then the first event (both from the same clock start). */
export interface ProbeTiming {
  importMs: number;
  firstEventMs: number;
}

/** What a probe run reports: its timing, the AWS operations the server answered (in order), the handler's result. */
export interface ProbeRun extends ProbeTiming {
  calls: AwsCall[];
  result: unknown;
}

export interface AwsCall {
  /** The X-Amz-Target service prefix (`DynamoDB_20120810`), `s3` or `sts`. */
  service: string;
  operation: string;
}

/** The first event of each function, and how it is invoked. */
export interface FirstEvent {
  name: 'gate' | 'hook';
  /** Path of the event under the project root. */
  eventFile: string;
  /** The hook gets a Lambda context with `getRemainingTimeInMillis`. */
  withContext: boolean;
}

export const FIRST_EVENTS: FirstEvent[] = [
  { name: 'gate', eventFile: 'test/fixtures/events/ecs-task-state-change-fargate-spot-provisioning-service.json', withContext: false },
  { name: 'hook', eventFile: 'test/fixtures/events/lifecycle-hook-pre-scale-up.json', withContext: true },
];

/**
 * The SDK client package and class of each JSON-protocol service prefix (`X-Amz-Target: <prefix>.<Operation>`, the
 * AWS JSON 1.0/1.1 protocols: https://smithy.io/2.0/aws/protocols/aws-json-1_1-protocol.html). A call to a service
 * missing here fails the bench rather than leave its client out of the baseline.
 */
export const JSON_SERVICES: Record<string, { packageName: string; clientClass: string }> = {
  DynamoDB_20120810: { packageName: '@aws-sdk/client-dynamodb', clientClass: 'DynamoDBClient' },
  AmazonEC2ContainerServiceV20141113: { packageName: '@aws-sdk/client-ecs', clientClass: 'ECSClient' },
  AmazonEC2ContainerRegistry_V20150921: { packageName: '@aws-sdk/client-ecr', clientClass: 'ECRClient' },
  CodeBuild_20161006: { packageName: '@aws-sdk/client-codebuild', clientClass: 'CodeBuildClient' },
  AWSEvents: { packageName: '@aws-sdk/client-eventbridge', clientClass: 'EventBridgeClient' },
};

/** A call as the bench prints it: the client's short name and the operation (`ecs.DescribeTaskDefinition`). */
export function describeCall(call: AwsCall): string {
  const service = JSON_SERVICES[call.service];
  return `${service ? service.packageName.replace('@aws-sdk/client-', '') : call.service}.${call.operation}`;
}

/**
 * The entry of the baseline: for each service called (first call of each, in order), its client constructed and the
 * operation sent, with no input (the server answers by operation). Exported as `handler`, like the functions.
 */
export function bareFirstSendEntry(calls: AwsCall[]): string {
  const firsts: AwsCall[] = [];
  for (const call of calls) if (!firsts.some((seen) => seen.service === call.service)) firsts.push(call);
  const imports: string[] = [];
  const sends: string[] = [];
  firsts.forEach((call, index) => {
    const service = JSON_SERVICES[call.service];
    if (!service) throw new Error(`the first event called ${call.service}.${call.operation}, a service the bench has no client for: add it to JSON_SERVICES`);
    imports.push(`import { ${service.clientClass} as Client${index}, ${call.operation}Command as Command${index} } from '${service.packageName}';`);
    sends.push(`  await new Client${index}({}).send(new Command${index}({} as never));`);
  });
  return `${imports.join('\n')}\n\nexport async function handler(): Promise<void> {\n${sends.join('\n')}\n}\n`;
}

/** The function's settings as the construct writes them (infra/fargate-gate.ts), for a stack with the default policy. */
export function functionEnvironment(bundleDir: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    AWS_REGION: 'eu-west-1',
    // Static keys: what Lambda gives a function (its role's session in these variables); never sent anywhere.
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    AWS_SESSION_TOKEN: 'bench-session-token',
    LAMBDA_TASK_ROOT: bundleDir,
    GATE_TABLE_NAME: 'gate-table',
    GATE_REPORT_BUCKET: 'gate-reports',
    GATE_SCAN_PROJECT_NAME: 'fargate-gate-scan',
    GATE_EVENT_BUS_NAME: 'default',
    GATE_POLICY_FILE: 'policy.json',
    GATE_KEV_CATALOGUE_KEY: '',
  };
}

/**
 * The canned answers: the server's configuration. A passing verdict for any digest asked for (its assessment that of a
 * clean Trivy report under the default policy, stored as the gate stores it, scanned now so the policy's maxScanAge
 * keeps it fresh), the ECR tag resolved to one digest, the
 * task definition naming the event's containers, the service revision naming that task definition.
 */
export async function cannedResponses(root: string): Promise<CannedResponses> {
  const policy = defaultPolicy(root);
  const report = parseScanReportText(readFileSync(join(root, 'test/fixtures/reports/trivy/image-no-results.json'), 'utf8'), 'bench report');
  const item = await verdictToItem(
    { digest: DIGEST_PLACEHOLDER, policyHash: HASH_PLACEHOLDER, assessment: assessImage(policy, report), scannedAt: new Date().toISOString(), expiresAt: 4_102_444_800 },
    { compressAboveBytes: 1_000_000 },
  );
  const event = JSON.parse(readFileSync(join(root, FIRST_EVENTS[0].eventFile), 'utf8')) as { detail: { taskDefinitionArn: string; containers: { name: string; image: string }[] } };
  const taskDefinitionArn = event.detail.taskDefinitionArn;
  const taskDefinition = {
    // DescribeTaskDefinition response (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeTaskDefinition.html).
    taskDefinitionArn,
    family: 'web',
    revision: 42,
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '1024',
    memory: '2048',
    status: 'ACTIVE',
    containerDefinitions: event.detail.containers.map((c, index) => ({ name: c.name, image: c.image, essential: index === 0, user: '1000' })),
  };
  return {
    verdictItem: marshall(item, { removeUndefinedValues: true }),
    json: {
      // https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_DescribeImages.html
      DescribeImages: { imageDetails: [{ registryId: '123456789012', repositoryName: 'shop/web', imageDigest: `sha256:${'a'.repeat(64)}`, imageTags: ['2026.01.05'], imagePushedAt: 1767603600 }] },
      DescribeTaskDefinition: { taskDefinition },
      // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeServiceRevisions.html
      DescribeServiceRevisions: {
        serviceRevisions: [{
          serviceRevisionArn: 'arn:aws:ecs:eu-west-1:123456789012:service-revision/prod/web/9313423515462893900',
          serviceArn: 'arn:aws:ecs:eu-west-1:123456789012:service/prod/web',
          clusterArn: 'arn:aws:ecs:eu-west-1:123456789012:cluster/prod',
          taskDefinition: taskDefinitionArn,
          launchType: 'FARGATE',
          platformVersion: '1.4.0',
          containerImages: event.detail.containers.map((c) => ({ containerName: c.name, image: c.image, imageDigest: `sha256:${'a'.repeat(64)}` })),
        }],
        failures: [],
      },
      PutEvents: { FailedEntryCount: 0, Entries: [{ EventId: '11710aed-b79e-4468-a20b-bb3c0c3b4860' }] },
      StartBuild: { build: { id: 'fargate-gate-scan:0f0e0d0c-0b0a-4909-8807-060504030201', buildStatus: 'IN_PROGRESS' } },
    },
  };
}

export interface CannedResponses {
  /** A verdict item (DynamoDB JSON) with the placeholders for the digest and policy hash of the key asked for. */
  verdictItem: Record<string, unknown>;
  /** Responses of the other JSON-protocol operations, by operation name; any other operation answers `{}`. */
  json: Record<string, unknown>;
}

const DIGEST_PLACEHOLDER = '__DIGEST__';
const HASH_PLACEHOLDER = '__POLICY_HASH__';

/**
 * The probe (an ES module run with `node --input-type=module -e`): argv = entry URL, event file ('' for none), canned
 * responses file, result file, 'context' or ''. Starts the local AWS endpoint, then the clock; imports the entry, calls
 * its `handler` with the event; writes the timings, the calls served and the result to the result file.
 */
export const PROBE_SOURCE = `
import { createServer } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
const [entry, eventFile, cannedFile, resultFile, withContext] = process.argv.slice(1);
const canned = JSON.parse(readFileSync(cannedFile, 'utf8'));
const event = eventFile ? JSON.parse(readFileSync(eventFile, 'utf8')) : undefined;
const calls = [];
const verdicts = (request) => {
  const responses = {};
  for (const [table, { Keys }] of Object.entries(request.RequestItems ?? {})) {
    responses[table] = Keys.filter((key) => key.pk.S.startsWith('digest#') && key.sk.S.startsWith('verdict#')).map((key) => {
      const text = JSON.stringify(canned.verdictItem).replaceAll('${DIGEST_PLACEHOLDER}', key.pk.S.slice('digest#'.length)).replaceAll('${HASH_PLACEHOLDER}', key.sk.S.slice('verdict#'.length));
      return { ...JSON.parse(text), pk: key.pk, sk: key.sk };
    });
  }
  return { Responses: responses, UnprocessedKeys: {} };
};
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk) => { body += chunk; });
  req.on('end', () => {
    const target = req.headers['x-amz-target'];
    if (typeof target !== 'string') {
      calls.push({ service: 'unknown', operation: req.method + ' ' + req.url });
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"__type":"UnknownOperationException"}');
      return;
    }
    const [service, operation] = target.split('.');
    calls.push({ service, operation });
    const answer = operation === 'BatchGetItem' ? verdicts(JSON.parse(body || '{}')) : canned.json[operation] ?? {};
    const type = service === 'DynamoDB_20120810' ? 'application/x-amz-json-1.0' : 'application/x-amz-json-1.1';
    res.writeHead(200, { 'content-type': type, 'x-amzn-requestid': 'bench' }).end(JSON.stringify(answer));
  });
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:' + server.address().port;
const start = process.hrtime.bigint();
const module = await import(entry);
const imported = process.hrtime.bigint();
const context = withContext === 'context' ? { getRemainingTimeInMillis: () => 30000 } : undefined;
const result = await module.handler(event, context);
const done = process.hrtime.bigint();
writeFileSync(resultFile, JSON.stringify({ importMs: Number(imported - start) / 1e6, firstEventMs: Number(done - start) / 1e6, calls, result: result ?? null }));
server.close();
process.exit(0);
`;

export interface ProbeInput {
  entryFile: string;
  eventFile?: string;
  cannedFile: string;
  withContext: boolean;
  env: NodeJS.ProcessEnv;
  nodeOptions: string;
}

/** Runs the probe once in a fresh `node`. */
export function runProbe(input: ProbeInput): ProbeRun {
  const dir = mkdtempSync(join(tmpdir(), 'fargate-gate-probe-'));
  try {
    const resultFile = join(dir, 'result.json');
    const args = [pathToFileURL(input.entryFile).href, input.eventFile ?? '', input.cannedFile, resultFile, input.withContext ? 'context' : ''];
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', PROBE_SOURCE, ...args], {
      env: { ...input.env, NODE_OPTIONS: input.nodeOptions },
      encoding: 'utf8',
      cwd: dir,
      maxBuffer: 64 * 1024 * 1024,
    });
    if (run.status !== 0) throw new Error(`the cold-start probe of ${input.entryFile} failed (exit ${run.status}): ${run.stderr}`);
    return JSON.parse(readFileSync(resultFile, 'utf8')) as ProbeRun;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Writes the canned responses where the probes read them; returns the file and a clean-up. */
export function writeCanned(canned: CannedResponses): { file: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'fargate-gate-canned-'));
  const file = join(dir, 'canned.json');
  writeFileSync(file, JSON.stringify(canned));
  return { file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
