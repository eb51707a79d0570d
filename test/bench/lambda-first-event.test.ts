import { bareFirstSendEntry, describeCall } from '../../bench/lambda-first-event';

describe('bareFirstSendEntry', () => {
  it("constructs each service's client once, in the order first called, and sends it the first operation the function sent", () => {
    const entry = bareFirstSendEntry([
      { service: 'AmazonEC2ContainerServiceV20141113', operation: 'DescribeTaskDefinition' },
      { service: 'DynamoDB_20120810', operation: 'UpdateItem' },
      { service: 'AmazonEC2ContainerServiceV20141113', operation: 'DescribeServiceRevisions' },
      { service: 'DynamoDB_20120810', operation: 'BatchGetItem' },
    ]);
    expect(entry).toBe(
      "import { ECSClient as Client0, DescribeTaskDefinitionCommand as Command0 } from '@aws-sdk/client-ecs';\n" +
        "import { DynamoDBClient as Client1, UpdateItemCommand as Command1 } from '@aws-sdk/client-dynamodb';\n\n" +
        'export async function handler(): Promise<void> {\n' +
        '  await new Client0({}).send(new Command0({} as never));\n' +
        '  await new Client1({}).send(new Command1({} as never));\n' +
        '}\n',
    );
  });

  it('refuses a call to a service it has no client for, rather than leave that client out of the baseline', () => {
    expect(() => bareFirstSendEntry([{ service: 'unknown', operation: 'GET /bucket/key' }])).toThrow('the first event called unknown.GET /bucket/key, a service the bench has no client for');
  });
});

describe('describeCall', () => {
  it("names a call by its client's short name", () => {
    expect(describeCall({ service: 'AmazonEC2ContainerRegistry_V20150921', operation: 'DescribeImages' })).toBe('ecr.DescribeImages');
    expect(describeCall({ service: 'Elsewhere', operation: 'Op' })).toBe('Elsewhere.Op');
  });
});
