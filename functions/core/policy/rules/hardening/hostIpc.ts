import { hostNamespaceRule } from './hostNamespace';

/** No Security Hub, Config, Control Tower or Checkov control covers `ipcMode` (anchors §4). */
export const hostIpc = hostNamespaceRule({
  key: 'hostIpc',
  field: 'ipcMode',
  namespace: 'IPC',
  controls: [],
  why: 'A container in the host\'s IPC namespace can reach the host\'s shared memory.',
  fix: 'remove `ipcMode` or set it to "task" or "none"',
});
