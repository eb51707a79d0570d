/**
 * An input the gate cannot use: a malformed report, policy, task definition, event or image reference.
 * The message is meant for the person who supplied the input, so it names the source and what was expected.
 */
export class InputError extends Error {
  readonly source?: string;
  readonly path?: string;

  constructor(message: string, options: { source?: string; path?: string; cause?: unknown } = {}) {
    const where = [options.source, options.path].filter(Boolean).join(' at ');
    super(where ? `${where}: ${message}` : message, { cause: options.cause });
    this.name = 'InputError';
    this.source = options.source;
    this.path = options.path;
  }
}
