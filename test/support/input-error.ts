import { InputError } from '../../functions/core/errors';

/** The InputError a call throws; fails the test when it throws nothing or something else. */
export function inputErrorOf(call: () => unknown): InputError {
  try {
    call();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw new Error(`expected an InputError, got ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  }
  throw new Error('expected an InputError, but the call succeeded');
}
