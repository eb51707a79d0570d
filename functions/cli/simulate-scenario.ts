import { dirname, resolve } from 'node:path';
import * as z from 'zod';
import '../io/zod-provided';
import { InputError } from '../core/errors';
import { isValidEc2AboveImageBytes } from '../core/gate/ec2-above-image-bytes';
import { MAX_LAMBDA_COMPUTE_CONCURRENCY, MIN_LAMBDA_COMPUTE_CONCURRENCY } from '../core/gate/lambda-compute-concurrency';
import { isSha256Digest, parseImageReference, type ImageReference } from '../core/image/reference';
import type { LoadedPolicy, Policy } from '../core/policy';
import { loadPolicy, loadPolicyText } from '../core/policy/load';
import { parseDuration } from '../core/policy/duration';
import { parseByteSize } from '../core/report-size';
import { parseTaskDefinition } from '../core/taskdef/parse';
import type { TaskDefinitionSpec } from '../core/taskdef/model';
import { describeIssues, formatJsonPath, listProblems } from '../core/validation/issues';
import type { GateConfig } from '../handlers/config';
import { readJsonFile, readTextFile } from '../io/files';
import type { ScanOutcome } from '../local/codebuild';
import { TASK_STATUSES, type TaskStatus, type ServiceLaunch, type WorldPauseHook } from '../local/ecs';
import {
  accountIdSchema,
  accountsExpectationSchema,
  checkAccountKeys,
  organisationSchema,
  regionSchema,
  resolveOrganisation,
  unknownPlace,
  type AccountExpectation,
  type ScenarioOrganisation,
} from './simulate-organisation';

/**
 * The scenario file of `fargate-gate simulate` (format documented in examples/scenarios/README.md): a fake
 * AWS account (task definitions, images and how their scans end, services), a policy, and a list of steps in
 * real EventBridge shapes or compact forms that expand into them. Everything is checked before anything
 * runs, and every problem is reported at once (as for a policy): one `InputError` naming the file and, per
 * problem, the JSON path.
 */

type Path = (string | number)[];

const ACTION_KEYS = ['startScan', 'startScanRefused', 'stopTask', 'rollbackDeployment', 'continueServiceDeployment', 'scaleService', 'notify', 'hookResponse'] as const;
export type ExpectedActionKey = (typeof ACTION_KEYS)[number];

const durationText = z
  .string()
  .refine((text) => 'ms' in parseDuration(text), { message: 'expected a duration such as "90s", "2m", "1h30m" (units w, d, h, m, s)' });
const taskStatus = z.enum(TASK_STATUSES);
const sha256 = z.string().refine(isSha256Digest, { message: 'expected a sha256 digest: "sha256:" and 64 lowercase hex characters' });
const label = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/, { message: 'expected a label of letters, digits, _ . : - (up to 64)' });
/**
 * A service's n-th task (from 1, in launch order), as the runner labels it. Neither labels nor service names can hold
 * `#`, so a name of this form is never a label, and the service it names is checked against the declared ones.
 */
const SERVICE_TASK = /^([A-Za-z0-9_-]{1,255})#([1-9]\d{0,5})$/;
/** A task a step or an expectation names: a label a runTask step gave it, or `<service>#<n>` for a service task. */
const taskName = z.string().regex(/^(?:[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}|[A-Za-z0-9_-]{1,255}#[1-9]\d{0,5})$/, {
  message: 'expected a task label (letters, digits, _ . : -) or "<service>#<n>" (n from 1) for a service task',
});
const principalArn = z
  .string()
  .regex(/^arn:aws[a-z-]*:(?:iam::\d{12}:(?:user|role)\/.+|sts::\d{12}:assumed-role\/[^/]+\/.+)$/, {
    message: 'expected an IAM user or role ARN, or an STS assumed-role ARN',
  });

const outcomeSchema = z
  .strictObject({
    report: z.string().min(1).optional().meta({ description: 'Path of the raw Trivy JSON the build uploads, relative to the scenario file. The build SUCCEEDS.' }),
    error: z.string().min(1).optional().meta({ description: 'The build FAILS with this message.' }),
    timeout: z.literal(true).optional().meta({ description: 'The build hangs until CodeBuild times it out (TIMED_OUT).' }),
    outgrowsLambdaCompute: z
      .literal(true)
      .optional()
      .meta({ description: 'With world.scanCompute "lambda": the build times out at Lambda compute\'s 15 minutes, and the EC2 fallback\'s build ends as report or error say.' }),
    capacityErrors: z.int().min(0).max(100).optional().meta({ description: 'StartBuild is refused for capacity this many times first.' }),
    duration: durationText.optional().meta({ description: 'How long the build runs (default: world.scanDuration).' }),
    lostEvent: z.boolean().optional().meta({ description: 'The build ends but its Build State Change event is never delivered.' }),
  })
  .superRefine((outcome, ctx) => {
    const ends = ['report', 'error', 'timeout'].filter((key) => outcome[key as keyof typeof outcome] !== undefined);
    if (ends.length !== 1) {
      ctx.addIssue({ code: 'custom', message: `needs exactly one of report, error, timeout (how the scan ends), got ${ends.length === 0 ? 'none' : ends.join(' and ')}` });
    }
  });

/**
 * The size ECR reports for an image (DescribeImages `imageSizeInBytes`, the compressed size): bytes, or a size such as
 * "3GiB". With world.scanCompute "lambda", an image over the gate's threshold (gate.ec2AboveImageSize, default 2 GiB)
 * starts its scan on the EC2 fallback project straight away.
 */
const imageSizeSchema = z
  .union([
    z.int().min(0).max(Number.MAX_SAFE_INTEGER),
    z.string().refine((text) => sizeOrUndefined(text) !== undefined, { message: 'expected a size such as "3GiB", "800MiB" or a number of bytes' }),
  ])
  .meta({ description: 'The size ECR reports for the image (imageSizeInBytes, compressed): bytes or a size such as "3GiB".' });

function sizeOrUndefined(text: string): number | undefined {
  try {
    return parseByteSize(text, 'size', { min: 0, max: Number.MAX_SAFE_INTEGER });
  } catch {
    return undefined;
  }
}

const bytesOf = (size: number | string): number => (typeof size === 'number' ? size : (sizeOrUndefined(size) as number));

const imageSchema = z.strictObject({
  digest: sha256,
  scan: outcomeSchema.optional(),
  size: imageSizeSchema.optional(),
});

/**
 * A PAUSE lifecycle hook at PRE_SCALE_UP (deploymentConfiguration.lifecycleHooks[] with targetType PAUSE): each new
 * deployment stops before any task starts until ContinueServiceDeployment, or until `timeout`, when ECS takes
 * `timeoutAction` ("Pause hooks for Amazon ECS service deployments",
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/pause-lifecycle-hooks.html).
 */
const pauseHookSchema = z.strictObject({
  timeout: durationText.default('1h').meta({ description: 'How long a deployment waits at the hook before ECS takes timeoutAction.' }),
  timeoutAction: z.enum(['CONTINUE', 'ROLLBACK']).default('ROLLBACK'),
});

const serviceSchema = z
  .strictObject({
    name: z.string().regex(/^[A-Za-z0-9_-]{1,255}$/, { message: 'expected an ECS service name (letters, digits, - and _)' }),
    cluster: z.string().regex(/^[A-Za-z0-9_-]{1,255}$/, { message: 'expected an ECS cluster name' }).default('default'),
    taskDefinition: z.string().min(1),
    desiredCount: z.int().min(0).max(50).default(1),
    lifecycleHook: z.boolean().default(false),
    pauseHook: pauseHookSchema.optional(),
    running: z.boolean().default(true),
    launch: z
      .strictObject({
        enableExecuteCommand: z.boolean().optional(),
        platformVersion: z.string().regex(/^(?:LATEST|\d+\.\d+\.\d+)$/, { message: 'expected "LATEST" or a platform version such as "1.4.0"' }).optional(),
        assignPublicIp: z.enum(['ENABLED', 'DISABLED']).optional(),
        loadBalancer: z.boolean().optional(),
      })
      .optional()
      .meta({ description: "The service's launch settings (CreateService): ECS Exec, platform version, public IP, and whether a load balancer fronts it. Defaults: the API's (off, LATEST, DISABLED, none)." }),
  })
  .superRefine((service, ctx) => {
    // Both would hold the deployment at PRE_SCALE_UP, and the simulated ECS answers one kind of hook per service.
    if (service.lifecycleHook && service.pauseHook) {
      ctx.addIssue({ code: 'custom', path: ['pauseHook'], message: 'a service has either a Lambda lifecycleHook or a pauseHook, not both' });
    }
  });

const gateSchema = z.strictObject({
  clusters: z.array(z.string().min(1)).optional(),
  scanTimeout: durationText.optional(),
  queueTimeout: durationText.optional(),
  verdictTtlDays: z.number().positive().optional(),
  hookCallBackDelay: durationText.optional(),
  reportPrefix: z.string().min(1).optional(),
  sweepEvery: durationText.optional(),
  ec2AboveImageSize: z
    .string()
    .refine((text) => sizeOrUndefined(text) !== undefined && isValidEc2AboveImageBytes(sizeOrUndefined(text) as number), {
      message: 'expected a size from 64MiB to 1024GiB, such as "4GiB"',
    })
    .optional()
    .meta({ description: 'Image size (ECR\'s compressed size) above which a scan starts on the EC2 fallback project (scanCompute.ec2AboveImageSize; default 2GiB).' }),
  lambdaComputeConcurrency: z
    .int()
    .min(MIN_LAMBDA_COMPUTE_CONCURRENCY)
    .max(MAX_LAMBDA_COMPUTE_CONCURRENCY)
    .optional()
    .meta({ description: 'With world.scanCompute "lambda": Lambda-compute scan builds the gate runs at once; a new scan past it starts on the EC2 fallback project (scanCompute.lambdaConcurrency; default 1, AWS\'s default quota).' }),
});

const worldSchema = z.strictObject({
  seed: z.string().min(1).optional(),
  scanDuration: durationText.optional(),
  buildTimeout: durationText.optional(),
  scanCompute: z.enum(['lambda', 'ec2']).optional().meta({ description: '"lambda": the scan project runs on CodeBuild Lambda compute (15-minute builds) with an EC2 fallback project; "ec2" (default): on EC2 compute.' }),
  maxConcurrentBuilds: z.int().min(1).optional(),
  lambdaComputeQuota: z
    .int()
    .min(1)
    .optional()
    .meta({
      description:
        'With scanCompute "lambda": the account\'s quota of running Lambda-compute builds. A build started on the Lambda project beyond it is queued until a running one ends (builds-working.html); StartBuild is refused (AccountLimitExceededException) only with the queue full (five times the quota) or at scanProjectBuildLimit. None: no quota.',
    }),
  scanProjectBuildLimit: z
    .int()
    .min(1)
    .optional()
    .meta({ description: "The scan project's own concurrent build limit (concurrentBuildLimit): StartBuild on it is refused (AccountLimitExceededException) while it has this many unfinished builds. None: no project limit." }),
  digestVisibleFrom: taskStatus.optional(),
  deploymentSettle: durationText.optional(),
  loopLimit: z.int().min(1).max(1000).optional(),
});

const countSchema = z.union([z.int().min(0), z.strictObject({ min: z.int().min(0).optional(), max: z.int().min(0).optional() })]);

const expectSchema = z.strictObject({
  actions: z.strictObject(Object.fromEntries(ACTION_KEYS.map((key) => [key, countSchema.optional()])) as Record<ExpectedActionKey, z.ZodOptional<typeof countSchema>>).optional(),
  tasks: z.record(z.string(), taskStatus).optional(),
  services: z
    .record(
      z.string(),
      z.strictObject({
        desiredCount: z.int().min(0).optional(),
        runningTaskDefinition: z.string().min(1).optional(),
        restartLoop: z.boolean().optional(),
      }),
    )
    .optional(),
  hookResponses: z.array(z.enum(['SUCCEEDED', 'FAILED', 'IN_PROGRESS', 'none'])).optional(),
  decisions: z.record(z.string(), z.enum(['pass', 'warn', 'fail', 'error'])).optional(),
  handlerErrors: z.int().min(0).optional(),
  /** Per task label: whether the inventory holds the task as running (an open use) when the scenario ends. */
  inUse: z.record(z.string(), z.boolean()).optional(),
  /** "Fargate Gate Finding" events published: how many opened (of them `drifted`: the previous verdict allowed the finding) and resolved, and services the opened ones must name. */
  findingEvents: z.strictObject({ opened: countSchema.optional(), drifted: countSchema.optional(), resolved: countSchema.optional(), services: z.array(z.string().min(1)).optional() }).optional(),
  /** Per image reference or digest: builds started for its digest, in every account together. */
  scans: z.record(z.string(), countSchema).optional(),
  /** Per account (an organisation scenario): the gate's actions there, its MemberRoleErrors, its role assumptions. */
  accounts: accountsExpectationSchema.optional(),
});

const topSchema = z.strictObject({
  $schema: z.string().optional(),
  name: z.string().min(1).max(128),
  description: z.string().optional(),
  account: accountIdSchema.default('123456789012'),
  region: regionSchema.default('us-east-1'),
  organisation: organisationSchema.optional(),
  start: z.iso.datetime({ offset: true }).default('2026-01-05T09:00:00Z'),
  policy: z.union([z.string().min(1), z.record(z.string(), z.unknown())]),
  gate: gateSchema.optional(),
  world: worldSchema.optional(),
  taskDefinitions: z.array(z.unknown()).min(1),
  images: z.record(z.string(), imageSchema).default({}),
  services: z.array(serviceSchema).default([]),
  steps: z.array(z.unknown()).min(1),
  expect: expectSchema.optional(),
});

// ---------- steps ----------

const overridesSchema = z.looseObject({ containerOverrides: z.array(z.looseObject({ name: z.string().min(1) })).optional() });

const stepSchemas = {
  runTask: z.strictObject({
    taskDefinition: z.string().min(1),
    cluster: z.string().regex(/^[A-Za-z0-9_-]{1,255}$/, { message: 'expected an ECS cluster name' }).default('default'),
    /** Where the task runs (an organisation scenario): default the scenario's own account and region. */
    account: accountIdSchema.optional(),
    region: regionSchema.optional(),
    as: z.union([label, z.array(label).min(1).max(10)]).optional(),
    count: z.int().min(1).max(10).optional(),
    startedBy: z.string().regex(/^[A-Za-z0-9/_-]{1,36}$/, { message: 'expected up to 36 letters, digits, -, / or _ (the RunTask startedBy rule)' }).optional(),
    launchedBy: principalArn.default('arn:aws:sts::123456789012:assumed-role/DeployRole/ci-pipeline'),
    overrides: overridesSchema.optional(),
    cloudTrail: z.boolean().default(true),
    until: taskStatus.default('RUNNING'),
    digestVisibleFrom: taskStatus.optional(),
  }),
  taskState: z.strictObject({
    task: taskName,
    lastStatus: taskStatus,
    stopCode: z.string().min(1).optional(),
    stoppedReason: z.string().min(1).max(1024).optional(),
    exitCode: z.int().optional(),
  }),
  deployService: z.strictObject({ service: z.string().min(1), taskDefinition: z.string().min(1), cluster: z.string().min(1).optional() }),
  lifecycleHook: z.union([
    z.strictObject({ service: z.string().min(1), taskDefinition: z.string().min(1), cluster: z.string().min(1).optional() }),
    z.strictObject({ payload: z.unknown() }),
  ]),
  push: z.strictObject({ image: z.string().min(1), digest: sha256, scan: outcomeSchema.optional(), size: imageSizeSchema.optional() }),
  scanCompletes: z.string().min(1),
  advanceClock: durationText,
  sweep: z.literal(true),
  /** One pass of the inventory's scheduled reconciliation (ListTasks / DescribeTasks against the world). */
  reconcile: z.literal(true),
  /** The scanner's data for a digest changes (a CVE published since its scan): the next scan of it, SBOM or image, ends so. */
  newData: z.strictObject({ image: z.string().min(1), scan: outcomeSchema }),
  event: z.unknown(),
  burst: z.strictObject({
    steps: z.array(z.unknown()).min(1),
    duplicates: z.int().min(1).max(10).default(1),
    order: z.enum(['asIs', 'reversed', 'shuffled']).default('asIs'),
    seed: z.int().default(1),
  }),
  hold: z.strictObject({ as: label, steps: z.array(z.unknown()).min(1) }),
  release: z.union([label, z.strictObject({ name: label, order: z.enum(['asIs', 'reversed', 'shuffled']).default('asIs'), duplicates: z.int().min(1).max(10).default(1), seed: z.int().default(1) })]),
} as const;

export type StepKind = keyof typeof stepSchemas;
const STEP_KINDS = Object.keys(stepSchemas) as StepKind[];
/** Steps allowed inside burst and hold: those that only produce events. */
const EVENT_STEPS: readonly StepKind[] = ['runTask', 'taskState', 'push', 'event', 'deployService'];

export type Delivery = { order: 'asIs' | 'reversed' | 'shuffled'; duplicates: number; seed: number };

export type ScenarioStep = { path: string; note?: string } & (
  | { kind: 'runTask'; labels: string[]; taskDefinition: string; cluster: string; account?: string; region?: string; startedBy?: string; launchedBy: string; overrides?: Record<string, unknown>; cloudTrail: boolean; until: TaskStatus; digestVisibleFrom?: TaskStatus }
  | { kind: 'taskState'; task: string; lastStatus: TaskStatus; stopCode?: string; stoppedReason?: string; exitCode?: number }
  | { kind: 'deployService'; service: string; taskDefinition: string; cluster?: string; viaHook: boolean; viaPauseHook: boolean }
  | { kind: 'rawHook'; payload: unknown }
  | { kind: 'push'; image: string; digest: string; outcome?: ScanOutcome; sizeBytes?: number }
  | { kind: 'scanCompletes'; target: string }
  | { kind: 'advanceClock'; milliseconds: number; text: string }
  | { kind: 'sweep' }
  | { kind: 'reconcile' }
  | { kind: 'newData'; target: string; outcome: ScanOutcome }
  | { kind: 'event'; event: unknown }
  | { kind: 'burst'; steps: ScenarioStep[]; delivery: Delivery }
  | { kind: 'hold'; name: string; steps: ScenarioStep[] }
  | { kind: 'release'; name: string; delivery: Delivery }
);

export interface ScenarioImage {
  reference: string;
  digest: string;
  outcome?: ScanOutcome;
  /** The size ECR reports for it (imageSizeInBytes), when the scenario gives one. */
  sizeBytes?: number;
  /** Path in the scenario, for messages. */
  path: string;
}

export interface ScenarioService {
  name: string;
  cluster: string;
  taskDefinition: string;
  desiredCount: number;
  lifecycleHook: boolean;
  pauseHook?: WorldPauseHook;
  running: boolean;
  launch?: Partial<ServiceLaunch>;
}

export type ExpectedCount = number | { min?: number; max?: number };

export interface ScenarioExpectations {
  actions?: Partial<Record<ExpectedActionKey, ExpectedCount>>;
  tasks?: Record<string, string>;
  services?: Record<string, { desiredCount?: number; runningTaskDefinition?: string; restartLoop?: boolean }>;
  hookResponses?: string[];
  decisions?: Record<string, 'pass' | 'warn' | 'fail' | 'error'>;
  handlerErrors?: number;
  inUse?: Record<string, boolean>;
  findingEvents?: { opened?: ExpectedCount; drifted?: ExpectedCount; resolved?: ExpectedCount; services?: string[] };
  scans?: Record<string, ExpectedCount>;
  accounts?: Record<string, AccountExpectation>;
}

export interface Scenario {
  file: string;
  name: string;
  description?: string;
  account: string;
  region: string;
  /** Member accounts and accounts outside the organisation, when the scenario has an `organisation` section. */
  organisation?: ScenarioOrganisation;
  start: string;
  policy: LoadedPolicy<Policy>;
  gate: Partial<GateConfig>;
  /** The sweep rule's schedule in the simulation; none unless the scenario sets gate.sweepEvery. */
  sweepEveryMs?: number;
  world: {
    seed?: string;
    scanDurationMs?: number;
    buildTimeoutMs?: number;
    scanCompute?: 'lambda' | 'ec2';
    maxConcurrentBuilds?: number;
    lambdaComputeQuota?: number;
    scanProjectBuildLimit?: number;
    digestVisibleFrom?: TaskStatus;
    deploymentSettleMs?: number;
    loopLimit?: number;
  };
  /** RegisterTaskDefinition inputs, checked; the runner registers them in order. */
  taskDefinitions: { json: unknown; spec: TaskDefinitionSpec; source: string }[];
  images: ScenarioImage[];
  services: ScenarioService[];
  steps: ScenarioStep[];
  expect?: ScenarioExpectations;
}

/** Reads, validates and resolves a scenario file (policy and report paths are relative to it). */
export async function loadScenario(file: string): Promise<Scenario> {
  return parseScenario(await readJsonFile(file, { source: file, what: 'scenario' }), file);
}

/** Validates a scenario document; `file` names it in errors and anchors relative paths. */
export async function parseScenario(json: unknown, file: string): Promise<Scenario> {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new InputError('a scenario is a JSON object with name, policy, taskDefinitions and steps', { source: file });
  }
  const problems = new ScenarioProblems(file);
  const parsedTop = check(topSchema, json, file, []);
  // The central account may be given in the organisation section alone.
  const top = { ...parsedTop, account: (json as Record<string, unknown>).account === undefined ? (parsedTop.organisation?.central ?? parsedTop.account) : parsedTop.account };
  const organisation = top.organisation ? resolveOrganisation(top.organisation, { file, account: top.account, region: top.region }, (error) => problems.add(error)) : undefined;
  checkAccountKeys(top.expect?.accounts, file, (error) => problems.add(error));
  const dir = dirname(file);
  const read = (relative: string, path: Path, what: string): Promise<string> =>
    readTextFile(resolve(dir, relative), { source: file, path: formatJsonPath(path), what: `${what} ${JSON.stringify(relative)} (paths are relative to the scenario file)` });

  const policy = await problems.attempt(async () =>
    typeof top.policy === 'string'
      ? loadPolicyText(await read(top.policy, ['policy'], 'policy file'), resolve(dir, top.policy))
      : loadPolicy(top.policy, `${file} (inline policy)`),
  );

  const taskDefinitions: Scenario['taskDefinitions'] = [];
  // Family and revision of every entry, readable or not: a step naming a broken one is not a second problem.
  const named: { family: string; revision?: number }[] = [];
  for (const [index, entry] of top.taskDefinitions.entries()) {
    const source = `${file} at taskDefinitions[${index}]`;
    const parsed = await problems.attempt(async () => {
      const spec = parseTaskDefinition(entry, source);
      if (!spec.family) throw new InputError('needs a "family"', { source: file, path: `taskDefinitions[${index}]` });
      return { json: entry, spec, source };
    });
    if (parsed) {
      taskDefinitions.push(parsed);
      named.push({ family: parsed.spec.family as string, ...(parsed.spec.revision !== undefined ? { revision: parsed.spec.revision } : {}) });
    } else {
      const raw = entry && typeof entry === 'object' ? (entry as Record<string, unknown>) : {};
      const family = typeof raw.family === 'string' ? raw.family : undefined;
      if (family) named.push({ family, ...(typeof raw.revision === 'number' ? { revision: raw.revision } : {}) });
    }
  }
  const knownTaskDefinitions = new Set<string>();
  const latest = new Map<string, number>();
  for (const { family, revision: given } of named) {
    const revision = given ?? (latest.get(family) ?? 0) + 1;
    latest.set(family, Math.max(revision, latest.get(family) ?? 0));
    knownTaskDefinitions.add(`${family}:${revision}`);
    knownTaskDefinitions.add(family);
  }
  const requireTaskDefinition = (reference: string, path: Path): void => {
    if (!knownTaskDefinitions.has(reference)) {
      throw new InputError(`names task definition ${JSON.stringify(reference)}, which the scenario does not define (known: ${[...knownTaskDefinitions].filter((k) => k.includes(':')).join(', ')})`, {
        source: file,
        path: formatJsonPath(path),
      });
    }
  };

  const loadOutcome = async (outcome: z.infer<typeof outcomeSchema> | undefined, path: Path): Promise<ScanOutcome | undefined> => {
    if (!outcome) return undefined;
    const result: ScanOutcome = {};
    if (outcome.report !== undefined) result.report = await read(outcome.report, [...path, 'report'], 'report');
    if (outcome.error !== undefined) result.error = outcome.error;
    if (outcome.timeout) result.timeout = true;
    if (outcome.outgrowsLambdaCompute) result.outgrowsLambdaCompute = true;
    if (outcome.capacityErrors !== undefined) result.capacityErrors = outcome.capacityErrors;
    if (outcome.duration !== undefined) result.durationMs = durationMs(outcome.duration);
    if (outcome.lostEvent) result.lostEvent = true;
    return result;
  };

  const images: ScenarioImage[] = [];
  for (const [reference, image] of Object.entries(top.images)) {
    const path: Path = ['images', reference];
    const declared = await problems.attempt(async (): Promise<ScenarioImage> => {
      const parsed = parseReference(reference, file, path);
      if (!parsed.tag && !parsed.digest) {
        throw new InputError('needs a tag or a digest: the key names what a task definition pulls', { source: file, path: formatJsonPath(path) });
      }
      if (parsed.digest && parsed.digest !== image.digest) {
        throw new InputError(`pins ${parsed.digest} but its "digest" is ${image.digest}`, { source: file, path: formatJsonPath([...path, 'digest']) });
      }
      return {
        reference,
        digest: image.digest,
        outcome: await loadOutcome(image.scan, [...path, 'scan']),
        ...(image.size !== undefined ? { sizeBytes: bytesOf(image.size) } : {}),
        path: formatJsonPath(path),
      };
    });
    if (declared) images.push(declared);
  }

  const serviceNames = new Set<string>();
  for (const [index, service] of top.services.entries()) {
    await problems.attempt(async () => {
      if (serviceNames.has(`${service.cluster}/${service.name}`)) {
        throw new InputError(`service ${service.name} is declared twice in cluster ${service.cluster}`, { source: file, path: `services[${index}].name` });
      }
      serviceNames.add(`${service.cluster}/${service.name}`);
      requireTaskDefinition(service.taskDefinition, ['services', index, 'taskDefinition']);
    });
  }
  const hookedServices = new Set(top.services.filter((service) => service.lifecycleHook).map((service) => service.name));

  const labels = new Set<string>();
  const holds = new Set<string>();
  const context: StepContext = {
    file,
    labels,
    labelPaths: new Map(),
    pushedImages: new Map(),
    holds,
    requireTaskDefinition,
    serviceNames: new Set(top.services.map((s) => s.name)),
    hookedServices,
    pausedServices: new Set(top.services.filter((service) => service.pauseHook).map((service) => service.name)),
    loadOutcome,
    taskDefinitions,
    problems,
    central: { account: top.account, region: top.region },
    unknownPlace: (account, region) => unknownPlace(organisation, top, account, region),
  };
  const steps = await parseSteps(top.steps, ['steps'], context, false);

  const world = top.world ?? {};
  const gate = top.gate ?? {};
  const expect = top.expect;
  for (const [field, names] of [['tasks', Object.keys(expect?.tasks ?? {})], ['inUse', Object.keys(expect?.inUse ?? {})]] as const) {
    for (const name of names) {
      const path = formatJsonPath(['expect', field, name]);
      const unknown = unknownTask(name, context);
      if (unknown === 'no such task') {
        problems.add(new InputError(`names task ${JSON.stringify(name)}, which no step launches (labels: ${[...labels].join(', ') || 'none'}; service tasks are "<service>#<n>")`, { source: file, path }));
      } else if (unknown) {
        problems.add(new InputError(unknown, { source: file, path }));
      }
    }
  }
  // A label is also what `expect.decisions` and the timeline name a task by, beside service names and image
  // references: one that is also either of those would make them ambiguous.
  const declaredImages = new Map(images.map((image) => [tagKey(parseImageReference(image.reference)), image.reference]));
  for (const name of labels) {
    const where = context.labelPaths.get(name) ?? 'steps';
    if (context.serviceNames.has(name)) {
      problems.add(new InputError(`task label ${JSON.stringify(name)} is also the name of a service: pick another label (verdicts about the service and the task would not be told apart)`, { source: file, path: where }));
    }
    const image = imageNamedBy(name, declaredImages, context.pushedImages);
    if (image) {
      problems.add(new InputError(`task label ${JSON.stringify(name)} is also a reference to the image ${JSON.stringify(image)}: pick another label (verdicts about the image and the task would not be told apart)`, { source: file, path: where }));
    }
  }
  for (const subject of Object.keys(expect?.scans ?? {})) {
    if (isSha256Digest(subject)) continue;
    const known = imageNamedBy(subject, declaredImages, context.pushedImages);
    if (!known) problems.add(new InputError(`names ${JSON.stringify(subject)}, which is neither a sha256 digest nor an image the scenario declares or pushes`, { source: file, path: formatJsonPath(['expect', 'scans', subject]) }));
  }
  if (expect?.services) {
    for (const name of Object.keys(expect.services)) {
      if (!context.serviceNames.has(name)) problems.add(new InputError(`names service ${JSON.stringify(name)}, which the scenario does not declare`, { source: file, path: formatJsonPath(['expect', 'services', name]) }));
    }
  }
  problems.throwIfAny();

  return {
    file,
    name: top.name,
    ...(top.description ? { description: top.description } : {}),
    account: top.account,
    region: top.region,
    ...(organisation ? { organisation } : {}),
    start: top.start,
    policy: policy as LoadedPolicy<Policy>,
    gate: {
      ...(gate.clusters ? { clusterArns: gate.clusters.map((cluster) => (cluster.startsWith('arn:') ? cluster : `arn:aws:ecs:${top.region}:${top.account}:cluster/${cluster}`)) } : {}),
      ...(gate.scanTimeout ? { scanTimeoutMinutes: durationMs(gate.scanTimeout) / 60_000 } : {}),
      ...(gate.queueTimeout ? { queueTimeoutMinutes: durationMs(gate.queueTimeout) / 60_000 } : {}),
      ...(gate.verdictTtlDays ? { verdictTtlDays: gate.verdictTtlDays } : {}),
      ...(gate.hookCallBackDelay ? { hookCallBackDelaySeconds: durationMs(gate.hookCallBackDelay) / 1000 } : {}),
      ...(gate.reportPrefix ? { reportPrefix: gate.reportPrefix } : {}),
      ...(gate.ec2AboveImageSize ? { ec2AboveImageBytes: bytesOf(gate.ec2AboveImageSize) } : {}),
      ...(gate.lambdaComputeConcurrency !== undefined ? { lambdaComputeConcurrency: gate.lambdaComputeConcurrency } : {}),
    },
    ...(gate.sweepEvery ? { sweepEveryMs: durationMs(gate.sweepEvery) } : {}),
    world: {
      ...(world.seed ? { seed: world.seed } : {}),
      ...(world.scanDuration ? { scanDurationMs: durationMs(world.scanDuration) } : {}),
      ...(world.buildTimeout ? { buildTimeoutMs: durationMs(world.buildTimeout) } : {}),
      ...(world.scanCompute ? { scanCompute: world.scanCompute } : {}),
      ...(world.maxConcurrentBuilds ? { maxConcurrentBuilds: world.maxConcurrentBuilds } : {}),
      ...(world.lambdaComputeQuota ? { lambdaComputeQuota: world.lambdaComputeQuota } : {}),
      ...(world.scanProjectBuildLimit ? { scanProjectBuildLimit: world.scanProjectBuildLimit } : {}),
      ...(world.digestVisibleFrom ? { digestVisibleFrom: world.digestVisibleFrom } : {}),
      ...(world.deploymentSettle ? { deploymentSettleMs: durationMs(world.deploymentSettle) } : {}),
      ...(world.loopLimit ? { loopLimit: world.loopLimit } : {}),
    },
    taskDefinitions,
    images,
    services: top.services.map(({ pauseHook, ...service }) => ({
      ...service,
      ...(pauseHook ? { pauseHook: { timeoutMs: durationMs(pauseHook.timeout), timeoutAction: pauseHook.timeoutAction } } : {}),
    })),
    steps,
    ...(expect ? { expect } : {}),
  };
}

interface StepContext {
  file: string;
  labels: Set<string>;
  /** Where each label was given (the JSON path of its `as`, or of the runTask step that numbered it). */
  labelPaths: Map<string, string>;
  /** Images the push steps declare: `registry/repository:tag` → the reference as written. */
  pushedImages: Map<string, string>;
  holds: Set<string>;
  serviceNames: Set<string>;
  hookedServices: Set<string>;
  /** Services with a PAUSE hook: their deployments stop at PRE_SCALE_UP until the gate continues them. */
  pausedServices: Set<string>;
  taskDefinitions: Scenario['taskDefinitions'];
  requireTaskDefinition: (reference: string, path: Path) => void;
  loadOutcome: (outcome: z.infer<typeof outcomeSchema> | undefined, path: Path) => Promise<ScanOutcome | undefined>;
  problems: ScenarioProblems;
  /** The scenario's own account and region: the central ones in an organisation. */
  central: { account: string; region: string };
  /** Why an account and region name no place of the scenario's world; undefined when they name one. */
  unknownPlace: (account: string, region: string) => { field: 'account' | 'region'; why: string } | undefined;
}

/**
 * Every step of a list, each checked on its own: a bad step is a problem recorded and left out, and the next steps are
 * still checked. The labels a broken runTask gives are still taken, so that a later step naming them is not a second,
 * misleading problem.
 */
async function parseSteps(raw: readonly unknown[], path: Path, context: StepContext, nested: boolean): Promise<ScenarioStep[]> {
  const steps: ScenarioStep[] = [];
  for (let index = 0; index < raw.length; index += 1) {
    const step = await context.problems.attempt(() => parseStep(raw[index], [...path, index], context, nested));
    if (step) steps.push(step);
    else for (const label of labelsOf(raw[index])) context.labels.add(label);
  }
  return steps;
}

/** The labels a runTask step's `as` gives, read loosely (the step may be invalid). */
function labelsOf(raw: unknown): string[] {
  const runTask = raw && typeof raw === 'object' ? (raw as Record<string, unknown>).runTask : undefined;
  const as = runTask && typeof runTask === 'object' ? (runTask as Record<string, unknown>).as : undefined;
  return (Array.isArray(as) ? as : [as]).filter((label): label is string => typeof label === 'string');
}

/**
 * The problems found in a scenario so far. Checks run on, past a problem, wherever what follows does not depend on
 * the part that failed; at the end one error reports them all, or the one problem as it was raised.
 */
class ScenarioProblems {
  private readonly errors: InputError[] = [];

  constructor(private readonly file: string) {}

  add(error: InputError): void {
    this.errors.push(error);
  }

  /** Runs `body`; an `InputError` it throws is recorded (undefined returned), anything else propagates. */
  async attempt<T>(body: () => Promise<T> | T): Promise<T | undefined> {
    try {
      return await body();
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      this.add(error);
      return undefined;
    }
  }

  throwIfAny(): void {
    if (this.errors.length === 0) return;
    if (this.errors.length === 1) throw this.errors[0];
    const listed = this.errors.flatMap((error) => (error instanceof ProblemList ? error.problems : [problemOf(error, this.file)]));
    throw new ProblemList(this.file, listed);
  }
}

/** The `InputError` of several problems of one scenario, one line each. */
class ProblemList extends InputError {
  constructor(
    file: string,
    readonly problems: { path?: string; message: string }[],
    cause?: unknown,
  ) {
    super(listProblems('invalid scenario', problems), { source: file, ...(cause ? { cause } : {}) });
  }
}

/** One recorded error as a line of the list: its path and message when it is about the scenario file, else all of it. */
function problemOf(error: InputError, file: string): { path?: string; message: string } {
  if (error.source !== file) return { message: error.message };
  const opening = error.path ? `${file} at ${error.path}: ` : `${file}: `;
  return { path: error.path ?? '', message: error.message.startsWith(opening) ? error.message.slice(opening.length) : error.message };
}

async function parseStep(raw: unknown, path: Path, context: StepContext, nested: boolean): Promise<ScenarioStep> {
  const { file } = context;
  const where = formatJsonPath(path);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new InputError(`a step is an object with one of ${STEP_KINDS.join(', ')} (and an optional "note")`, { source: file, path: where });
  }
  const { note, ...rest } = raw as Record<string, unknown>;
  if (note !== undefined && typeof note !== 'string') throw new InputError('"note" must be a string', { source: file, path: formatJsonPath([...path, 'note']) });
  const keys = Object.keys(rest);
  if (keys.length !== 1 || !STEP_KINDS.includes(keys[0] as StepKind)) {
    const unknown = keys.filter((key) => !STEP_KINDS.includes(key as StepKind));
    const why =
      keys.length === 0
        ? 'is empty'
        : unknown.length > 0
          ? `has unknown step ${unknown.map((k) => JSON.stringify(k)).join(', ')}`
          : `has ${keys.length} steps (${keys.join(', ')}); put each in its own object`;
    throw new InputError(`${why}; a step is one of ${STEP_KINDS.join(', ')}`, { source: file, path: where });
  }
  const kind = keys[0] as StepKind;
  const valuePath = [...path, kind];
  if (nested && !EVENT_STEPS.includes(kind)) {
    throw new InputError(`${kind} cannot be inside burst or hold, which only collect events (allowed: ${EVENT_STEPS.join(', ')})`, { source: file, path: formatJsonPath(valuePath) });
  }
  const base = { path: where, ...(note ? { note: note as string } : {}) };
  const value = rest[kind];

  switch (kind) {
    case 'runTask': {
      const step = check(stepSchemas.runTask, value, file, valuePath);
      context.requireTaskDefinition(step.taskDefinition, [...valuePath, 'taskDefinition']);
      if (step.account !== undefined || step.region !== undefined) {
        const unplaced = context.unknownPlace(step.account ?? context.central.account, step.region ?? context.central.region);
        if (unplaced) throw new InputError(unplaced.why, { source: file, path: formatJsonPath([...valuePath, unplaced.field]) });
      }
      const names = step.as === undefined ? undefined : Array.isArray(step.as) ? step.as : [step.as];
      if (names && step.count !== undefined && step.count !== names.length) {
        throw new InputError(`count is ${step.count} but "as" names ${names.length} task${names.length === 1 ? '' : 's'}`, { source: file, path: formatJsonPath([...valuePath, 'count']) });
      }
      const labels = names ?? numberedLabels(step.count ?? 1, context.labels);
      const labelPath = formatJsonPath(names ? [...valuePath, 'as'] : valuePath);
      for (const name of labels) {
        if (context.labels.has(name)) throw new InputError(`task label ${JSON.stringify(name)} is used twice`, { source: file, path: labelPath });
        context.labels.add(name);
        context.labelPaths.set(name, labelPath);
      }
      if (step.overrides?.containerOverrides) {
        const spec = findSpec(context.taskDefinitions, step.taskDefinition);
        step.overrides.containerOverrides.forEach((override, index) => {
          if (spec && !spec.containers.some((container) => container.name === override.name)) {
            throw new InputError(`names container ${JSON.stringify(override.name)}, which ${step.taskDefinition} does not have`, {
              source: file,
              path: formatJsonPath([...valuePath, 'overrides', 'containerOverrides', index, 'name']),
            });
          }
        });
      }
      return {
        ...base,
        kind,
        labels,
        taskDefinition: step.taskDefinition,
        cluster: step.cluster,
        ...(step.account ? { account: step.account } : {}),
        ...(step.region ? { region: step.region } : {}),
        launchedBy: step.launchedBy,
        cloudTrail: step.cloudTrail,
        until: step.until,
        ...(step.startedBy ? { startedBy: step.startedBy } : {}),
        ...(step.overrides ? { overrides: step.overrides } : {}),
        ...(step.digestVisibleFrom ? { digestVisibleFrom: step.digestVisibleFrom } : {}),
      };
    }
    case 'taskState': {
      const step = check(stepSchemas.taskState, value, file, valuePath);
      const unknown = unknownTask(step.task, context);
      if (unknown) {
        const why = unknown === 'no such task' ? `names task ${JSON.stringify(step.task)}, which no earlier step launches` : unknown;
        throw new InputError(why, { source: file, path: formatJsonPath([...valuePath, 'task']) });
      }
      return { ...base, kind, ...step };
    }
    case 'deployService':
    case 'lifecycleHook': {
      const step = check(stepSchemas[kind], value, file, valuePath);
      if ('payload' in step) return { ...base, kind: 'rawHook', payload: step.payload };
      if (!context.serviceNames.has(step.service)) {
        throw new InputError(`names service ${JSON.stringify(step.service)}, which the scenario does not declare`, { source: file, path: formatJsonPath([...valuePath, 'service']) });
      }
      if (kind === 'lifecycleHook' && !context.hookedServices.has(step.service)) {
        throw new InputError(`service ${JSON.stringify(step.service)} has no lifecycle hook: declare it with "lifecycleHook": true`, { source: file, path: formatJsonPath([...valuePath, 'service']) });
      }
      context.requireTaskDefinition(step.taskDefinition, [...valuePath, 'taskDefinition']);
      return { ...base, kind: 'deployService', service: step.service, taskDefinition: step.taskDefinition, ...(step.cluster ? { cluster: step.cluster } : {}), viaHook: context.hookedServices.has(step.service), viaPauseHook: context.pausedServices.has(step.service) };
    }
    case 'push': {
      const step = check(stepSchemas.push, value, file, valuePath);
      const reference = parseReference(step.image, file, [...valuePath, 'image']);
      if (!reference.tag || reference.digest) throw new InputError('a push names a tag (repository:tag), not a digest', { source: file, path: formatJsonPath([...valuePath, 'image']) });
      context.pushedImages.set(tagKey(reference), step.image);
      const outcome = await context.loadOutcome(step.scan, [...valuePath, 'scan']);
      return { ...base, kind, image: step.image, digest: step.digest, ...(outcome ? { outcome } : {}), ...(step.size !== undefined ? { sizeBytes: bytesOf(step.size) } : {}) };
    }
    case 'scanCompletes': {
      const target = check(stepSchemas.scanCompletes, value, file, valuePath);
      if (!isSha256Digest(target)) parseReference(target, file, valuePath);
      return { ...base, kind, target };
    }
    case 'advanceClock': {
      const text = check(stepSchemas.advanceClock, value, file, valuePath);
      return { ...base, kind, milliseconds: durationMs(text), text };
    }
    case 'sweep':
      check(stepSchemas.sweep, value, file, valuePath);
      return { ...base, kind };
    case 'reconcile':
      check(stepSchemas.reconcile, value, file, valuePath);
      return { ...base, kind };
    case 'newData': {
      const step = check(stepSchemas.newData, value, file, valuePath);
      if (!isSha256Digest(step.image)) parseReference(step.image, file, [...valuePath, 'image']);
      const outcome = await context.loadOutcome(step.scan, [...valuePath, 'scan']);
      if (!outcome) throw new InputError('needs the scan outcome the new data gives', { source: file, path: formatJsonPath([...valuePath, 'scan']) });
      return { ...base, kind, target: step.image, outcome };
    }
    case 'event':
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw new InputError('expected an EventBridge event object ({ "version", "id", "detail-type", "source", ..., "detail" })', { source: file, path: formatJsonPath(valuePath) });
      }
      return { ...base, kind, event: value };
    case 'burst': {
      const step = check(stepSchemas.burst, value, file, valuePath);
      const steps = await parseSteps(step.steps, [...valuePath, 'steps'], context, true);
      return { ...base, kind, steps, delivery: { order: step.order, duplicates: step.duplicates, seed: step.seed } };
    }
    case 'hold': {
      const step = check(stepSchemas.hold, value, file, valuePath);
      if (context.holds.has(step.as)) throw new InputError(`a hold named ${JSON.stringify(step.as)} already exists`, { source: file, path: formatJsonPath([...valuePath, 'as']) });
      const steps = await parseSteps(step.steps, [...valuePath, 'steps'], context, true);
      context.holds.add(step.as);
      return { ...base, kind, name: step.as, steps };
    }
    case 'release': {
      const step = check(stepSchemas.release, value, file, valuePath);
      const release = typeof step === 'string' ? { name: step, order: 'asIs' as const, duplicates: 1, seed: 1 } : step;
      if (!context.holds.has(release.name)) {
        throw new InputError(`releases ${JSON.stringify(release.name)}, which no earlier hold step collected`, { source: file, path: formatJsonPath(valuePath) });
      }
      return { ...base, kind, name: release.name, delivery: { order: release.order, duplicates: release.duplicates, seed: release.seed } };
    }
  }
}

/** Why `name` names no task: 'no such task', or a clearer reason for a service task; undefined when it names one. */
function unknownTask(name: string, context: Pick<StepContext, 'labels' | 'serviceNames'>): string | undefined {
  if (context.labels.has(name)) return undefined;
  const service = SERVICE_TASK.exec(name);
  if (!service) return 'no such task';
  if (!context.serviceNames.has(service[1])) {
    return `names task ${JSON.stringify(name)} of service ${JSON.stringify(service[1])}, which the scenario does not declare (services: ${[...context.serviceNames].join(', ') || 'none'})`;
  }
  return undefined;
}

/** `task-1`, `task-2`, … skipping the labels already taken, for a runTask step without `as`. */
function numberedLabels(count: number, taken: ReadonlySet<string>): string[] {
  const labels: string[] = [];
  for (let n = 1; labels.length < count; n += 1) if (!taken.has(`task-${n}`)) labels.push(`task-${n}`);
  return labels;
}

/** The key a pull by tag resolves through (a bare name is Docker Hub's `library/<name>:latest`). */
function tagKey(reference: ImageReference): string {
  return `${reference.registry}/${reference.repository}:${reference.tag ?? 'latest'}`;
}

/** The declared image a label would also name if read as an image reference (as `expect.decisions` reads it). */
function imageNamedBy(label: string, ...declared: ReadonlyMap<string, string>[]): string | undefined {
  let reference: ImageReference;
  try {
    reference = parseImageReference(label);
  } catch {
    return undefined;
  }
  const key = tagKey(reference);
  return declared.map((images) => images.get(key)).find((image) => image !== undefined);
}

function findSpec(taskDefinitions: Scenario['taskDefinitions'], reference: string): TaskDefinitionSpec | undefined {
  const [family, revision] = reference.split(':');
  const matches = taskDefinitions.filter(({ spec }) => spec.family === family && (revision === undefined || String(spec.revision ?? '') === revision || spec.revision === undefined));
  return matches[matches.length - 1]?.spec;
}

function parseReference(reference: string, file: string, path: Path) {
  try {
    return parseImageReference(reference);
  } catch (error) {
    throw new InputError((error as Error).message, { source: file, path: formatJsonPath(path), cause: error });
  }
}

/**
 * Validates a part of the scenario found at `prefix`. Invalid: one `InputError` for one problem, else a `ProblemList`
 * of every problem with its JSON path in the file (the scenario's list of problems takes them in one by one).
 */
function check<T extends z.ZodType>(schema: T, value: unknown, file: string, prefix: Path): z.output<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = describeIssues(parsed.error.issues, value, schema).map((problem) => ({ path: formatJsonPath([...prefix, ...problem.path]), message: problem.message }));
  if (problems.length === 1) throw new InputError(problems[0].message, { source: file, path: problems[0].path || undefined, cause: parsed.error });
  throw new ProblemList(file, problems, parsed.error);
}

function durationMs(text: string): number {
  const parsed = parseDuration(text);
  if ('error' in parsed) throw new Error(parsed.error);
  return parsed.ms;
}
