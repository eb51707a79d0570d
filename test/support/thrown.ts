/** What an error is made of for comparing two failures: its class name and message. */
export interface ThrownError {
  name: string;
  message: string;
}

function describeThrown(error: unknown): ThrownError {
  return { name: (error as Error).constructor.name, message: (error as Error).message };
}

/** The error `fn` throws (its class and message), to compare with another path's; fails the test when it throws nothing. */
export function thrown(fn: () => unknown): ThrownError {
  try {
    fn();
  } catch (error) {
    return describeThrown(error);
  }
  throw new Error('expected an error');
}

/** The error `promise` rejects with (its class and message); fails the test when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<ThrownError> {
  try {
    await promise;
  } catch (error) {
    return describeThrown(error);
  }
  throw new Error('expected a rejection');
}
