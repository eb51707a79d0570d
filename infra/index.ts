export { FargateGate, JUNIT_EXPORT_PREFIX, REPORT_PREFIX, TRIVY_CACHE_PREFIX, type FargateGateProps } from './fargate-gate';
export { FargateGateStack, type FargateGateStackProps } from './stack';
export { FargateGateMemberStack, MEMBER_PARAMETERS, type FargateGateMemberStackProps } from './member-stack';
export { MEMBER_ROLE_NAME_PREFIX, OrganisationBus, memberRoleArn, memberRoleName } from './organisation';
export { CONTEXT_KEYS, CONTEXT_PREFIX, gateSettingsFromContext, readGateContext, type GateAppSettings } from './context';
export type { LogLevel, NotificationSettings, ScanComputeSettings, ScannerSettings } from './settings';
export { COMPROMISED_TRIVY_VERSIONS, PINNED_TRIVY, type ScanArchitecture } from './trivy';
export { VERDICT_EVENT } from './verdict-event';
export {
  STARTING_TASK_STATUSES,
  fargateTaskStartingPattern,
  imagePushPattern,
  runTaskCallPattern,
  scanBuildStatePattern,
  verdictPattern,
  type ClusterScope,
} from './event-patterns';
