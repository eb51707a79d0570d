/**
 * The policy engine: assess an image once per digest, evaluate a task. Loading and validating a policy is
 * `loadPolicy` in ./load (the schema: ./schema), imported from there: this entry is what a Lambda loads at every cold
 * start, and a Lambda that takes its policy prepared at synth never loads the schema (io/bundled-policy.ts).
 */
export { assessImage } from './assess';
export { evaluatePolicy, isBlocking, compareViolations } from './evaluate';
export { maxScanAgeMs } from './scan-age';
export { policyHash, canonicalJson } from './policy-hash';
export type { Policy, PolicyInput, PolicyException, ModeOverride, RuleName } from './schema';
export { isRootUser, effectiveUser } from './rules/rootUser';
export type { ContainerEvidence, EvaluationContext, EvaluationInput, ImageAssessment, LoadedPolicy } from './input';
export { resolveDriftSettings, withDriftGrace, graceEndsAt, type DriftSettings } from './drift';
export type { DriftMark } from './input';
