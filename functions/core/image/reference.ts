import { InputError } from '../errors';

/**
 * A container image reference, parsed by the OCI distribution grammar (distribution/reference's
 * `reference.go`). Every reference from an event, a task definition or a report goes through
 * `parseImageReference` before it reaches an AWS call or a build, so nothing else needs to re-check it.
 */
export interface ImageReference {
  /** The reference exactly as given. */
  original: string;
  /**
   * Registry host (with port), normalised: lowercase (DNS names are case-insensitive); no domain, or one of Docker
   * Hub's other names (`index.docker.io`, `registry-1.docker.io`), means `docker.io`.
   */
  registry: string;
  /** Repository path within the registry; Docker Hub official images get the `library/` prefix. */
  repository: string;
  tag?: string;
  /** `algorithm:hex`, lowercase hex as given. */
  digest?: string;
  ecr?: EcrLocation;
}

export interface EcrLocation {
  accountId: string;
  region: string;
  fips: boolean;
}

const MAX_NAME_LENGTH = 255;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN_NAME = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*`;
const IPV6 = '\\[(?:[a-fA-F0-9:]+)\\]';
const DOMAIN = new RegExp(`^(?:${DOMAIN_NAME}|${IPV6})(?::[0-9]+)?$`);
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const SHA256_DIGEST = /^sha256:[0-9a-f]{64}$/;
/** Hosts that are Docker Hub, as moby's registry package names them (IndexHostname, DefaultV2Registry): one image, one identity. */
const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);
const ECR_HOST = /^(\d{12})\.dkr\.(ecr|ecr-fips)\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

export function parseImageReference(input: unknown): ImageReference {
  if (typeof input !== 'string' || input.length === 0) {
    throw new InputError('image reference must be a non-empty string');
  }
  const fail = (why: string): never => {
    throw new InputError(`invalid image reference ${JSON.stringify(input.slice(0, 300))}: ${why}`);
  };

  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) fail('the digest is not algorithm:hex');
    if (digest.startsWith('sha256:') && !SHA256_DIGEST.test(digest)) fail('a sha256 digest has 64 lowercase hex characters');
  }

  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const lastColon = rest.lastIndexOf(':');
  if (lastColon > lastSlash) {
    tag = rest.slice(lastColon + 1);
    rest = rest.slice(0, lastColon);
    if (!TAG.test(tag)) fail('the tag has characters other than letters, digits, _ . - or is longer than 128');
  }

  const name = rest;
  if (name.length === 0) fail('the name is empty');
  if (name.length > MAX_NAME_LENGTH) fail(`the name is longer than ${MAX_NAME_LENGTH} characters`);

  const parts = name.split('/');
  let registry = 'docker.io';
  let pathParts = parts;
  const first = parts[0];
  const firstIsDomain = parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase());
  if (firstIsDomain) {
    if (!DOMAIN.test(first)) fail(`the registry host ${JSON.stringify(first)} is not a valid host[:port]`);
    registry = first.toLowerCase();
    pathParts = parts.slice(1);
  }
  for (const component of pathParts) {
    if (!PATH_COMPONENT.test(component)) {
      fail(`the repository path component ${JSON.stringify(component)} must be lowercase letters and digits, joined by . _ __ or -`);
    }
  }
  if (DOCKER_HUB_ALIASES.has(registry)) registry = 'docker.io';
  if (registry === 'docker.io' && pathParts.length === 1) pathParts = ['library', ...pathParts];

  const reference: ImageReference = { original: input, registry, repository: pathParts.join('/') };
  if (tag !== undefined) reference.tag = tag;
  if (digest !== undefined) reference.digest = digest;
  const ecr = ECR_HOST.exec(registry);
  if (ecr) reference.ecr = { accountId: ecr[1], region: ecr[3], fips: ecr[2] === 'ecr-fips' };
  return reference;
}

/** Whether a string is a sha256 manifest digest, the only form the gate keys verdicts on. */
export function isSha256Digest(value: unknown): value is string {
  return typeof value === 'string' && SHA256_DIGEST.test(value);
}

/** `registry/repository@digest`: the immutable form a scan pulls. */
export function pinnedReference(reference: ImageReference, digest: string): string {
  return `${reference.registry}/${reference.repository}@${digest}`;
}

/** Canonical text of the reference (registry made explicit). */
export function formatImageReference(reference: ImageReference): string {
  return `${reference.registry}/${reference.repository}${reference.tag ? `:${reference.tag}` : ''}${reference.digest ? `@${reference.digest}` : ''}`;
}
