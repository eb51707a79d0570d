import { resolve } from 'node:path';
import { measureCliStart } from './cli-start';
import { DEFAULT_FLEET, planFleet } from './fleet';
import { measureInventory, printInventoryFigures } from './inventory';
import { lambdaJsonFigures, measureLambdaFigures, printLambdaFigures } from './lambda-figures';
import { latencyStackOf, printAssumptions, simulateLatency } from './latency';
import { measureOrganisation } from './organisation';
import { resolveSettings } from '../infra/settings';
import { defaultPolicy, measurePolicyEngine } from './policy-engine';
import { DEFAULT_RUNTIME_OPTIONS, describeFates, measureRuntime } from './runtime';
import { DEFAULT_POSTURE_BENCH, measurePosture } from './posture';

/**
 * `npm run bench`: figures, not assertions. Part A times the policy engine on a 10,000-finding report;
 * Part B replays a seeded Fargate fleet through the real gate handlers on the in-memory backend; Part C times the
 * CLI's start-up (cliStartRatio); Part D sets the engine against JSON.parse and measures the functions' bundles and
 * cold imports. The last line is one JSON object with the figures, for tools.
 */
async function main(): Promise<void> {
  const root = resolve(__dirname, '..');
  const out = (line = '') => process.stdout.write(`${line}\n`);

  out('Part A: policy engine (parse + assess + evaluate one Trivy report)');
  const engine = measurePolicyEngine(defaultPolicy(root), { findings: 10_000, runs: 8 });
  out(`  report: ${engine.findings} vulnerabilities, ${(engine.reportBytes / 1_048_576).toFixed(1)} MiB of Trivy JSON; decision ${engine.decision}, ${engine.violations} violations`);
  out(`  median of ${engine.runs} runs: parse ${engine.parseMs.toFixed(1)} ms, assess ${engine.assessMs.toFixed(1)} ms, evaluate ${engine.evaluateMs.toFixed(1)} ms, total ${engine.totalMs.toFixed(1)} ms (min ${engine.totalSpread.min.toFixed(1)}, max ${engine.totalSpread.max.toFixed(1)})`);
  out();

  const plan = planFleet(DEFAULT_FLEET);
  out(`Part B: runtime (seed ${JSON.stringify(plan.seed)}: ${plan.images.length} image versions, ${plan.launches.length} RunTask launches, ${plan.services.length} services, ${plan.durationMs / 3_600_000} h simulated)`);
  const figures = await measureRuntime(plan, { root, ...DEFAULT_RUNTIME_OPTIONS });
  const d = figures.details;
  out(`  ${figures.events} task events (${d.deliveries} deliveries in all, ${d.duplicateDeliveries} duplicates), ${d.tasks} tasks (${d.standaloneTasks} standalone, ${d.serviceTasks} service), ${d.wallSeconds} s wall`);
  out(`  scans: ${figures.scansStarted} started for ${figures.distinctDigests} distinct digests (${figures.scansPerDistinctDigest} per digest); per-launch scanning would start ${figures.naiveScans}`);
  out(`    ${figures.scanRetriesAfterError} of them re-scans after a failed scan (back-off per digest); without those, ${figures.scansPerDistinctDigestExcludingRetries} per digest`);
  out(`    ${d.scansOfScanErrorDigests} for the ${d.scanErrorDigests} digests whose scan always fails, ${d.scansOfTransientScanErrorDigests} for the ${d.transientScanErrorDigests} whose first scan fails passingly; the other digests: ${d.scansPerDistinctDigestExcludingScanErrors} scans each`);
  const mustBlockStopped = d.tasksBlocked - d.stopsDuringScanFaults - figures.wrongStops;
  const others = d.mustBlockNotStoppedByGate;
  const unstopped = Object.values(others).reduce((sum, count) => sum + count, 0);
  out(`  enforcement: ${mustBlockStopped} of ${d.tasksThatMustBlock} tasks that must not run were stopped or rolled back by the gate${unstopped === 0 ? '' : Object.keys(others).length === 1 ? `; the other ${describeFates(others)}` : `; of the other ${unstopped}: ${describeFates(others)}`}`);
  out(`    missed stops ${figures.missedStops} (a task that must not run, still running), wrong stops ${figures.wrongStops}; ${d.stopsDuringScanFaults} other tasks stopped under onScanError while a passing scan fault stood; ${d.rollbacks} rollbacks, ${d.scaledToZero} scale-to-zero, ${d.restartLoops} restart loops`);
  out(`  AWS calls per event with a known digest: pass ${figures.awsCallsPerKnownPassEvent} (max ${d.maxAwsCallsKnownPass}, n=${d.knownPassEvents}), deny ${figures.awsCallsPerKnownDenyEvent} (max ${d.maxAwsCallsKnownDeny}, n=${d.knownDenyEvents}), warn ${d.awsCallsPerKnownWarnEvent}, audit-scoped fail ${d.awsCallsPerKnownAuditFailEvent}`);
  out(`    deny by owner: standalone ${figures.awsCallsPerKnownDenyEventStandalone} (n=${d.knownDenyStandaloneEvents}), service ${figures.awsCallsPerKnownDenyEventService} (n=${d.knownDenyServiceEvents})`);
  out(`  handler latency (in-memory ports): p50 ${figures.handlerP50Ms} ms, p99 ${figures.handlerP99Ms} ms; handler errors ${d.handlerErrors}`);
  out();
  out('Part C: CLI start-up (node bin/fargate-gate.js evaluate of a 3 KiB report, against a bare `node -e 0` in the same run)');
  const start = measureCliStart(root);
  out(`  median of ${start.runs} runs: bare node ${start.bareNodeMs} ms, fargate-gate evaluate ${start.cliMs} ms: ${start.ratio} times a bare start`);
  const lambda = await measureLambdaFigures(root, engine);
  printLambdaFigures(lambda, out);

  // Part E: the stack's own defaults for the fleet's region (resolveSettings, as the construct resolves them: Lambda
  // compute with the managed DB mirror where CodeBuild offers Lambda compute), against EC2 compute reading the public DB,
  // the default before (and what `scanCompute.mode: 'ec2'` without a mirror still gives).
  const region = plan.registry.split('.')[3];
  // The gate's cold start is Part D's measurement (import and first event of the gate bundle), not a published figure.
  const measured = { gateColdStartMs: lambda.bundles.functions.find((fn) => fn.name === 'gate')?.coldStart.firstEvent.bundleMs };
  const latency = simulateLatency(plan, latencyStackOf(resolveSettings({ region })), undefined, measured);
  const ec2 = simulateLatency(plan, latencyStackOf(resolveSettings({ region, scanCompute: { mode: 'ec2' }, scanner: { managedDatabaseMirror: false } })), undefined, measured);
  // The quota raised, and the gate's setting with it (docs/deploy.md: "raise the quota and this setting together").
  const quotaRaised = simulateLatency(plan, { ...latency.stack, lambdaComputeQuota: latency.stack.concurrentBuildLimit, lambdaConcurrency: latency.stack.concurrentBuildLimit }, undefined, measured);
  // The default as it was before the overflow: new digests queue for the one Lambda-compute build.
  const { lambdaConcurrency: _overflowLimit, ...withoutOverflowStack } = latency.stack;
  const withoutOverflow = simulateLatency(plan, withoutOverflowStack, undefined, measured);
  out(`Part E: latency model in simulated time (bench/latency.ts; same fleet; ${latency.scans} scans, ${latency.failingLaunches} failing standalone launches)`);
  out(`  ${latency.buildSlots} scan build(s) at once (project limit ${latency.stack.concurrentBuildLimit}, Lambda compute quota: AWS's default 1 unless raised); ${(latency.ec2FallbackShare * 100).toFixed(1)}% of scans outgrew Lambda compute and ran again on EC2`);
  out(`  overflow: ${(latency.overflowShare * 100).toFixed(1)}% of scans started on the EC2 fallback project because Lambda compute was full (scanCompute.lambdaConcurrency ${latency.stack.lambdaConcurrency ?? 'unset'})`);
  out(`  gate cold start: ${latency.gateColdStart}`);
  for (const [name, f] of [
    [`default (${latency.stack.computeMode} compute, ${latency.stack.mirror ? 'DB mirror' : 'no mirror'}, ${region}, overflow to EC2 when Lambda compute is full)`, latency],
    ['the same without the overflow (new digests queue for Lambda compute; the default before)', withoutOverflow],
    [`the same with the Lambda quota and scanCompute.lambdaConcurrency raised to the project limit (${quotaRaised.buildSlots})`, quotaRaised],
    ['EC2 compute, public DB (scanCompute.mode ec2, no mirror; the default before)', ec2],
  ] as const) {
    out(`  ${name}: time to verdict p50 ${f.timeToVerdictP50S} s, p95 ${f.timeToVerdictP95S} s; exposure known digest ${f.exposureKnownDigestS} s, new digest ${f.exposureNewDigestS} s (p95 ${f.exposureNewDigestP95S} s)`);
  }
  out(`  peers: per-launch scanning exposure ${latency.perLaunchScanExposureS} s (same compute); Inspector scan-on-push stops nothing: ${latency.inspectorExposureS} s (the task's own run)`);
  out(`  pre-scan on push: ${(latency.verdictWaitingShare * 100).toFixed(1)}% of launches find a verdict waiting`);
  printAssumptions(out);
  const posture = await measurePosture(DEFAULT_POSTURE_BENCH);
  const p = DEFAULT_POSTURE_BENCH;
  out(`Part F: re-judgement of what runs (bench/posture.ts; seed ${JSON.stringify(p.seed)}: ${p.digestsInUse} digests in use, ${p.digestsNotInUse} not in use, ${p.days} simulated days, ${posture.budgetPerRun} scans per ${p.sweepMinutes}-minute sweep)`);
  out(`  ${posture.rescansPerDay} re-judgements per day (${posture.sbomRejudgementsPerDay} SBOM, ${posture.imageRescansPerDay} image); ${posture.rescansOfDigestsNotInUse} of digests not in use; at most ${posture.maxRescansPerDigestPerInterval} per digest per rescan interval`);
  out(`  new vulnerability data to drift notification: p50 ${posture.newDataToNotificationS} s, max ${posture.newDataToNotificationMaxS} s (${posture.driftsNotified} of ${posture.driftsSeeded} drifts notified)`);
  const inventory = await measureInventory();
  printInventoryFigures(inventory, out);
  const org = await measureOrganisation({ root, policy: defaultPolicy(root), accounts: 20, images: 30, tasksPerAccount: 25 });
  out(`Part H: organisation (bench/organisation.ts; ${org.accounts} member accounts, a member without the role and an outside account; ${org.events} events)`);
  out(`  scans ${org.scansStarted} for ${org.distinctDigests} distinct digests across all accounts (${org.scansPerDistinctDigest} per digest); role assumptions ${org.roleAssumptions} (${org.roleAssumptionsPer1000Events} per 1,000 events; ${org.roleAssumptionsOfServedAccounts} for the ${org.accounts} served accounts)`);
  out(`  wrong stops ${org.wrongStops}, missed stops ${org.missedStops} of ${org.tasksThatMustStop} tasks that must stop; member-role errors ${org.memberRoleErrors} (the member without the role and the outside account), ${org.roleRefusalsFromCache} of them answered from the remembered refusal`);
  out(
    JSON.stringify({
      events: figures.events,
      distinctDigests: figures.distinctDigests,
      scansStarted: figures.scansStarted,
      scansPerDistinctDigest: figures.scansPerDistinctDigest,
      scanRetriesAfterError: figures.scanRetriesAfterError,
      scansPerDistinctDigestExcludingRetries: figures.scansPerDistinctDigestExcludingRetries,
      naiveScans: figures.naiveScans,
      wrongStops: figures.wrongStops,
      missedStops: figures.missedStops,
      awsCallsPerKnownPassEvent: figures.awsCallsPerKnownPassEvent,
      awsCallsPerKnownDenyEvent: figures.awsCallsPerKnownDenyEvent,
      awsCallsPerKnownDenyEventStandalone: figures.awsCallsPerKnownDenyEventStandalone,
      awsCallsPerKnownDenyEventService: figures.awsCallsPerKnownDenyEventService,
      handlerP50Ms: figures.handlerP50Ms,
      handlerP99Ms: figures.handlerP99Ms,
      policyEngineMs: Math.round(engine.totalMs * 10) / 10,
      cliStartRatio: start.ratio,
      ...lambdaJsonFigures(lambda),
      timeToVerdictP50S: latency.timeToVerdictP50S,
      timeToVerdictP95S: latency.timeToVerdictP95S,
      timeToVerdictP95SLambdaQuotaRaised: quotaRaised.timeToVerdictP95S,
      timeToVerdictP95SWithoutOverflow: withoutOverflow.timeToVerdictP95S,
      overflowShare: latency.overflowShare,
      ec2FallbackShare: latency.ec2FallbackShare,
      exposureKnownDigestS: latency.exposureKnownDigestS,
      exposureNewDigestS: latency.exposureNewDigestS,
      verdictWaitingShare: latency.verdictWaitingShare,
      rescansPerDay: posture.rescansPerDay,
      sbomRejudgementsPerDay: posture.sbomRejudgementsPerDay,
      imageRescansPerDay: posture.imageRescansPerDay,
      rescansOfDigestsNotInUse: posture.rescansOfDigestsNotInUse,
      newDataToNotificationS: posture.newDataToNotificationS,
      reconciliationCallsPer1000Tasks: inventory.reconciliationCallsPer1000Tasks,
      organisation: { scansPerDistinctDigest: org.scansPerDistinctDigest, roleAssumptionsPer1000Events: org.roleAssumptionsPer1000Events, wrongStops: org.wrongStops, missedStops: org.missedStops },
    }),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
