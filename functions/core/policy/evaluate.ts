import type { ImageFacts } from '../findings/model';
import { parseImageReference, type ImageReference } from '../image/reference';
import { compareViolations, sortSuppressed, sortViolations } from '../result/order';
import type { Decision, EvaluationError, EvaluationResult, Mode, Subject, SubjectImage, Violation } from '../result/model';
import { clean, definedOnly } from './clean';
import { compilePolicy, type CompiledPolicy } from './compile';
import { resolveDriftSettings, withDriftGrace } from './drift';
import { applyExceptions, type ViolationScope } from './exceptions';
import { clusterNames, serviceNames } from './glob';
import type { ContainerEvidence, EvaluationInput, ExposureFact, LoadedPolicy } from './input';
import { maxScanAgeMs } from './scan-age';
import { accountOf } from '../organisation/account';
import { resolveMode, type ResolvedMode } from './mode';
import { imageViolations, type ImageRefInput } from './rules/images';
import { rootUserViolation } from './rules/rootUser';
import { hardeningViolations } from './rules/hardening/judge';
import { environmentSecretViolations } from './rules/secrets';
import type { Policy } from './schema';
import { withContainer } from './with-container';

/**
 * Judges a task (or a bare report) against the policy. Pure: the same input always gives the same result.
 *
 * Order: per container, the root user (task definition + image facts + the scanner's DS-0002), plaintext
 * credentials in the environment, the image reference, and the image's stored candidates; then scoped
 * modes; then exceptions; then the decision: any unsuppressed deny → `fail`; else an image without a usable
 * scan under `onScanError: deny` → `error`; else any warn (or such an image under `allow`) → `warn`; else `pass`.
 */
export function evaluatePolicy(policy: LoadedPolicy<Policy>, input: EvaluationInput): EvaluationResult {
  const compiled = compilePolicy(policy);
  const document = compiled.document;
  const { context, now } = input;
  const cluster = clusterNames(context.cluster);
  const service = serviceNames(context.service);
  const account = accountsOf(context.cluster);
  const maxAgeMs = input.checkScanAge ? maxScanAgeMs(policy) : undefined;
  const maxAge = maxAgeMs !== undefined && document.maxScanAge !== undefined ? { ms: maxAgeMs, text: document.maxScanAge } : undefined;

  const exposure = judgedExposure(document, context.exposure);
  const containers = input.containers.map((evidence) => prepare(evidence, exposure?.judgedAs === 'public', exposure?.source));
  const modes: ResolvedMode[] = containers.map((c) => resolveMode(compiled, { cluster, service, account, repositories: c.repositories, tag: c.tag }));
  const subjectMode: Mode =
    containers.length === 0 ? resolveMode(compiled, { cluster, service, account, repositories: [] }).mode : modes.some((m) => m.mode === 'enforce') ? 'enforce' : 'audit';
  // In a task that is enforced overall, an audit-scoped container must not block: its denials become warnings.
  const auditOnly = (index: number) => subjectMode === 'enforce' && modes[index].mode === 'audit';

  const items: { violation: Violation; scope: ViolationScope }[] = [];
  const errors: (EvaluationError & { blocking: boolean })[] = [];
  const notes: string[] = [];
  const imagesJudged = input.imagesJudged !== false;
  if (!imagesJudged) notes.push(
      'image rules not judged: no scan report was given, so vulnerabilities, image secrets and misconfigurations are not judged, nor the root user of a container whose task definition sets no `user`',
    );
  const hardening = hardeningFor(document, input, containers, notes);

  containers.forEach((container, index) => {
    const { evidence } = container;
    const scope: ViolationScope = { cluster, service, container: evidence.name, repositories: container.repositories, digest: container.digest };
    const add = (violation: Violation) => {
      let v: Violation = evidence.name !== undefined ? withContainer(violation, evidence.name) : violation;
      if (auditOnly(index) && v.action === 'deny') {
        v = { ...v, action: 'warn', message: `${v.message} (audit scope: reported, not blocking)`, details: { ...v.details, auditOnly: true, policyAction: 'deny' } };
      }
      items.push({ violation: clean(v), scope });
    };
    // Findings that drifted in are judged with the grace of this launch's drift scope (core/policy/drift.ts).
    const driftMarks = evidence.assessment?.drift;
    const driftSettings = driftMarks?.length ? resolveDriftSettings(policy, { cluster, service, account, repositories: container.repositories, tag: container.tag }) : undefined;
    for (const violation of containerViolations(compiled, container)) add(driftSettings ? withDriftGrace(violation, driftMarks, driftSettings, now) : violation);
    for (const violation of hardening.byContainer.get(evidence.name ?? '') ?? []) add(violation);

    const problem = imagesJudged ? scanProblem(container, maxAge, now) : undefined;
    if (problem) {
      const blocking = document.onScanError === 'deny' && !auditOnly(index);
      const consequence = auditOnly(index)
        ? `the container is in audit scope${modes[index].reason ? ` (${modes[index].reason})` : ''}, so this is reported only`
        : document.onScanError === 'allow'
          ? 'the policy\'s onScanError "allow" lets it through with a warning'
          : subjectMode === 'audit'
            ? 'the policy\'s onScanError "deny" makes this an error, which audit mode only reports'
            : 'the policy\'s onScanError "deny" treats this as blocking';
      errors.push({ ...(evidence.name !== undefined ? { container: evidence.name } : {}), message: `${problem}; ${consequence}`, blocking });
    }
  });

  // Task-level findings (host namespaces, launch settings) belong to no container and no image: exceptions by cluster, service or rule match them.
  for (const violation of hardening.task) items.push({ violation: clean(violation), scope: { cluster, service, repositories: [] } });

  const outcome = applyExceptions(compiled, items, now);
  // The renderers' comparator, so every report lists violations in the order the result holds them.
  const violations = sortViolations(outcome.violations);
  const suppressed = sortSuppressed(outcome.suppressed);

  return {
    decision: decide(violations, errors),
    mode: subjectMode,
    violations,
    suppressed,
    exceptions: { used: outcome.used, unused: outcome.unused, expired: outcome.expired },
    errors: errors.map(({ blocking: _blocking, ...error }) => error),
    ...(notes.length > 0 ? { notes } : {}),
    policy: { name: policy.name, hash: policy.hash, schemaVersion: document.schemaVersion },
    subject: {
      ...(exposure ? { exposure } : {}),
      ...definedOnly({ cluster: context.cluster, service: context.service, taskArn: context.taskArn, taskDefinition: context.taskDefinition }),
      images: containers.map(subjectImage),
    },
    evaluatedAt: now.toISOString(),
  };
}

/** What the runtime and the CLI act on: only enforce mode blocks, on `fail` or on `error` (which only `onScanError: deny` produces). */
export function isBlocking(result: EvaluationResult): boolean {
  return result.mode === 'enforce' && (result.decision === 'fail' || result.decision === 'error');
}

// ---------- hardening ----------

interface HardeningSplit {
  byContainer: Map<string, Violation[]>;
  task: Violation[];
}

/**
 * The hardening rules' violations, split into those of a container (judged with its scope: audit-scoped modes,
 * container and repository exceptions) and those of the task. Without a task definition they are not judged, and
 * the notes say so when the policy has any enabled.
 */
function hardeningFor(document: Policy, input: EvaluationInput, containers: readonly PreparedContainer[], notes: string[]): HardeningSplit {
  const split: HardeningSplit = { byContainer: new Map(), task: [] };
  const configs = document.rules.hardening as Readonly<Record<string, { enabled: boolean; action: 'deny' | 'warn' } | undefined>> | undefined;
  const enabled = Object.values(configs ?? {}).some((config) => config?.enabled);
  if (!enabled) return split;
  const specs = containers.flatMap((c) => (c.evidence.spec ? [c.evidence.spec] : []));
  if (!input.task || specs.length === 0) {
    notes.push('hardening rules not judged: no task definition was given');
    return split;
  }
  const outcome = hardeningViolations(configs, { task: input.task, containers: specs, launch: input.launch ?? {} });
  notes.push(...outcome.notes);
  for (const violation of outcome.violations) {
    if (violation.container === undefined) split.task.push(violation);
    else split.byContainer.set(violation.container, [...(split.byContainer.get(violation.container) ?? []), violation]);
  }
  return split;
}

// ---------- containers ----------

interface PreparedContainer {
  evidence: ContainerEvidence;
  facts?: ImageFacts;
  imageInput?: ImageRefInput;
  reference?: ImageReference;
  repositories: string[];
  tag?: string;
  digest?: string;
}

function tryParse(text: string | undefined): ImageRefInput | undefined {
  if (text === undefined || text === '') return undefined;
  try {
    return { reference: parseImageReference(text) };
  } catch (error) {
    const why = (error as Error).message.replace(/^invalid image reference "(?:[^"\\]|\\.)*": /, '');
    return { invalid: text, why };
  }
}

/**
 * The image a report names, when nothing else names it (a bare report): its reference, else (none given) the first
 * repository digest that parses. A name that does not parse, or no name at all, is kept as unreadable: an image the
 * `images` rule cannot read must fail it, never skip it.
 */
function reportImage(facts: ImageFacts): ImageRefInput {
  const named = tryParse(facts.reference);
  if (named) return 'invalid' in named ? { ...named, fromReport: true } : named;
  for (const repoDigest of facts.repoDigests) {
    const parsed = tryParse(repoDigest);
    if (parsed && 'reference' in parsed) return parsed;
  }
  return { invalid: '', why: 'neither an image name nor a repository digest', fromReport: true };
}

/**
 * The exposure the rules apply: the stated fact, else the policy's `exposure.unknownAs`. Named in the result when
 * stated, or when the policy has parts that depend on it (so an assumed exposure is never silent).
 */
function judgedExposure(document: Policy, fact: ExposureFact | undefined): Subject['exposure'] {
  const rule = document.rules.vulnerabilities?.exposure;
  if (fact) return { value: fact.value, source: fact.source, judgedAs: fact.value };
  if (!rule) return undefined;
  return { value: 'unknown', source: `not stated; judged as the policy's exposure.unknownAs says`, judgedAs: rule.unknownAs };
}

/** A public task is judged by the candidates its image has under the policy's public parts, each naming the exposure fact. */
function exposedAssessment(evidence: ContainerEvidence, publicExposure: boolean, source: string | undefined): ContainerEvidence {
  const assessment = evidence.assessment;
  if (!publicExposure || !assessment?.publicCandidates) return evidence;
  const candidates = assessment.publicCandidates.map((violation) =>
    typeof violation.details?.matchedBy === 'string' && violation.details.matchedBy.includes('exposure.public')
      ? { ...violation, details: { ...violation.details, exposure: 'public', ...(source ? { exposureSource: source } : {}) } }
      : violation,
  );
  return { ...evidence, assessment: { ...assessment, candidates } };
}

function prepare(original: ContainerEvidence, publicExposure = false, exposureSource?: string): PreparedContainer {
  const evidence = exposedAssessment(original, publicExposure, exposureSource);
  const facts = evidence.assessment?.facts;
  // The container definition is what the task asked for; the report's artifact name may be a file path, so it is a fallback only.
  let imageInput: ImageRefInput | undefined = evidence.image ? { reference: evidence.image } : tryParse(evidence.spec?.image);
  if (!imageInput && facts) imageInput = reportImage(facts);
  const reference = imageInput && 'reference' in imageInput ? imageInput.reference : undefined;
  const repositories: string[] = [];
  if (reference) {
    repositories.push(reference.repository, `${reference.registry}/${reference.repository}`);
    if (reference.registry === 'docker.io' && reference.repository.startsWith('library/')) repositories.push(reference.repository.slice('library/'.length));
  }
  return {
    evidence,
    facts,
    imageInput,
    reference,
    repositories,
    tag: reference ? (reference.tag ?? (reference.digest ? undefined : 'latest')) : undefined,
    digest: evidence.digest ?? reference?.digest ?? facts?.digest,
  };
}

function containerViolations(compiled: CompiledPolicy, container: PreparedContainer): Violation[] {
  const { rules } = compiled.document;
  const { evidence } = container;
  const out: Violation[] = [];
  const assessment = evidence.assessment;
  const specUser = evidence.spec?.user;
  const specDecides = specUser !== undefined && specUser.trim() !== '';
  if (rules.rootUser && (assessment || specDecides)) {
    const violation = rootUserViolation(rules.rootUser, {
      container: evidence.name,
      hasSpec: evidence.spec !== undefined,
      specUser,
      facts: assessment?.facts,
      scannerSaysRoot: assessment?.scannerSaysRoot ?? false,
      scannerSaysNonRoot: assessment?.scannerSaysNonRoot ?? false,
    });
    if (violation) out.push(violation);
  }
  if (evidence.spec) out.push(...environmentSecretViolations(compiled, evidence.spec));
  if (container.imageInput) out.push(...imageViolations(compiled, evidence.name, container.imageInput));
  if (assessment) out.push(...assessment.candidates);
  return out;
}

function imageLabel(container: PreparedContainer): string {
  const ref = container.evidence.spec?.image ?? container.reference?.original ?? container.facts?.reference ?? container.digest;
  const who = container.evidence.name ? `container ${container.evidence.name}` : 'the image';
  return ref ? `${who} (${ref})` : who;
}

/** How far in the future a scan time may lie before it is a problem: clocks of the scanner and the gate differ a little. */
const CLOCK_SKEW_MS = 5 * 60_000;

/**
 * Why a container's image has no usable scan: none at all, a scan error, or, when the scan age is checked, a scan
 * older than maxScanAge, one without a scan time, or one dated in the future (whose age cannot be trusted).
 */
function scanProblem(container: PreparedContainer, maxAge: { ms: number; text: string } | undefined, now: Date): string | undefined {
  const { assessment, scanError } = container.evidence;
  if (!assessment) {
    return scanError ? `${imageLabel(container)} could not be scanned: ${scanError}` : `${imageLabel(container)} has no scan result`;
  }
  if (maxAge === undefined) return undefined;
  const scannedAt = assessment.provenance.scannedAt;
  const scannedMs = scannedAt === undefined ? Number.NaN : Date.parse(scannedAt);
  if (scannedAt === undefined || Number.isNaN(scannedMs)) {
    return (
      `the scan of ${imageLabel(container)} has no scan time${scannedAt === undefined ? '' : ` (${JSON.stringify(scannedAt.slice(0, 40))} is not a time)`}, ` +
      `so its age cannot be checked against the policy's maxScanAge (${maxAge.text}); rescan the image with a scanner that records it`
    );
  }
  const ageMs = now.getTime() - scannedMs;
  if (-ageMs > CLOCK_SKEW_MS) {
    return (
      `the scan of ${imageLabel(container)} is dated ${scannedAt}, ${describeSpan(-ageMs)} after the evaluation time, more than the ` +
      `${CLOCK_SKEW_MS / 60_000} minutes of clock skew allowed, so its age against the policy's maxScanAge (${maxAge.text}) cannot be trusted; check the scanner's clock and rescan the image`
    );
  }
  if (ageMs <= maxAge.ms) return undefined;
  const days = (ageMs / 86_400_000).toFixed(1);
  return `the scan of ${imageLabel(container)} from ${scannedAt} is ${days} days old, older than the policy's maxScanAge (${maxAge.text}); rescan the image`;
}

/** `6 minutes`, `3.5 hours`, `2.0 days`: enough to tell a skewed clock from a wrong date. */
function describeSpan(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 120) return `${minutes} minute${minutes === 1 ? '' : 's'}`;
  const hours = ms / 3_600_000;
  return hours < 48 ? `${hours.toFixed(1)} hours` : `${(hours / 24).toFixed(1)} days`;
}

function subjectImage(container: PreparedContainer): SubjectImage {
  const { evidence, reference, facts } = container;
  const provenance = evidence.assessment?.provenance;
  return definedOnly({
    container: evidence.name,
    reference: evidence.spec?.image ?? reference?.original ?? facts?.reference,
    digest: container.digest,
    repository: reference?.repository,
    tag: reference?.tag,
    scanner: provenance?.scanner,
    scannerVersion: provenance?.scannerVersion,
    scannedAt: provenance?.scannedAt,
  });
}

// ---------- decision and order ----------

function decide(violations: readonly Violation[], errors: readonly { blocking: boolean }[]): Decision {
  if (violations.some((v) => v.action === 'deny')) return 'fail';
  if (errors.some((e) => e.blocking)) return 'error';
  if (violations.length > 0 || errors.length > 0) return 'warn';
  return 'pass';
}

/**
 * The one order of violations (deny first, most severe first, then rule, container, id and message), shared with the
 * renderers (`result/order.ts`), so a result and every report of it list violations alike. Re-exported here for
 * callers of the engine.
 */
export { compareViolations };

/** The account of a cluster ARN, for scopes by account; a cluster given by name has none. */
function accountsOf(cluster: string | undefined): string[] {
  const account = accountOf(cluster);
  return account === undefined ? [] : [account];
}
