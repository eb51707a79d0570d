/*
 * The AWS SDK warns once per process, under Node < 22, that its versions published after January 2027 will need Node 22.
 * The SDK is pinned (package.json), the Lambda functions run on Node 22, and Node 20 stays tested until that upgrade
 * (README, "Supported Node.js versions"): the notice is known, so the tests turn it off with the SDK's own switch
 * (@aws-sdk/core emitWarningIfUnsupportedVersion) instead of printing it in every run. Workers inherit it.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Type-checking is `npm run lint`; tests transpile only (tsconfig's isolatedModules), so a run stays fast on two cores.
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  testTimeout: 60000,
  setupFiles: ['<rootDir>/test/support/zod-provided.ts'],
  setupFilesAfterEnv: ['<rootDir>/test/support/require-assertions.ts'],
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
