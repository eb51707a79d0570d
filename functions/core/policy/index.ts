/** The policy engine: load and validate a policy, assess an image once per digest, evaluate a task. */
export { assessImage } from './assess';
export { evaluatePolicy, isBlocking, compareViolations } from './evaluate';
export { loadPolicy, loadPolicyText, maxScanAgeMs, policyHash, canonicalJson } from './load';
export { policySchema, policySchemaJson, SCHEMA_VERSION, RULE_NAMES } from './schema';
export type { Policy, PolicyInput, PolicyException, ModeOverride, RuleName } from './schema';
export { isRootUser, effectiveUser } from './rules/rootUser';
export type { ContainerEvidence, EvaluationContext, EvaluationInput, ImageAssessment, LoadedPolicy } from './input';
export { resolveDriftSettings, withDriftGrace, graceEndsAt, type DriftSettings } from './drift';
export type { DriftMark } from './input';
