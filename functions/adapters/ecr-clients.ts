import { ECRClient, type ECRClientConfig } from '@aws-sdk/client-ecr';
import type { EcrLocation } from '../core/image/reference';

/**
 * One ECR client per registry location (region, FIPS endpoint), created when first asked for: an image names its
 * registry's region, so the gate's ECR calls go there. `common` is the configuration every client shares.
 */
export function ecrClientsByLocation(common: Omit<ECRClientConfig, 'region' | 'useFipsEndpoint'>): ((location: EcrLocation) => ECRClient) & { destroyAll(): void } {
  const clients = new Map<string, ECRClient>();
  const clientFor = (location: EcrLocation): ECRClient => {
    const key = `${location.region}|${location.fips ? 'fips' : ''}`;
    let client = clients.get(key);
    if (!client) {
      client = new ECRClient({ ...common, region: location.region, useFipsEndpoint: location.fips });
      clients.set(key, client);
    }
    return client;
  };
  return Object.assign(clientFor, {
    destroyAll() {
      for (const client of clients.values()) client.destroy();
      clients.clear();
    },
  });
}
