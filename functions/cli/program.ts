import { Command, CommanderError, Option } from 'commander';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { version as PACKAGE_VERSION } from '../../package.json';
import { InputError } from '../core/errors';
import { parseScanReportText, type ScanReport } from '../core/findings';
import { parseImageReference, type ImageReference } from '../core/image/reference';
import { RULE_NAMES, assessImage, evaluatePolicy, isBlocking, policySchemaJson, type LoadedPolicy, type Policy } from '../core/policy';
import type { ContainerEvidence } from '../core/policy/input';
import { renderJson, renderJunit, renderMarkdown, renderTable } from '../core/render';
import type { EvaluationResult } from '../core/result/model';
import { applyOverrides, parseTaskDefinition } from '../core/taskdef';
import type { ContainerSpec, TaskDefinitionSpec } from '../core/taskdef/model';
import { describeFileError, readJsonFile, readTextFile } from '../io/files';
import { readPolicyFile } from '../io/policy-file';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stdout is a terminal (colour in the table). */
  isTty?: boolean;
  /** Terminal width in columns, when stdout is a terminal: the table is fitted to it. */
  columns?: number;
  cwd?: string;
  now?: () => Date;
}

export const EXIT = { ok: 0, policyFailed: 1, error: 2 } as const;

const FORMATS = ['table', 'json', 'junit', 'markdown'] as const;
type Format = (typeof FORMATS)[number];

/** The policy the CLI uses when none is given: the one shipped beside the code. */
export const DEFAULT_POLICY_PATH = resolve(__dirname, '../../policies/default.json');

/** ECS container names: 1 to 255 letters, digits, hyphens and underscores. */
const CONTAINER_NAME = /^[A-Za-z0-9_-]{1,255}$/;

const EVALUATE_HELP = `
Exit status: 0 pass or warn (or any result under an audit-mode policy), 1 the policy fails,
2 bad input or an error (an unreadable or invalid file; an image without a report, or with one older than
maxScanAge under --check-scan-age, when the policy's onScanError is "deny").

Examples:
  trivy image --format json --output report.json "$IMAGE"
  fargate-gate evaluate --report report.json

  fargate-gate evaluate --task-definition taskdef.json \\
    --report app=app-report.json --report log-router=fluent-bit-report.json \\
    --format junit --output fargate-gate.xml
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
    .description('Evaluate scan reports (Trivy or Grype JSON), optionally with the ECS task definition that runs them.')
    .requiredOption(
      '-r, --report <[CONTAINER=]FILE...>',
      'scan report (`trivy image --format json`, `grype -o json`); prefix with the container name when the task definition has several containers',
    )
    .option('-t, --task-definition <FILE>', 'ECS task definition JSON (DescribeTaskDefinition output or the bare task definition)')
    .option('--overrides <FILE>', 'RunTask overrides JSON ({"containerOverrides": [...]}) to judge with the task definition')
    .option('-p, --policy <FILE>', 'policy file (default: the shipped policies/default.json)')
    .addOption(new Option('-f, --format <FORMAT>', 'output format').choices(FORMATS).default('table'))
    .option('-o, --output <FILE>', 'write the result to FILE instead of standard output')
    .option('--cluster <NAME>', 'cluster the task runs in (scoped modes and exceptions)')
    .option('--service <NAME>', 'service the task belongs to (scoped modes and exceptions)')
    .option('--check-scan-age', "treat a report older than the policy's maxScanAge as a scan error (the policy's onScanError decides); off by default: a report is judged as it is")
    .option(
      '--now <TIME>',
      'evaluate as of TIME (ISO 8601, e.g. 2025-06-02T10:00:00Z) instead of the current time: exception expiry (and, with --check-scan-age, scan age) is measured from it, to reproduce a past verdict',
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
    .action(async (options: { scenario: string; format: 'timeline' | 'json' }) => {
      // Loaded lazily: evaluate in a CI pipeline should not pay for the simulator.
      const { runSimulate } = await import('./simulate');
      setExitCode(
        await runSimulate(
          { scenario: resolve(io.cwd ?? process.cwd(), options.scenario), format: options.format },
          { stdout: io.stdout, stderr: io.stderr },
        ),
      );
    });

  return program;
}

interface EvaluateOptions {
  report: string[];
  taskDefinition?: string;
  overrides?: string;
  policy?: string;
  format: Format;
  output?: string;
  cluster?: string;
  service?: string;
  checkScanAge?: boolean;
  now?: string;
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
  const specs = options.report.map(splitReportSpec);

  const policy = await readPolicy(options.policy ?? DEFAULT_POLICY_PATH, io);
  let taskDefinition: TaskDefinitionSpec | undefined;
  if (options.taskDefinition) {
    taskDefinition = parseTaskDefinition(await readInput(options.taskDefinition, io, 'task definition'), options.taskDefinition);
    if (options.overrides) {
      taskDefinition = applyOverrides(taskDefinition, await readInput(options.overrides, io, 'RunTask overrides'), options.overrides);
    }
  }

  const reports: ReportInput[] = [];
  // One at a time: the first bad file is the one reported, whatever the file system's timing.
  for (const { container, file } of specs) {
    const text = await readTextFile(pathOf(file, io), { source: file, what: 'scan report' });
    const report = parseScanReportText(text, file);
    // What the normaliser could not tell from the report (e.g. no image config, so the user is unknown) explains a verdict.
    for (const warning of report.warnings ?? []) io.stderr(`fargate-gate: warning: ${file}: ${warning}\n`);
    reports.push({ ...(container !== undefined ? { container } : {}), file, report });
  }

  const containers = matchContainers(reports, taskDefinition, io);
  const containerEvidence: ContainerEvidence[] = containers.map(({ name, spec, report, file }) => {
    const image = imageOf(spec?.image ?? report?.image.reference);
    const evidence: ContainerEvidence = {};
    if (name !== undefined) evidence.name = name;
    if (image) evidence.image = image;
    const pinned = spec ? image?.digest : undefined;
    const scanned = report?.image.digest;
    if (pinned && scanned && pinned !== scanned) {
      // Not an error: a multi-platform image is pinned by its index digest while a scan may name the platform manifest.
      io.stderr(
        `fargate-gate: warning: ${file}: the report is for ${scanned}, but container "${name}" runs ${pinned}; ` +
          'make sure the report is a scan of the image the task definition runs\n',
      );
    }
    // The digest the container runs: the task definition's pin when it has one, else the one scanned.
    const digest = pinned ?? scanned ?? image?.digest;
    if (digest) evidence.digest = digest;
    if (spec) evidence.spec = spec;
    if (report) evidence.assessment = assessImage(policy, report);
    return evidence;
  });

  const result = evaluatePolicy(policy, {
    containers: containerEvidence,
    context: {
      ...(options.cluster ? { cluster: options.cluster } : {}),
      ...(options.service ? { service: options.service } : {}),
      ...(taskDefinition?.arn ? { taskDefinition: taskDefinition.arn } : {}),
    },
    now,
    checkScanAge: options.checkScanAge === true,
  });

  const rules = enabledRules(policy);
  if (options.output) {
    // A file gets no colour and the default width, whatever the terminal that started the command.
    const rendered = render(result, options.format, { rules });
    await writeOutput(options.output, rendered, io);
    io.stderr(`fargate-gate: ${result.decision.toUpperCase()} (${result.violations.length} violation(s)); ${options.format} written to ${options.output}\n`);
  } else {
    io.stdout(render(result, options.format, { rules, color: Boolean(io.isTty), width: io.isTty ? io.columns : undefined }));
  }
  return exitCodeFor(result);
}

export function exitCodeFor(result: EvaluationResult): number {
  if (result.decision === 'error' && result.mode === 'enforce') return EXIT.error;
  return isBlocking(result) ? EXIT.policyFailed : EXIT.ok;
}

/**
 * The rules the policy actually evaluates, in the schema's order: present and not disabled. The JUnit report
 * lists one test case per rule, and a rule the policy does not have must not show up there as "passed".
 */
export function enabledRules(policy: LoadedPolicy<Policy>): string[] {
  const rules = policy.document.rules as Partial<Record<(typeof RULE_NAMES)[number], { enabled?: boolean }>>;
  return RULE_NAMES.filter((name) => rules[name] !== undefined && rules[name]?.enabled !== false);
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

interface Matched {
  name?: string;
  spec?: ContainerSpec;
  report?: ScanReport;
  /** The report's file, for messages. */
  file?: string;
}

/** Pairs reports with task-definition containers: by explicit name, else the only container, else the image reference. */
function matchContainers(reports: ReportInput[], taskDefinition: TaskDefinitionSpec | undefined, io: CliIo): Matched[] {
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
    return reports.map(({ container, report, file }) => ({ ...(container !== undefined ? { name: container } : {}), report, file }));
  }

  const names = taskDefinition.containers.map((c) => c.name);
  const listed = names.map((n) => `"${n}"`).join(', ');
  for (const input of reports) {
    let name = input.container;
    if (name === undefined) {
      if (taskDefinition.containers.length === 1) name = names[0];
      else name = containerByImage(taskDefinition, input.report.image.reference);
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
    if (!input) io.stderr(`fargate-gate: no report for container "${spec.name}"; only its task-definition settings are judged, and the policy's onScanError decides\n`);
    return { name: spec.name, spec, ...(input ? { report: input.report, file: input.file } : {}) };
  });
}

function containerByImage(taskDefinition: TaskDefinitionSpec, reference: string | undefined): string | undefined {
  const scanned = imageOf(reference);
  if (!scanned) return undefined;
  const candidates = taskDefinition.containers.filter((c) => {
    const image = imageOf(c.image);
    return image !== undefined && image.registry === scanned.registry && image.repository === scanned.repository;
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
