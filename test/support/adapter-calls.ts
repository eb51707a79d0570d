import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The AWS calls the adapters make, read from their source: every `new XxxCommand(` of an AWS SDK client (or of the
 * DynamoDB document client), mapped to the IAM action it needs. A call added to an adapter shows up here without
 * anyone listing it, so the IAM tier fails until the functions' roles grant it.
 */

export const ADAPTERS_DIR = resolve(__dirname, '../../functions/adapters');

/** IAM service prefix of each SDK package the adapters may import commands from. */
const SERVICE_OF_PACKAGE: Record<string, string> = {
  '@aws-sdk/client-codebuild': 'codebuild',
  '@aws-sdk/client-dynamodb': 'dynamodb',
  '@aws-sdk/lib-dynamodb': 'dynamodb',
  '@aws-sdk/client-ecr': 'ecr',
  '@aws-sdk/client-ecs': 'ecs',
  '@aws-sdk/client-eventbridge': 'events',
  '@aws-sdk/client-s3': 's3',
  '@aws-sdk/client-sts': 'sts',
};

/**
 * The document client's commands and the DynamoDB operation each sends (lib-dynamodb README: "the document client
 * ... commands": PutCommand is PutItem, and so on).
 */
const DOCUMENT_CLIENT_OPERATIONS: Record<string, string> = {
  GetCommand: 'GetItem',
  PutCommand: 'PutItem',
  UpdateCommand: 'UpdateItem',
  DeleteCommand: 'DeleteItem',
  QueryCommand: 'Query',
  ScanCommand: 'Scan',
  BatchGetCommand: 'BatchGetItem',
  BatchWriteCommand: 'BatchWriteItem',
  TransactGetCommand: 'TransactGetItems',
  TransactWriteCommand: 'TransactWriteItems',
  ExecuteStatementCommand: 'PartiQLSelect',
};

export interface AdapterCall {
  /** `ecs:DescribeTasks` */
  action: string;
  command: string;
  file: string;
}

/** Imported names of one module: `import { A, type B, C as D } from 'pkg'` gives A and D (types are not constructed). */
function importsOf(source: string): Map<string, string> {
  const imported = new Map<string, string>();
  for (const match of source.matchAll(/import\s*(type\s*)?\{([^}]*)\}\s*from\s*'([^']+)'/g)) {
    if (match[1]) continue;
    for (const raw of match[2].split(',')) {
      const item = raw.trim();
      if (item === '' || item.startsWith('type ')) continue;
      const local = item.split(/\s+as\s+/).pop()!.trim();
      imported.set(local, match[3]);
    }
  }
  return imported;
}

/** Every AWS call of one adapter source file. */
export function callsInSource(file: string, source: string): AdapterCall[] {
  const imported = importsOf(source);
  const calls: AdapterCall[] = [];
  for (const match of source.matchAll(/new\s+([A-Za-z0-9_]+Command)\s*\(/g)) {
    const command = match[1];
    const pkg = imported.get(command);
    if (pkg === undefined) throw new Error(`${file}: new ${command}( is not imported from a package this tier knows; import it from an AWS SDK package`);
    const service = SERVICE_OF_PACKAGE[pkg];
    if (service === undefined) throw new Error(`${file}: ${command} comes from ${pkg}, which has no IAM service in SERVICE_OF_PACKAGE (test/support/adapter-calls.ts)`);
    let operation = command.replace(/Command$/, '');
    if (pkg === '@aws-sdk/lib-dynamodb') {
      const mapped = DOCUMENT_CLIENT_OPERATIONS[command];
      if (!mapped) throw new Error(`${file}: ${command} of the document client has no DynamoDB operation in DOCUMENT_CLIENT_OPERATIONS`);
      operation = mapped;
    }
    calls.push({ action: `${service}:${operation}`, command, file });
  }
  return calls;
}

/** Every AWS call of every adapter (functions/adapters/*.ts), one entry per distinct action. */
export function adapterCalls(dir = ADAPTERS_DIR): AdapterCall[] {
  const byAction = new Map<string, AdapterCall>();
  for (const name of readdirSync(dir).filter((entry) => entry.endsWith('.ts')).sort()) {
    for (const call of callsInSource(name, readFileSync(join(dir, name), 'utf8'))) if (!byAction.has(call.action)) byAction.set(call.action, call);
  }
  return [...byAction.values()].sort((a, b) => a.action.localeCompare(b.action));
}
