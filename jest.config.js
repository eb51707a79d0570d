/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Type-checking is `npm run lint`; tests transpile only (tsconfig's isolatedModules), so a run stays fast on two cores.
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  testTimeout: 60000,
  setupFilesAfterEnv: ['<rootDir>/test/support/require-assertions.ts'],
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
