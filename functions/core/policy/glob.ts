import { InputError } from '../errors';
import { buildAutomaton } from './glob-automaton';
import { parseGlob } from './glob-syntax';

/** A compiled glob list: true when any pattern matches any of the candidate strings. */
export type GlobList = (candidates: readonly (string | undefined)[]) => boolean;

/**
 * Compiles policy glob lists once per policy. Matching is linear in the candidate (glob-automaton.ts): candidates
 * such as tags come from whoever registers a task definition, and no pattern may make judging them slow. A leading
 * dot means nothing special (registry hosts, tags and names are not files); `nocase` where the thing matched is
 * case-insensitive (hosts, env names). loadPolicy refuses invalid patterns with their JSON path; one that reaches
 * here anyway (a hand-built policy) is an InputError.
 */
export function compileGlobs(patterns: readonly string[] | undefined, options: GlobOptions = {}): GlobList | undefined {
  if (!patterns || patterns.length === 0) return undefined;
  const matchers = patterns.map((pattern) => {
    const parsed = parseGlob(pattern);
    if (!parsed.ok) throw new InputError(`invalid glob pattern ${JSON.stringify(pattern)}: ${parsed.problem}`);
    return buildAutomaton(parsed.nodes, options);
  });
  const overlongMatches = options.overlong === 'matches';
  return (candidates) =>
    candidates.some(
      (candidate) =>
        candidate !== undefined &&
        candidate !== '' &&
        (candidate.length > MAX_GLOB_CANDIDATE_LENGTH ? overlongMatches : matchers.some((matcher) => matcher.matches(candidate))),
    );
}

/**
 * The longest candidate a glob is matched against. Matching is linear, but a report can carry a package name of
 * megabytes, and megabytes times a long pattern is still minutes. Nothing AWS names is this long (ECR repositories
 * 256, tags 128, clusters and services 255), and no real package name or purl comes near it.
 */
export const MAX_GLOB_CANDIDATE_LENGTH = 1024;

export interface GlobOptions {
  /** Compare without case (hosts, environment variable names). */
  nocase?: boolean;
  /**
   * How a candidate longer than MAX_GLOB_CANDIDATE_LENGTH counts, unmatched: the answer that never lets it through.
   * 'fails' (the default) for allow lists and exceptions, where no match means stricter; 'matches' for deny lists.
   */
  overlong?: 'fails' | 'matches';
}

/** Short name and full ARN of an ECS cluster, so `prod-*` and `arn:aws:ecs:*:*:cluster/prod-*` both work. */
export function clusterNames(cluster: string | undefined): string[] {
  if (!cluster) return [];
  const short = /^arn:aws[a-z-]*:ecs:[^:]*:[^:]*:cluster\/(.+)$/.exec(cluster)?.[1];
  return short ? [short, cluster] : [cluster];
}

/** Service name from a name, an ARN (old and new formats) or a task `group` (`service:name`). */
export function serviceNames(service: string | undefined): string[] {
  if (!service) return [];
  const fromGroup = /^service:(.+)$/.exec(service)?.[1];
  if (fromGroup) return [fromGroup, service];
  const fromArn = /^arn:aws[a-z-]*:ecs:[^:]*:[^:]*:service\/(?:[^/]+\/)?(.+)$/.exec(service)?.[1];
  return fromArn ? [fromArn, service] : [service];
}
