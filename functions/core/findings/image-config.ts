import * as z from 'zod';
import { isSha256Digest } from '../image/reference';
import { detectionFinding, detectPlaintextSecret } from '../secrets/plaintext';
import { describeIssues, formatJsonPath } from '../validation/issues';
import { dedupeSecrets } from './dedupe';
import type { SecretFinding } from './model';

/**
 * Variable names of an OCI `config.Env` (`NAME=value` entries). Values are dropped here, at the boundary,
 * so no credential baked into an image reaches a verdict, a log line or DynamoDB: `imageEnvSecrets` is the only
 * reader of the values, and what it returns is masked.
 */
export function envNames(env: readonly string[] | null | undefined): string[] {
  const names = new Set<string>();
  for (const entry of env ?? []) {
    const equals = entry.indexOf('=');
    const name = (equals >= 0 ? entry.slice(0, equals) : entry).trim();
    if (name) names.add(name);
  }
  return [...names];
}

export interface ImageEnvOptions {
  /** Variables already reported by the scanner itself (Trivy's image-config secret scanner), not reported again. */
  skip?: (name: string) => boolean;
}

/**
 * Credentials baked into the image with `ENV` (`DB_PASSWORD=...` in `config.Env`): anyone who can pull the image
 * can read them. The same detector as for task-definition environments judges each value; the findings carry the
 * variable and a masked match only, located in the image config as `ENV <NAME>`.
 */
export function imageEnvSecrets(env: readonly string[] | null | undefined, options: ImageEnvOptions = {}): SecretFinding[] {
  const findings: SecretFinding[] = [];
  for (const entry of env ?? []) {
    const equals = entry.indexOf('=');
    if (equals <= 0) continue;
    const name = entry.slice(0, equals).trim();
    if (name === '' || options.skip?.(name)) continue;
    const detection = detectPlaintextSecret(name, entry.slice(equals + 1));
    if (detection) findings.push(detectionFinding(detection, { kind: 'imageConfig', detail: `ENV ${name}`, variable: name }));
  }
  return dedupeSecrets(findings);
}

/** `config.User`, with the empty string (Go's "unset") as undefined. */
export function configUser(user: string | null | undefined): string | undefined {
  return user === null || user === undefined || user.trim() === '' ? undefined : user;
}

/** The `sha256:...` part of `name@sha256:...`, when it is a well-formed sha256 digest. */
export function digestOfRepoDigest(repoDigest: string): string | undefined {
  const at = repoDigest.lastIndexOf('@');
  const digest = at >= 0 ? repoDigest.slice(at + 1) : repoDigest;
  return isSha256Digest(digest) ? digest : undefined;
}

/** Repo digests as the report lists them: non-empty strings (Trivy writes `[""]` for an image without one), each once. */
export function cleanRepoDigests(values: readonly string[] | null | undefined): string[] {
  return [...new Set((values ?? []).map((value) => value.trim()).filter((value) => value !== ''))];
}

export type DecodedImageConfig =
  | { ok: true; user?: string; envNames: string[]; envSecrets: SecretFinding[] }
  | { ok: false; problem: string };

const OciConfigFile = z.object({
  config: z
    .object({
      User: z.string().nullish(),
      Env: z.array(z.string()).nullish(),
    })
    .nullish(),
});

// Go's encoding/json writes []byte as standard base64 with padding; anything else is not what Syft produced.
const STANDARD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Grype's `source.target.config`: the raw OCI image config, base64-encoded (syft `ImageMetadata.RawConfig`).
 * A blob that does not decode is reported as a problem, not thrown: the caller records the config as absent
 * (so the root-user rule sees "unknown", never "no user") and keeps the vulnerability evidence, which does
 * not depend on it.
 */
export function decodeGrypeImageConfig(encoded: string): DecodedImageConfig {
  const compact = encoded.replace(/\s+/g, '');
  if (!STANDARD_BASE64.test(compact)) return { ok: false, problem: 'is not standard base64' };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(compact, 'base64'));
  } catch {
    return { ok: false, problem: 'does not decode to UTF-8 text' };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, problem: 'does not decode to JSON' };
  }
  const parsed = OciConfigFile.safeParse(json);
  if (!parsed.success) {
    // The config's Env holds `NAME=value` pairs, secrets among them: the problem names kinds of values, never contents.
    const [first] = describeIssues(parsed.error.issues, json, OciConfigFile, { hideValues: true });
    const where = formatJsonPath(first.path);
    return { ok: false, problem: `decodes to JSON that is not an OCI image config (${where ? `${where}: ` : ''}${first.message})` };
  }
  const env = parsed.data.config?.Env;
  return { ok: true, user: configUser(parsed.data.config?.User), envNames: envNames(env), envSecrets: imageEnvSecrets(env) };
}
