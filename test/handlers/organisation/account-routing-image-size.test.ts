import type { AccountRegion } from '../../../functions/core/organisation/account';
import { parseImageReference } from '../../../functions/core/image/reference';
import type { EcsPort, RegistryPort, TaskDefinitionPort } from '../../../functions/core/ports';
import { accountRoutedPorts, type AccountPorts } from '../../../functions/handlers/organisation/account-routing';
import { RecordingMetrics } from '../../../functions/local/notifier';

const CENTRAL = '111122223333';
const MEMBER = '444455556666';
const REGION = 'eu-west-1';
const DIGEST = `sha256:${'b'.repeat(64)}`;

/** Ports whose registry answers a size per account (and records who was asked); `sizeless` has no imageSize at all. */
function ports(name: string, log: string[], size: number, sizeless = false): AccountPorts {
  const registry: RegistryPort = {
    resolveDigest: async () => ({ digest: DIGEST }),
    ...(sizeless ? {} : { imageSize: async (reference) => (log.push(`${name} imageSize ${reference.repository}`), size) }),
  };
  return { ecs: {} as EcsPort, taskDefinitions: {} as TaskDefinitionPort, registry };
}

function routing(memberSizeless = false) {
  const log: string[] = [];
  const routed = accountRoutedPorts({
    central: { account: CENTRAL, region: REGION, ports: ports('central', log, 1) },
    member: (where: AccountRegion) => ports(`member:${where.account}/${where.region}`, log, 2, memberSizeless),
    metrics: new RecordingMetrics(),
  });
  return { registry: routed.registry, log };
}

describe('accountRoutedPorts: the image size (DescribeImages by digest)', () => {
  it("asks the registry's own account, as for a tag: a member's image through the member's ports, the central account's with its own", async () => {
    const { registry, log } = routing();
    expect(await registry.imageSize?.(parseImageReference(`${MEMBER}.dkr.ecr.${REGION}.amazonaws.com/team/api@${DIGEST}`))).toBe(2);
    expect(await registry.imageSize?.(parseImageReference(`${CENTRAL}.dkr.ecr.us-east-1.amazonaws.com/base/node@${DIGEST}`))).toBe(1);
    expect(log).toEqual([`member:${MEMBER}/${REGION} imageSize team/api`, 'central imageSize base/node']);
  });

  it('knows no size where the answering registry port has no imageSize', async () => {
    const { registry } = routing(true);
    expect(await registry.imageSize?.(parseImageReference(`${MEMBER}.dkr.ecr.${REGION}.amazonaws.com/team/api@${DIGEST}`))).toBeUndefined();
  });
});
