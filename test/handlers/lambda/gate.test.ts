import { capturingStdout, useGateEnvironment } from './support';

/** The Lambda entry points: built once from the environment, metrics flushed as EMF after every invocation. */
describe('the gate Lambda entry point', () => {
  useGateEnvironment();

  it('handles an event and writes its metrics as an EMF line', async () => {
    const written = await capturingStdout(async () => {
      const { handler } = await import('../../../functions/handlers/lambda/gate');
      await expect(handler({ 'detail-type': 'nothing' })).resolves.toMatchObject({ kind: 'ignored' });
    });
    expect(written.find((doc) => doc._aws)).toMatchObject({ kind: 'ignored', Events: 1 });
  });
});
