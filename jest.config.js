/*
 * The AWS SDK warns once per process, under Node < 22, that its versions published after January 2027 will need Node 22.
 * The SDK is pinned (package.json), the Lambda functions run on Node 22, and Node 20 stays tested until that upgrade
 * (README, "Supported Node.js versions"): the notice is known, so the tests turn it off with the SDK's own switch
 * (@aws-sdk/core emitWarningIfUnsupportedVersion) instead of printing it in every run. Workers inherit it.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/*
 * Two projects, each test file in exactly one, so nothing runs twice.
 *
 * "lambda paths": the handler and adapter tests run WITHOUT zod preloaded, as the Lambda functions do (no Lambda entry
 * imports functions/io/zod-provided; their readers load zod on demand through `withZod`, core/zod-on-demand.ts). A
 * reader called raw on a path these tests exercise would stop with `ZodNotLoaded` here instead of passing unseen;
 * test/handlers/lambda/zod-without-preload.test.ts checks the project really has no zod at hand.
 *
 * "with zod at hand": everything else, with zod preloaded (test/support/zod-provided.ts) as the CLI, simulate and the
 * local backend have it, plus the handler/adapter tests that need the preload by design (listed below, each with why).
 */
const LAMBDA_PATHS = ['test/handlers/', 'test/adapters/'];
const NEED_PRELOAD = [
  // Calls the core readers directly (not through a handler or `withZod`) to compare zod's jitless and compiled parsers.
  'test/handlers/lambda/zod-jitless.test.ts',
];

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const shared = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Type-checking is `npm run lint`; tests transpile only (tsconfig's isolatedModules), so a run stays fast on two cores.
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  setupFilesAfterEnv: ['<rootDir>/test/support/require-assertions.ts'],
};

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 60000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  projects: [
    {
      ...shared,
      displayName: 'with zod at hand',
      setupFiles: ['<rootDir>/test/support/zod-provided.ts'],
      // The lambda paths, except the files that need the preload.
      testPathIgnorePatterns: ['/node_modules/', `^<rootDir>/(?!(${NEED_PRELOAD.map(escape).join('|')})$)(${LAMBDA_PATHS.map(escape).join('|')})`],
    },
    {
      ...shared,
      displayName: 'lambda paths',
      setupFiles: [],
      roots: LAMBDA_PATHS.map((path) => `<rootDir>/${path}`),
      testPathIgnorePatterns: ['/node_modules/', ...NEED_PRELOAD.map((path) => `^<rootDir>/${escape(path)}$`)],
    },
  ],
};
