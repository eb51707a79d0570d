import { capturingStdout, useGateEnvironment } from './support';

/** The Lambda entry points: built once from the environment, metrics flushed as EMF after every invocation. */
describe('the lifecycle hook Lambda entry point', () => {
  useGateEnvironment();

  it('answers the lifecycle hook and writes its metrics as an EMF line', async () => {
    const written = await capturingStdout(async () => {
      const { handler } = await import('../../../functions/handlers/lambda/hook');
      // Unreadable payload under onScanError "allow": admitted.
      await expect(handler({})).resolves.toEqual({ hookStatus: 'SUCCEEDED' });
    });
    expect(written.find((doc) => doc._aws && doc.HookResponses)).toMatchObject({ status: 'SUCCEEDED', HookResponses: 1 });
  });
});
