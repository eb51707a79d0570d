import { Annotations, Template } from 'aws-cdk-lib/assertions';
import { App, Stack } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';

// aws-cdk-lib/assertions arrives here through require-assertions.ts, wrapped by cdk-assertions.ts.
function stack(): Stack {
  const app = new App();
  const queueStack = new Stack(app, 'Queues');
  new sqs.Queue(queueStack, 'Jobs', { fifo: true });
  return queueStack;
}

describe('CDK template checks under require-assertions', () => {
  const template = Template.fromStack(stack());

  it('count as an assertion each when they pass', () => {
    const before = expect.getState().assertionCalls;
    template.hasResourceProperties('AWS::SQS::Queue', { FifoQueue: true });
    template.resourceCountIs('AWS::SQS::Queue', 1);
    Annotations.fromStack(stack()).hasNoError('*', '*');
    expect(expect.getState().assertionCalls - before).toBe(3);
  });

  it('still fail, with the CDK message', () => {
    expect(() => template.hasResourceProperties('AWS::SQS::Queue', { FifoQueue: false })).toThrow(/Template has 1 resources with type AWS::SQS::Queue, but none match as expected/);
    expect(() => template.resourceCountIs('AWS::SQS::Queue', 2)).toThrow(/Expected 2 resources of type AWS::SQS::Queue but found 1/);
  });

  it('leave the find methods as they are', () => {
    const before = expect.getState().assertionCalls;
    const queues = template.findResources('AWS::SQS::Queue');
    expect(expect.getState().assertionCalls - before).toBe(0);
    expect(Object.keys(queues)).toHaveLength(1);
  });
});
