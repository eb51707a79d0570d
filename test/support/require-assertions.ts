// Every test must make at least one assertion: a test whose only `expect` sits behind a condition that
// happened to be false (a table row that skips its check, a forEach over an empty list) then fails
// instead of passing silently. Property tests count through test/support/property.ts, which asserts
// on fast-check's run details; CDK template checks count through test/support/cdk-assertions.ts.
beforeEach(() => {
  expect.hasAssertions();
});

// Only test files that import aws-cdk-lib/assertions load it (the factory runs on first import).
jest.mock('aws-cdk-lib/assertions', () => require('./cdk-assertions').countingCdkAssertions(jest.requireActual('aws-cdk-lib/assertions')));
