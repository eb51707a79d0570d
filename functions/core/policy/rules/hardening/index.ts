import { capabilities } from './capabilities';
import { environmentFiles } from './environmentFiles';
import { execCommand } from './execCommand';
import { hostIpc } from './hostIpc';
import { hostNetwork } from './hostNetwork';
import { hostPid } from './hostPid';
import { logging } from './logging';
import { platformVersion } from './platformVersion';
import { privileged } from './privileged';
import { publicIp } from './publicIp';
import { readonlyRootFilesystem } from './readonlyRootFilesystem';
import { resourceLimits } from './resourceLimits';

export type { HardeningFinding, HardeningInput, HardeningRule, LaunchFact, LaunchFacts, NotJudged, TaskSettings } from './types';

/** Every hardening rule, in the order the policy schema lists them. */
export const HARDENING_RULES = [
  readonlyRootFilesystem,
  privileged,
  hostNetwork,
  hostPid,
  hostIpc,
  capabilities,
  logging,
  environmentFiles,
  execCommand,
  platformVersion,
  publicIp,
  resourceLimits,
] as const;

export type HardeningKey = (typeof HARDENING_RULES)[number]['key'];
