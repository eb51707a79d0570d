/**
 * aws-cdk-lib/assertions checks (Template.hasResourceProperties, Annotations.hasWarning, ...) throw when they
 * fail but are not Jest assertions, so a test made only of them would fail expect.hasAssertions()
 * (require-assertions.ts). This runs each such check inside `expect(...).not.toThrow()`: the check is the same,
 * its message is kept, and it counts as the assertion it is.
 */
const CHECK = /^(has|all|templateMatches$)|CountIs$/;

type Assertions = typeof import('aws-cdk-lib/assertions');

export function countingCdkAssertions(module: Assertions): Assertions {
  for (const cls of [module.Template, module.Annotations, module.Tags]) {
    const prototype = cls.prototype as unknown as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const original = prototype[name];
      if (!CHECK.test(name) || typeof original !== 'function') continue;
      prototype[name] = function (this: unknown, ...args: unknown[]): unknown {
        let result: unknown;
        expect(() => {
          result = original.apply(this, args);
        }).not.toThrow();
        return result;
      };
    }
  }
  return module;
}
