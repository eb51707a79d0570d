import type { AwsClients } from '../../adapters/clients';
import { DynamoInventoryStore } from '../../adapters/dynamo-inventory';
import type { InventoryStore } from '../../core/posture/ports';

/** The inventory the scheduled in-use report reads: the one task events and the reconciliation write, on the gate's table. */
export function inventoryStoreFor(clients: AwsClients, tableName: string): InventoryStore {
  return new DynamoInventoryStore({ client: clients.dynamo, tableName });
}
