import type { z } from 'zod';
import type { ZodNamespace } from '../../../zod-on-demand';
import type { Severity } from '../../../severity';
import type { ContainerSpec } from '../../../taskdef/model';

/**
 * A fact about how the task is launched, which the task definition does not hold: ECS Exec, the Fargate platform
 * version and the public IP come from the RunTask call, the service or the task event. `source` says which, and is
 * quoted in every message that relies on the fact ("from the RunTask call").
 */
export interface LaunchFact<T> {
  value: T;
  source: string;
}

/** What the evaluator may know about the launch; a fact left out is unknown, and its rule says "not judged". */
export interface LaunchFacts {
  /** `enableExecuteCommand` of RunTask, CreateService/UpdateService or the task. */
  execCommand?: LaunchFact<boolean>;
  /** `platformVersion` ("LATEST" or "1.4.0"); Fargate only. */
  platformVersion?: LaunchFact<string>;
  /** `networkConfiguration.awsvpcConfiguration.assignPublicIp` is "ENABLED". */
  publicIp?: LaunchFact<boolean>;
}

/** The task-level settings of the task definition a hardening rule reads. */
export interface TaskSettings {
  networkMode?: string;
  pidMode?: string;
  ipcMode?: string;
  /**
   * The task's operating system family, when the task definition is known: its `runtimePlatform.operatingSystemFamily`,
   * else LINUX, the ECS default (`defaulted` then true). Undefined when no task definition was given.
   */
  operatingSystemFamily?: { value: string; defaulted: boolean };
}

export interface HardeningInput {
  task: TaskSettings;
  containers: readonly ContainerSpec[];
  launch: LaunchFacts;
}

/** One thing a rule found. `container` is set for a container-level finding; a task-level one has none. */
export interface HardeningFinding {
  container?: string;
  message: string;
  details?: Record<string, string | number | boolean | undefined>;
}

/** A rule could not judge: a launch fact it needs is unknown. Reported as a note (or a warning, per the rule's `whenUnknown`), never as compliant. */
export interface NotJudged {
  notJudged: string;
}

/**
 * One hardening control, as data (the cdk-nag way): its policy key, the published controls it maps to, its
 * severity, its config schema and a check. The engine does the rest (actions, scoped modes, exceptions).
 */
export interface HardeningRule<Schema extends z.ZodType<BaseConfig> = z.ZodType<BaseConfig>> {
  /** Key under `rules.hardening` and, prefixed with `hardening.`, the violation's rule and id. */
  key: string;
  title: string;
  severity: Severity;
  /**
   * The controls a violation names (anchors-2026-12.md section 4): Security Hub, AWS Config, Control Tower,
   * Checkov, and NIST 800-53 / PCI DSS only where the mapping is published. Empty when no control exists.
   */
  controls: readonly string[];
  /**
   * Builds the rule's policy config schema: a strict zod object with at least `enabled` and `action`. A builder, not a
   * schema, so loading a rule builds nothing: the policy schema (../../schema.ts) calls it once, when it is itself first
   * built, and a cold start that takes the prepared policy never does.
   */
  schema: (z: ZodNamespace) => Schema;
  check(config: z.output<Schema>, input: HardeningInput): HardeningFinding[] | NotJudged;
}

export interface BaseConfig {
  enabled: boolean;
  action: 'deny' | 'warn';
  /** Only on rules that need a launch fact: what an unknown fact gets. */
  whenUnknown?: 'note' | 'warn';
}

/** Keeps each rule's config type when it is declared (a plain object literal would widen it). */
export function defineRule<Schema extends z.ZodType<BaseConfig>>(rule: HardeningRule<Schema>): HardeningRule<Schema> {
  return rule;
}
