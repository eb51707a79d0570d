// zod at hand for the readers this command line calls directly (core/zod-on-demand.ts): before anything reads.
import '../io/zod-provided';
import { Command, CommanderError, Option } from 'commander';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { version as PACKAGE_VERSION } from '../../package.json';
import { InputError } from '../core/errors';
import { parseScanReportText, type ScanReport } from '../core/findings';
import type { ImageFacts } from '../core/findings/model';
import { parseKevCatalogueText, withKevCatalogue } from '../core/findings/kev';
import { parseImageReference, type ImageReference } from '../core/image/reference';
import { assessImage, evaluatePolicy, isBlocking, type LoadedPolicy, type Policy } from '../core/policy';
import { RULE_NAMES, policySchemaJson } from '../core/policy/schema';
import type { ContainerEvidence, ExposureFact, ImageAssessment } from '../core/policy/input';
import { renderJson, renderJunit, renderMarkdown, renderTable } from '../core/render';
import type { EvaluationResult } from '../core/result/model';
import { applyOverrides, parseTaskDefinition } from '../core/taskdef';
import { launchFactsFromRequest } from '../core/taskdef/launch';
import { exposureFromLaunch } from '../core/taskdef/exposure';
import { taskSettingsOf } from '../core/policy/rules/hardening/settings';
import type { LaunchFacts } from '../core/policy/rules/hardening/types';
import type { ContainerSpec, TaskDefinitionSpec } from '../core/taskdef/model';
import { DEFAULT_MAX_REPORT_BYTES, REPORT_SIZE_SETTING, formatBytes, parseByteSize } from '../core/report-size';
import { describeFileError, readJsonFile, readTextFileWithin } from '../io/files';
import { readPolicyFile } from '../io/policy-file';
import { IN_USE_FORMATS, inUseReportCommand, type InUseReportOptions } from './in-use-report';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether the table may use colour (stdout is a terminal and NO_COLOR is not set). */
  isTty?: boolean;
  /**
   * Terminal width in columns, given only when stdout is a terminal: the table is fitted to it (messages
   * wrapped). Absent (a pipe, a CI log), the table is written whole, nothing cut.
   */
  columns?: number;
  cwd?: string;
  now?: () => Date;
}

export const EXIT = { ok: 0, policyFailed: 1, error: 2 } as const;

const FORMATS = ['table', 'json', 'junit', 'markdown'] as const;
const EXPOSURES = ['public', 'internal'] as const;

/**
 * `--fail-on`: the least decision that exits 1 (the gate's "policy failed"), named after grype's `--fail-on <severity>`,
 * which fails the run for findings at or above a severity, and in the spirit of trivy's `--exit-code N`, which makes
 * findings fail a pipeline (trivy.dev docs, "Exit Code"). Grype's own status for it is 1 before v0.91.1 and 2 since
 * (anchore/grype#2575, cmd/grype/cli/cli.go `WithMapExitCode`); the gate keeps 2 for bad input and errors.
 */
const FAIL_ON = ['fail', 'warn'] as const;
type FailOn = (typeof FAIL_ON)[number];
type Format = (typeof FORMATS)[number];

/** The policy the CLI uses when none is given: the one shipped beside the code. */
export const DEFAULT_POLICY_PATH = resolve(__dirname, '../../policies/default.json');

/** ECS container names: 1 to 255 letters, digits, hyphens and underscores. */
const CONTAINER_NAME = /^[A-Za-z0-9_-]{1,255}$/;

const EVALUATE_HELP = `
Exit status: 0 pass or warn (or any result under an audit-mode policy), 1 the policy fails (or, with
--fail-on warn, warns), 2 bad input or an error (an unreadable or invalid file; a report of another image
than the container runs; an image without a report, or with one older than maxScanAge under --check-scan-age,
when the policy's onScanError is "deny").

A warning (an unfixable critical vulnerability under the default policy, an image without a usable scan under
onScanError "allow") exits 0 unless you pass --fail-on warn, the way grype --fail-on and trivy --exit-code make
findings fail a pipeline that reads only the exit status. Under an audit-mode policy nothing fails the exit status.

With --task-definition, each report must be a scan of the image its container runs: the same registry and
repository (from the report's ArtifactName or RepoDigests), and the same digest when the task definition pins
one. A report of a local tarball names no registry image: it is accepted with a warning.

A report that is not a scan of an image (trivy fs, trivy repo, trivy config, a Grype directory scan) is refused with
exit 2, with or without a task definition: it cannot vouch for the image that runs. To judge by it anyway (a CI job
that scans its source tree), name it: --allow-non-image-report CONTAINER or --allow-non-image-report FILE, once per
report. Such a report has no image config, so under a rootUser rule it fails unless the task definition sets a
non-root user.

Exploit context: --kev FILE reads CISA's Known Exploited Vulnerabilities catalogue (its JSON feed); findings it
lists count as known exploited for the policy's vulnerabilities.knownExploited (strict.json denies them whatever
their severity). Grype reports carry KEV listings and EPSS scores themselves; Trivy reports carry neither.
--exposure public|internal picks the policy's vulnerabilities.exposure parts; unstated, its unknownAs decides.

Several reports without a task definition are labelled by the image each one scanned (else by file name) in the
CONTAINER column.

Under an audit-mode policy the exit status is 0 whatever the result; in JUnit output the failures stay failures,
and the suite name and every failure message end in "(audit: not blocking)".

Examples:
  trivy image --format json --output report.json "$IMAGE"
  fargate-gate evaluate --report report.json

  fargate-gate evaluate --report report.json --policy policies/strict.json \
    --kev known_exploited_vulnerabilities.json --exposure public

  fargate-gate evaluate --task-definition taskdef.json \\
    --report app=app-report.json --report log-router=fluent-bit-report.json \\
    --format junit --output fargate-gate.xml
`;

const REPORT_HELP = `
Exactly one of --in-use and --scenario. The report lists one row per image digest in use, most urgent first (failing
images, then the most denied findings and tasks), capped at 2,000 images with a line saying so. The HTML page is one
self-contained file (no external assets; sortable by column with JavaScript, a plain table without). CSV cells that
would start a spreadsheet formula get a leading apostrophe. Exit status: 0 written, 2 bad input; the images'
decisions do not set it.

Examples:
  aws s3 cp s3://REPORTS-BUCKET/in-use/latest/in-use.json .
  fargate-gate report --in-use in-use.json --format html --output in-use.html
  fargate-gate report --scenario examples/scenarios/demo.json --format csv
`;

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with code 0; usage errors with 1, which we report as bad input (2).
      return error.exitCode === 0 ? EXIT.ok : EXIT.error;
    }
    io.stderr(`fargate-gate: ${describeError(error)}\n`);
    return EXIT.error;
  }
}

function buildProgram(io: CliIo, setExitCode: (code: number) => void): Command {
  const program = new Command('fargate-gate')
    .description('Judge container image scan reports and ECS task definitions against a fargate-gate policy.')
    .version(PACKAGE_VERSION, '-V, --version', 'print the fargate-gate version')
    .helpOption('-h, --help', 'show help')
    .helpCommand('help [command]', 'show help for a command')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError('(run with --help for usage)');

  program
    .command('evaluate')
    .description('Evaluate scan reports (Trivy or Grype JSON) and/or the ECS task definition that runs them.')
    .option(
      '-r, --report <[CONTAINER=]FILE...>',
      'scan report (`trivy image --format json`, `grype -o json`); prefix with the container name when the task definition has several containers; ' +
        'leave it out to judge a task definition alone (the image rules are then not judged)',
    )
    .option('-t, --task-definition <FILE>', 'ECS task definition JSON (DescribeTaskDefinition output or the bare task definition)')
    .option(
      '--run-task <FILE>',
      'RunTask (or CreateService) request JSON, as `aws ecs run-task --cli-input-json` takes it: its ECS Exec, platform version and public IP settings are judged by the hardening rules',
    )
    .option('--overrides <FILE>', 'RunTask overrides JSON ({"containerOverrides": [...]}) to judge with the task definition')
    .option('-p, --policy <FILE>', 'policy file (default: the shipped policies/default.json)')
    .addOption(new Option('-f, --format <FORMAT>', 'output format').choices(FORMATS).default('table'))
    .option('-o, --output <FILE>', 'write the result to FILE instead of standard output')
    .option('--cluster <NAME>', 'cluster the task runs in (scoped modes and exceptions)')
    .option('--service <NAME>', 'service the task belongs to (scoped modes and exceptions)')
    .option(
      '--allow-image-mismatch',
      'judge a container by a report of another image (or digest) than the one it runs, with a warning, instead of exit 2; the report\'s digest is then not recorded for the container',
    )
    .addOption(
      new Option('--fail-on <DECISION>', 'the least decision that exits 1: "fail" (default) or "warn" (warnings fail the pipeline too)')
        .choices(FAIL_ON)
        .default('fail'),
    )
    .option(
      '--allow-non-image-report <CONTAINER|FILE>',
      'judge by this report although it is not a scan of an image (trivy fs, trivy repo, trivy config, a Grype directory scan), with a warning, instead of exit 2; ' +
        'names one container or one report file (repeat it for more)',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option(
      '--kev <FILE>',
      "CISA Known Exploited Vulnerabilities catalogue (its JSON feed, known_exploited_vulnerabilities.json): findings it lists count as known exploited for the policy's vulnerabilities.knownExploited, beside any listing the report carries",
    )
    .addOption(
      new Option(
        '--exposure <EXPOSURE>',
        "whether the task is reachable from the internet (a public IP, or behind an internet-facing load balancer): \"public\" or \"internal\"; unstated, the --run-task request decides where it settles it (a public IP: public; none: internal), else the policy's vulnerabilities.exposure.unknownAs (default public)",
      ).choices(EXPOSURES),
    )
    .option('--check-scan-age', "treat a report older than the policy's maxScanAge as a scan error (the policy's onScanError decides); off by default: a report is judged as it is")
    .option(
      '--now <TIME>',
      'evaluate as of TIME (ISO 8601, e.g. 2025-06-02T10:00:00Z) instead of the current time: exception expiry (and, with --check-scan-age, scan age) is measured from it, to reproduce a past verdict',
    )
    .option(
      '--max-report-size <SIZE>',
      `refuse a scan report larger than SIZE (e.g. 128MiB; default ${formatBytes(DEFAULT_MAX_REPORT_BYTES)}, the limit the deployed gate applies)`,
    )
    .addHelpText('after', EVALUATE_HELP)
    .action(async (options: EvaluateOptions) => {
      setExitCode(await evaluateCommand(options, io));
    });

  const policy = program.command('policy').description('Work with policy files.');
  policy
    .command('validate')
    .description('Check a policy file against the schema; prints its name and hash (exit 2 and every problem with its JSON path when invalid).')
    .argument('<FILE>', 'policy file')
    .action(async (file: string) => {
      const loaded = await readPolicy(file, io);
      io.stdout(`${file}: valid policy "${loaded.name}" (schemaVersion ${loaded.document.schemaVersion}, sha256 ${loaded.hash})\n`);
    });
  policy
    .command('schema')
    .description('Print the JSON Schema of the policy format (the same as policies/policy.schema.json).')
    .action(() => {
      io.stdout(`${JSON.stringify(policySchemaJson(), null, 2)}\n`);
    });

  program
    .command('simulate')
    .description('Run the real gate handlers over a scenario on the in-memory backend (no AWS account needed).')
    .requiredOption('-s, --scenario <FILE>', 'scenario JSON file (see examples/scenarios/README.md)')
    .addOption(new Option('-f, --format <FORMAT>', 'output format').choices(['timeline', 'json']).default('timeline'))
    .option('--logs', "print the gate functions' own log stream instead of the timeline: JSON log lines and EMF metrics, stamped with simulated time")
    .option('-v, --verbose', 'list routine ignored events one by one (timeline); include debug lines (--logs)')
    .action(async (options: { scenario: string; format: 'timeline' | 'json'; logs?: boolean; verbose?: boolean }) => {
      // Loaded lazily: evaluate in a CI pipeline should not pay for the simulator.
      const { runSimulate } = await import('./simulate');
      setExitCode(
        await runSimulate(
          { scenario: resolve(io.cwd ?? process.cwd(), options.scenario), format: options.format, logs: Boolean(options.logs), verbose: Boolean(options.verbose) },
          { stdout: io.stdout, stderr: io.stderr, ...(io.columns ? { columns: io.columns } : {}) },
        ),
      );
    });

  program
    .command('report')
    .description('Render the in-use report (images running now, their decision, denied findings, expiring exceptions) as HTML, CSV or JSON.')
    .option('--in-use <FILE>', 'an exported in-use report (the JSON the scheduled report writes to S3 under in-use/)')
    .option('-s, --scenario <FILE>', 'a simulation scenario: report on the tasks running at its end (see examples/scenarios/README.md)')
    .addOption(new Option('-f, --format <FORMAT>', 'output format').choices(IN_USE_FORMATS).default('html'))
    .option('-o, --output <FILE>', 'write the report to FILE instead of standard output')
    .option('--exception-window <DAYS>', 'with --scenario: list exceptions expiring within DAYS days (default 14)')
    .option('--max-report-size <SIZE>', `refuse an exported report larger than SIZE (default ${formatBytes(DEFAULT_MAX_REPORT_BYTES)})`)
    .addHelpText('after', REPORT_HELP)
    .action(async (options: InUseReportOptions) => {
      setExitCode(await inUseReportCommand(options, { stdout: io.stdout, stderr: io.stderr, pathOf: (file) => pathOf(file, io) }));
    });

  return program;
}

interface EvaluateOptions {
  report?: string[];
  runTask?: string;
  taskDefinition?: string;
  overrides?: string;
  policy?: string;
  format: Format;
  output?: string;
  cluster?: string;
  service?: string;
  allowImageMismatch?: boolean;
  allowNonImageReport: string[];
  failOn: FailOn;
  checkScanAge?: boolean;
  now?: string;
  maxReportSize?: string;
  kev?: string;
  exposure?: (typeof EXPOSURES)[number];
}

interface ReportInput {
  container?: string;
  file: string;
  report: ScanReport;
}

async function evaluateCommand(options: EvaluateOptions, io: CliIo): Promise<number> {
  // Every argument is checked before any file is read, so a typo fails fast with the right message.
  const now = options.now !== undefined ? parseNow(options.now) : io.now ? io.now() : new Date();
  if (options.overrides && !options.taskDefinition) {
    throw new InputError(`--overrides ${options.overrides} needs --task-definition: RunTask overrides apply to the containers of a task definition`);
  }
  if ((options.report ?? []).length === 0 && !options.taskDefinition) {
    throw new InputError('nothing to judge: give --report FILE, --task-definition FILE, or both');
  }
  if (options.runTask && !options.taskDefinition) {
    throw new InputError(`--run-task ${options.runTask} needs --task-definition: the launch settings are judged with the task definition they launch`);
  }
  const specs = (options.report ?? []).map(splitReportSpec);
  const maxReportBytes = options.maxReportSize !== undefined ? parseByteSize(options.maxReportSize, '--max-report-size') : DEFAULT_MAX_REPORT_BYTES;

  const policy = await readPolicy(options.policy ?? DEFAULT_POLICY_PATH, io);
  const runTaskRequest = options.runTask ? await readInput(options.runTask, io, 'RunTask request') : undefined;
  const launch = options.runTask
    ? launchFactsFromRequest(runTaskRequest, options.runTask, `from the RunTask request ${options.runTask}`)
    : undefined;
  let taskDefinition: TaskDefinitionSpec | undefined;
  if (options.taskDefinition) {
    taskDefinition = parseTaskDefinition(await readInput(options.taskDefinition, io, 'task definition'), options.taskDefinition);
    // The request's own `overrides` (API_RunTask) are what the task runs with, applied as the runtime applies a
    // CloudTrail RunTask call's requestParameters.overrides. Two sources of overrides for one launch is ambiguous.
    const requestOverrides = (runTaskRequest as { overrides?: unknown } | undefined)?.overrides;
    if (options.overrides && requestOverrides != null) {
      throw new InputError(
        `--overrides ${options.overrides} and the RunTask request's own "overrides" are two sources of overrides for one launch: give them in one place`,
        { source: options.runTask },
      );
    }
    if (options.overrides) {
      taskDefinition = applyOverrides(taskDefinition, await readInput(options.overrides, io, 'RunTask overrides file'), options.overrides);
    } else if (requestOverrides != null) {
      taskDefinition = applyOverrides(taskDefinition, requestOverrides, `${options.runTask} (overrides)`);
    }
  }

  const kev =
    options.kev !== undefined
      ? parseKevCatalogueText(
          await readTextFileWithin(pathOf(options.kev, io), { source: options.kev, what: 'KEV catalogue' }, { maxBytes: maxReportBytes, raiseWith: REPORT_SIZE_SETTING.cli }),
          options.kev,
        )
      : undefined;

  const reports: ReportInput[] = [];
  // One at a time: the first bad file is the one reported, whatever the file system's timing.
  for (const { container, file } of specs) {
    const text = await readTextFileWithin(pathOf(file, io), { source: file, what: 'scan report' }, { maxBytes: maxReportBytes, raiseWith: REPORT_SIZE_SETTING.cli });
    const parsed = parseScanReportText(text, file);
    const report = kev ? withKevCatalogue(parsed, kev) : parsed;
    // What the normaliser could not tell from the report (e.g. no image config, so the user is unknown) explains a verdict.
    for (const warning of report.warnings ?? []) io.stderr(`fargate-gate: warning: ${file}: ${warning}\n`);
    reports.push({ ...(container !== undefined ? { container } : {}), file, report });
  }

  const imagesJudged = reports.length > 0;
  if (!imagesJudged) io.stderr('fargate-gate: no scan report given: the image rules are not judged, only the task definition\'s settings\n');
  const containers = matchContainers(reports, taskDefinition, io, imagesJudged);
  const waivers = nonImageWaivers(options.allowNonImageReport ?? [], containers, io);
  for (const matched of containers) {
    if (matched.report && matched.file !== undefined) checkImageScan(matched as Matched & { report: ScanReport; file: string }, waivers, io);
  }
  const containerEvidence: ContainerEvidence[] = containers.map(({ name, spec, report, file }) => {
    const evidence: ContainerEvidence = {};
    if (name !== undefined) evidence.name = name;
    if (spec) evidence.spec = spec;
    if (!spec) {
      // A bare report is its own subject: its image and the digest it scanned.
      const image = imageOf(report?.image.reference);
      if (image) evidence.image = image;
      const digest = report?.image.digest ?? image?.digest;
      if (digest) evidence.digest = digest;
      if (report) evidence.assessment = assessImage(policy, report, { now });
      return evidence;
    }
    const image = imageOf(spec.image);
    if (image) evidence.image = image;
    if (!report || file === undefined) {
      if (image?.digest) evidence.digest = image.digest;
      return evidence;
    }
    const check = checkReportImage(spec, image, report.image);
    const container = `container "${spec.name}" runs ${spec.image}`;
    switch (check.kind) {
      case 'mismatch':
        if (!options.allowImageMismatch) {
          throw new InputError(
            `the report is a scan of ${check.scanned}, but ${container}; give the report of the image the container runs` +
              `${check.hint ? ` (${check.hint})` : ''}, or pass --allow-image-mismatch to judge the container by this report anyway`,
            { source: file },
          );
        }
        io.stderr(
          `fargate-gate: warning: ${file}: the report is a scan of ${check.scanned}, but ${container}; judged by this report anyway ` +
            "(--allow-image-mismatch), and the report's digest is not recorded for the container\n",
        );
        break;
      case 'unverified':
        io.stderr(`fargate-gate: warning: ${file}: ${check.why}\n`);
        break;
      case 'match':
        for (const note of check.notes) io.stderr(`fargate-gate: warning: ${file}: ${note}\n`);
        break;
    }
    // The digest the container runs: the task definition's pin, else the scanned one, but only when the report is proven to be of this image.
    const digest = image?.digest ?? (check.kind === 'match' ? report.image.digest : undefined);
    if (digest) evidence.digest = digest;
    const assessment = assessImage(policy, report, { now });
    evidence.assessment = check.kind === 'match' ? assessment : withoutScannedDigest(assessment);
    return evidence;
  });

  const result = evaluatePolicy(policy, {
    containers: containerEvidence,
    context: {
      ...exposureOfCall(options.exposure, launch, options.runTask),
      ...(options.cluster ? { cluster: options.cluster } : {}),
      ...(options.service ? { service: options.service } : {}),
      ...(taskDefinition?.arn ? { taskDefinition: taskDefinition.arn } : {}),
    },
    now,
    checkScanAge: options.checkScanAge === true,
    ...(taskDefinition ? { task: taskSettingsOf(taskDefinition) } : {}),
    ...(launch ? { launch } : {}),
    imagesJudged,
  });

  const rules = enabledRules(policy);
  if (options.output) {
    // A file gets no colour and the default width, whatever the terminal that started the command.
    const rendered = render(result, options.format, { rules });
    await writeOutput(options.output, rendered, io);
    io.stderr(`fargate-gate: ${result.decision.toUpperCase()} (${result.violations.length} violation(s)); ${options.format} written to ${options.output}\n`);
  } else {
    io.stdout(render(result, options.format, { rules, color: Boolean(io.isTty), width: io.columns }));
  }
  return exitCodeFor(result, options.failOn);
}

/**
 * The exposure the images are judged with: `--exposure` when given, else what the RunTask request settles, as the
 * runtime does for a RunTask call (`exposureFromLaunch(launch, 'none')`: API_RunTask has no load balancer parameter).
 * `--exposure internal` against a request that assigns a public IP would loosen the judgement below the request's own
 * fact: refused, never resolved in the looser direction.
 */
function exposureOfCall(given: EvaluateOptions['exposure'], launch: LaunchFacts | undefined, runTask: string | undefined): { exposure?: ExposureFact } {
  const launched = exposureFromLaunch(launch, 'none');
  if (given === 'internal' && launched?.value === 'public') {
    throw new InputError(`--exposure internal contradicts the RunTask request: ${launched.source}; drop --exposure or give the request the task really runs with`, {
      source: runTask ?? '--run-task',
    });
  }
  if (given) return { exposure: { value: given, source: '--exposure' } };
  return launched ? { exposure: launched } : {};
}

/** The exit status of a result: audit mode never fails it; `failOn: 'warn'` makes a warning fail like a denial. */
export function exitCodeFor(result: EvaluationResult, failOn: FailOn = 'fail'): number {
  if (result.decision === 'error' && result.mode === 'enforce') return EXIT.error;
  if (isBlocking(result)) return EXIT.policyFailed;
  return failOn === 'warn' && result.mode === 'enforce' && result.decision === 'warn' ? EXIT.policyFailed : EXIT.ok;
}

/**
 * The rules the policy actually evaluates, in the schema's order: present and not disabled. The JUnit report
 * lists one test case per rule, and a rule the policy does not have must not show up there as "passed".
 */
export function enabledRules(policy: LoadedPolicy<Policy>): string[] {
  const rules = policy.document.rules as Partial<Record<string, { enabled?: boolean }>>;
  const hardening = (policy.document.rules.hardening ?? {}) as Partial<Record<string, { enabled?: boolean }>>;
  const enabled = (config: { enabled?: boolean } | undefined) => config !== undefined && config.enabled !== false;
  return RULE_NAMES.filter((name) => (name.startsWith('hardening.') ? enabled(hardening[name.slice('hardening.'.length)]) : enabled(rules[name])));
}

interface RenderOptions {
  rules: readonly string[];
  color?: boolean;
  width?: number;
}

function render(result: EvaluationResult, format: Format, options: RenderOptions): string {
  switch (format) {
    case 'json':
      return renderJson(result);
    case 'junit':
      return renderJunit(result, { rules: options.rules });
    case 'markdown':
      return renderMarkdown(result);
    case 'table':
      return renderTable(result, { color: options.color ?? false, ...(options.width && options.width > 0 ? { width: options.width } : {}) });
  }
}

function parseNow(text: string): Date {
  const ms = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new InputError(`--now: expected an ISO 8601 date or date-time with offset such as "2025-06-02" or "2025-06-02T10:00:00Z", got ${JSON.stringify(text)}`);
  }
  return new Date(ms);
}

function splitReportSpec(spec: string): { container?: string; file: string } {
  const eq = spec.indexOf('=');
  if (eq > 0) {
    const container = spec.slice(0, eq);
    const file = spec.slice(eq + 1);
    if (CONTAINER_NAME.test(container)) {
      if (file.length === 0) throw new InputError(`--report ${spec}: no file after "${container}="; expected CONTAINER=FILE`);
      return { container, file };
    }
  }
  if (spec.trim() === '') throw new InputError('--report: expected a file name, got an empty string');
  return { file: spec };
}

/** Registry names and digests a report gives for the image it scanned (ArtifactName or userInput, RepoDigests, manifest digest). */
interface ScannedIdentity {
  names: ImageReference[];
  digests: Set<string>;
}

function scannedIdentity(facts: ImageFacts): ScannedIdentity {
  const names: ImageReference[] = [];
  const digests = new Set<string>();
  for (const parsed of [reportImageName(facts), ...facts.repoDigests.map(imageOf)]) {
    if (!parsed) continue;
    names.push(parsed);
    if (parsed.digest) digests.add(parsed.digest);
  }
  if (facts.digest) digests.add(facts.digest);
  return { names, digests };
}

// Grype source schemes (`grype docker-archive:app.tar`): some name a file or directory, others an image.
const FILE_SCHEME = /^(?:docker-archive|oci-archive|oci-dir|dir|file|singularity|sif):/i;
const IMAGE_SCHEME = /^(?:docker|podman|containerd|registry):(?=[^0-9])/i;
const ARCHIVE = /\.(?:tar|tgz|tar\.(?:gz|bz2|xz|zst)|oci|zip)$/i;

/**
 * The registry image a report's ArtifactName (Trivy) or userInput (Grype) names, or undefined when it names a file.
 * A path such as `build/app.tar` or `testdata/fixtures/repo/npm` is also valid reference syntax, so a name counts
 * only when it does not look like a path or an archive, and either says it is a reference (a tag, a digest or a
 * registry host) or the report is of an image at all (an image id, an image config or repository digests, which
 * `trivy fs` and `trivy repo` reports never have).
 */
function reportImageName(facts: ImageFacts): ImageReference | undefined {
  const text = facts.reference;
  if (!text || FILE_SCHEME.test(text)) return undefined;
  const name = text.replace(IMAGE_SCHEME, '');
  if (/^[/.~]/.test(name) || ARCHIVE.test(name)) return undefined;
  const parsed = imageOf(name);
  if (!parsed) return undefined;
  const first = name.split('/')[0];
  const saysReference = parsed.tag !== undefined || parsed.digest !== undefined || (name.includes('/') && (/[.:]/.test(first) || first === 'localhost'));
  const isImageScan = facts.imageId !== undefined || facts.hasImageConfig || facts.repoDigests.length > 0;
  return saysReference || isImageScan ? parsed : undefined;
}

/** The scanned image as a person recognises it: the name the report gives, then the digests it names. */
function describeScanned(facts: ImageFacts): string {
  const shown = facts.repoDigests.slice(0, 3);
  const digests = shown.length > 0 ? shown : facts.digest ? [facts.digest] : [];
  const more = facts.repoDigests.length > shown.length ? `, and ${facts.repoDigests.length - shown.length} more` : '';
  const name = facts.reference ?? '(an unnamed image)';
  return digests.length > 0 ? `${name} (${digests.join(', ')}${more})` : name;
}

const sameRepository = (a: ImageReference, b: ImageReference): boolean => a.registry === b.registry && a.repository === b.repository;

type ImageCheck = { kind: 'match'; notes: string[] } | { kind: 'unverified'; why: string } | { kind: 'mismatch'; scanned: string; hint?: string };

const PLATFORM_HINT =
  'if the pinned digest is a multi-platform image index and the report names only a platform manifest, scan the image by the pinned digest';

/**
 * Whether a report is a scan of the image a container runs. A digest the task definition pins decides when the
 * report names any digest; else the registry and repository must match (Docker Hub's host names are one, see
 * parseImageReference). A report that names no registry image (a local tarball) cannot be matched either way.
 */
function checkReportImage(spec: ContainerSpec, image: ImageReference | undefined, facts: ImageFacts): ImageCheck {
  const scanned = scannedIdentity(facts);
  const container = `container "${spec.name}" (${spec.image})`;
  const pinned = image?.digest;
  if (pinned && scanned.digests.has(pinned)) return { kind: 'match', notes: [] };
  if (pinned && scanned.digests.size > 0) {
    const sameRepo = image !== undefined && scanned.names.some((name) => sameRepository(name, image));
    return { kind: 'mismatch', scanned: describeScanned(facts), ...(sameRepo ? { hint: PLATFORM_HINT } : {}) };
  }
  if (!image) {
    return { kind: 'unverified', why: `${container} is not a valid image reference, so the report could not be matched to it; it is judged as that container's image` };
  }
  if (scanned.names.length === 0) {
    const what = facts.reference ? ` (it scanned ${JSON.stringify(facts.reference)})` : '';
    return { kind: 'unverified', why: `the report names no registry image${what}, so it could not be matched to ${container}; it is judged as that container's image` };
  }
  const same = scanned.names.filter((name) => sameRepository(name, image));
  if (same.length === 0) return { kind: 'mismatch', scanned: describeScanned(facts) };
  const notes: string[] = [];
  if (pinned) notes.push(`the report names no digest, so it could not be checked against the digest ${container} pins`);
  const tags = same.map((name) => name.tag).filter((tag): tag is string => tag !== undefined);
  if (!pinned && image.tag !== undefined && tags.length > 0 && !tags.includes(image.tag)) {
    notes.push(
      `the report is a scan of ${facts.reference ?? describeScanned(facts)}, but ${container} runs another tag of that repository; ` +
        'make sure it is the same image (pin the image by digest to have it checked)',
    );
  }
  return { kind: 'match', notes };
}

/** What a report says it scanned, for messages: `a scan of a filesystem (ArtifactType "filesystem")`. */
function describeArtifact(report: ScanReport): string {
  const artifact = report.artifact ?? { kind: 'unstated' as const };
  const field = report.provenance.scanner === 'trivy' ? 'ArtifactType' : 'source.type';
  if (artifact.kind === 'other') return `a scan of a ${artifact.type} (${field} ${JSON.stringify(artifact.type?.slice(0, 40))}), not of an image`;
  return `not shown to be a scan of an image (no ${field}, and no image id, image config or repository digest)`;
}

/** Who a report is: its container name (from the task definition or `--report NAME=FILE`), and its file as given. */
function reportNames(matched: Matched): string[] {
  return [matched.name, matched.file].filter((name): name is string => name !== undefined);
}

/**
 * `--allow-non-image-report` values, each checked to name a container or a report file of this run, so a typo
 * waives nothing silently; a waiver of a report that is an image scan anyway is pointless and said so. Waivers are kept
 * per container judged, with the value that named it: a container's name waives that container only, even when another
 * container is judged by the same report file; a file name waives that file wherever it is given.
 */
function nonImageWaivers(values: readonly string[], containers: readonly Matched[], io: CliIo): Map<Matched, string> {
  const waivers = new Map<Matched, string>();
  for (const value of values) {
    const named = containers.filter((m) => m.report && (m.name === value || namesFile(value, m, io)));
    if (named.length === 0) {
      const known = containers.filter((m) => m.report).flatMap(reportNames).map((name) => JSON.stringify(name));
      throw new InputError(`--allow-non-image-report ${value}: no container or report file of this run has that name (they are ${known.join(', ')})`);
    }
    for (const m of named) {
      if (m.report?.artifact?.kind === 'image') {
        io.stderr(`fargate-gate: warning: --allow-non-image-report ${value}: ${m.file} is a scan of an image; the waiver is not needed\n`);
      }
      if (!waivers.has(m)) waivers.set(m, value);
    }
  }
  return waivers;
}

/** Whether `value` names the report file of `matched` (as given, or as the same path). */
function namesFile(value: string, matched: Matched, io: CliIo): boolean {
  return matched.file !== undefined && (value === matched.file || pathOf(value, io) === pathOf(matched.file, io));
}

/**
 * A report that is not a scan of an image cannot vouch for one: judged as a container's image (or as the image of a
 * bare run), a `trivy fs` put in place of `trivy image` by mistake would pass the gate. Refused, like a report of
 * another image, unless `--allow-non-image-report` names this report or its container.
 */
function checkImageScan(matched: Matched & { report: ScanReport; file: string }, waivers: ReadonlyMap<Matched, string>, io: CliIo): void {
  if (matched.report.artifact?.kind === 'image') return;
  const subject = matched.spec ? `the image container "${matched.spec.name}" runs (${matched.spec.image})` : 'an image';
  const waivedBy = waivers.get(matched);
  if (waivedBy === undefined) {
    throw new InputError(
      `the report is ${describeArtifact(matched.report)}, so it cannot vouch for ${subject}; scan the image (\`trivy image\`, \`grype IMAGE\`), ` +
        `or pass --allow-non-image-report ${matched.name ?? matched.file} to judge ${matched.spec ? 'the container' : 'it'} by this report anyway`,
      { source: matched.file },
    );
  }
  io.stderr(`fargate-gate: warning: ${matched.file}: the report is ${describeArtifact(matched.report)}; judged as ${subject} anyway (--allow-non-image-report ${waivedBy})\n`);
}

/** The assessment without the scanned digest, for a report not proven to be of the container's image: the engine must not record that digest for it. */
function withoutScannedDigest(assessment: ImageAssessment): ImageAssessment {
  const { digest: _scanned, ...facts } = assessment.facts;
  return { ...assessment, facts };
}

interface Matched {
  name?: string;
  spec?: ContainerSpec;
  report?: ScanReport;
  /** The report's file, for messages. */
  file?: string;
}

/** Pairs reports with task-definition containers: by explicit name, else the only container, else the image reference. */
function matchContainers(reports: ReportInput[], taskDefinition: TaskDefinitionSpec | undefined, io: CliIo, imagesJudged: boolean): Matched[] {
  const assigned = new Map<string, ReportInput>();
  const claim = (name: string, input: ReportInput) => {
    const earlier = assigned.get(name);
    if (earlier) {
      throw new InputError(`two reports given for container "${name}" (${earlier.file} and ${input.file}); give one report per container`, {
        source: input.file,
      });
    }
    assigned.set(name, input);
  };

  if (!taskDefinition) {
    for (const input of reports) if (input.container !== undefined) claim(input.container, input);
    const labels = reports.length > 1 ? labelReports(reports) : [];
    return reports.map(({ container, report, file }, index) => {
      const name = container ?? labels[index];
      return { ...(name !== undefined ? { name } : {}), report, file };
    });
  }

  const names = taskDefinition.containers.map((c) => c.name);
  const listed = names.map((n) => `"${n}"`).join(', ');
  for (const input of reports) {
    let name = input.container;
    if (name === undefined) {
      if (taskDefinition.containers.length === 1) name = names[0];
      else name = containerByImage(taskDefinition, input.report.image);
    }
    if (name === undefined) {
      throw new InputError(
        `cannot tell which container this report is for: the task definition has ${names.length} containers (${listed}) and the report's image ` +
          `${input.report.image.reference ? `"${input.report.image.reference}" matches none or several of their images` : 'is not named'}; pass --report CONTAINER=${input.file}`,
        { source: input.file },
      );
    }
    if (!names.includes(name)) {
      throw new InputError(`--report ${name}=...: the task definition has no container named "${name}" (it has ${listed})`, { source: input.file });
    }
    claim(name, input);
  }
  return taskDefinition.containers.map((spec) => {
    const input = assigned.get(spec.name);
    if (!input && imagesJudged) io.stderr(`fargate-gate: no report for container "${spec.name}"; only its task-definition settings are judged, and the policy's onScanError decides\n`);
    return { name: spec.name, spec, ...(input ? { report: input.report, file: input.file } : {}) };
  });
}

/**
 * Names for reports given without a container name, when there are several: the image each one scanned, else (a
 * tarball, or two reports of one image) its file as given, so every row, JUnit case and error says which report
 * it came from. One bare report keeps no name: there is nothing to tell apart.
 */
function labelReports(reports: readonly ReportInput[]): (string | undefined)[] {
  const imageName = (report: ScanReport): string | undefined =>
    reportImageName(report.image)?.original ?? report.image.repoDigests.find((text) => imageOf(text) !== undefined);
  const preferred = reports.map((input) => (input.container === undefined ? (imageName(input.report) ?? input.file) : undefined));
  const uses = new Map<string, number>();
  for (const name of [...preferred, ...reports.map((input) => input.container)]) if (name !== undefined) uses.set(name, (uses.get(name) ?? 0) + 1);
  const taken = new Set(reports.map((input) => input.container).filter((name): name is string => name !== undefined));
  return reports.map((input, index) => {
    const wanted = preferred[index];
    if (wanted === undefined) return undefined;
    const base = uses.get(wanted) === 1 ? wanted : input.file;
    let label = base;
    for (let n = 2; taken.has(label); n++) label = `${base} #${n}`;
    taken.add(label);
    return label;
  });
}

/** The one container whose image the report names (by repository, or by the digest it pins); undefined when none or several. */
function containerByImage(taskDefinition: TaskDefinitionSpec, facts: ImageFacts): string | undefined {
  const scanned = scannedIdentity(facts);
  const candidates = taskDefinition.containers.filter((c) => {
    const image = imageOf(c.image);
    if (!image) return false;
    if (image.digest && scanned.digests.has(image.digest)) return true;
    return scanned.names.some((name) => sameRepository(name, image));
  });
  return candidates.length === 1 ? candidates[0].name : undefined;
}

function imageOf(reference: string | undefined): ImageReference | undefined {
  if (!reference) return undefined;
  try {
    return parseImageReference(reference);
  } catch {
    // Reports often name a local tarball or directory (ArtifactName), which is not a registry reference.
    return undefined;
  }
}

async function readPolicy(file: string, io: CliIo): Promise<LoadedPolicy<Policy>> {
  return readPolicyFile(pathOf(file, io), file);
}

function pathOf(file: string, io: CliIo): string {
  return resolve(io.cwd ?? process.cwd(), file);
}

/** A JSON input file (task definition, overrides), named in errors as the user typed it. */
function readInput(file: string, io: CliIo, what: string): Promise<unknown> {
  return readJsonFile(pathOf(file, io), { source: file, what });
}

async function writeOutput(file: string, text: string, io: CliIo): Promise<void> {
  try {
    await writeFile(pathOf(file, io), text);
  } catch (error) {
    throw new InputError(`cannot write the result (--output): ${describeFileError(error)}`, { source: file, cause: error });
  }
}

function describeError(error: unknown): string {
  if (error instanceof InputError) return error.message;
  if (error instanceof Error) return `unexpected error: ${error.message}`;
  return `unexpected error: ${String(error)}`;
}
