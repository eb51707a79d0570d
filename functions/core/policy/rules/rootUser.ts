import type { ImageFacts } from '../../findings/model';
import type { Violation } from '../../result/model';
import type { Policy } from '../schema';

/** What decided the user: the task definition, the image config, the scanner's root-user check (DS-0002), or nothing (root by default). */
export type UserSource = 'taskDefinition' | 'imageConfig' | 'scanner' | 'default';

/**
 * Root by name or UID, as the kernel sees it: `0`, `root`, either with a group (`0:0`, `root:wheel`),
 * surrounding spaces ignored; an empty user means the runtime default, root. `ContainerAdministrator` is the
 * Windows container administrator. A named user other than root cannot be resolved without the image's
 * /etc/passwd, so it counts as non-root (as in Trivy and Docker Scout).
 */
export function isRootUser(user: string | undefined): boolean {
  if (user === undefined) return true;
  const name = user.split(':')[0].trim();
  return name === '' || /^0+$/.test(name) || name === 'root' || name.toLowerCase() === 'containeradministrator';
}

export interface EffectiveUser {
  /** The user string that decided, when one did. */
  user?: string;
  source: UserSource;
  root: boolean;
  /** Whether the report carried the image config: without it, "no user" cannot be told from "unknown". */
  imageConfigKnown: boolean;
  scannerSaysRoot: boolean;
}

/**
 * Task definition `user`, else image config `User`, else root. Trivy's DS-0002 is the same fact seen by the
 * scanner (from the Dockerfile or the image history): it decides only when neither the task definition nor a known
 * image config does, both ways: a failed check means root, a passed one means the Dockerfile sets a non-root USER.
 */
export function effectiveUser(specUser: string | undefined, facts: ImageFacts | undefined, scannerSaysRoot: boolean, scannerSaysNonRoot = false): EffectiveUser {
  const imageConfigKnown = facts?.hasImageConfig ?? false;
  if (specUser !== undefined && specUser.trim() !== '') {
    return { user: specUser, source: 'taskDefinition', root: isRootUser(specUser), imageConfigKnown, scannerSaysRoot };
  }
  if (imageConfigKnown && facts?.configUser !== undefined && facts.configUser.trim() !== '') {
    return { user: facts.configUser, source: 'imageConfig', root: isRootUser(facts.configUser), imageConfigKnown, scannerSaysRoot };
  }
  if (!imageConfigKnown && scannerSaysRoot) return { source: 'scanner', root: true, imageConfigKnown, scannerSaysRoot };
  if (!imageConfigKnown && scannerSaysNonRoot) return { source: 'scanner', root: false, imageConfigKnown, scannerSaysRoot };
  return { source: 'default', root: true, imageConfigKnown, scannerSaysRoot };
}

export interface RootUserInput {
  container?: string;
  /** Whether a container definition is known (false for a bare report). */
  hasSpec: boolean;
  specUser?: string;
  facts?: ImageFacts;
  scannerSaysRoot: boolean;
  scannerSaysNonRoot?: boolean;
}

export function rootUserViolation(rule: NonNullable<Policy['rules']['rootUser']>, input: RootUserInput): Violation | undefined {
  if (!rule.enabled) return undefined;
  const decided = effectiveUser(input.specUser, input.facts, input.scannerSaysRoot, input.scannerSaysNonRoot);
  if (!decided.root) return undefined;
  const who = input.container ? `container ${input.container}` : 'the image';
  const noSpecUser = input.hasSpec ? ' and the task definition sets no `user`' : '';
  const fix = input.hasSpec
    ? 'set `user` in the container definition to a non-root UID such as "1000" (or add a non-root USER to the Dockerfile)'
    : 'add a non-root USER (e.g. "USER 1000") to the Dockerfile, or set `user` in the container definition';
  let message: string;
  switch (decided.source) {
    case 'taskDefinition':
      message = `${who} runs as root (user ${JSON.stringify(decided.user)} from the task definition); set \`user\` in the container definition to a non-root UID such as "1000"`;
      break;
    case 'imageConfig':
      message = `${who} runs as root (user ${JSON.stringify(decided.user)} from the image config${noSpecUser}); ${fix}`;
      break;
    case 'scanner':
      message = `${who} runs as root (the scanner's root-user check DS-0002 failed; the report has no image config${noSpecUser}); ${fix}`;
      break;
    default:
      message = decided.imageConfigKnown
        ? `${who} runs as root (the image config sets no user${noSpecUser}); ${fix}`
        : `${who} may run as root: the report has no image config, so the image's user is unknown${noSpecUser}; ${fix}, or rescan with the image config`;
  }
  return {
    rule: 'rootUser',
    kind: 'rootUser',
    container: input.container,
    id: 'rootUser',
    severity: 'high',
    action: rule.action,
    message,
    details: {
      userSource: decided.source,
      user: decided.user,
      imageConfigKnown: decided.imageConfigKnown,
      scannerSaysRoot: decided.scannerSaysRoot,
    },
  };
}
