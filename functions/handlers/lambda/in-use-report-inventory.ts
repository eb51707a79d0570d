import type { AwsClients } from '../../adapters/clients';
import type { InventoryStore } from '../../core/posture/ports';

/**
 * The inventory the scheduled in-use report reads, on the gate's table. INTEGRATION POINT: the DynamoDB inventory
 * adapter is built on another branch (issue 12, inventory: `DynamoInventoryStore` in functions/adapters/dynamo-inventory.ts);
 * until it is merged this fails the cold start with a message, rather than reporting an empty fleet.
 * Merged, the body is `return new DynamoInventoryStore({ client: clients.dynamo, tableName });`.
 */
export function inventoryStoreFor(clients: AwsClients, tableName: string): InventoryStore {
  void clients;
  throw new Error(`fargate-gate: the in-use report has no inventory adapter for table ${tableName} in this build`);
}
