import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LogDestination } from '../../functions/handlers/logger';
import { createWorld, policyOf } from './support/fakes';

/**
 * The gate's event function imports a detail reader when an event of its kind arrives (handlers/classify-event.ts): in
 * the Lambda bundle a chunk that may fail to load. Such an event was not looked at, so the invocation must fail (Lambda
 * retries it, then the DLQ keeps it), and the failure is counted and logged as every other one is (handlers/gate.ts).
 */
describe('a detail reader that cannot be loaded', () => {
  afterEach(() => jest.resetModules());

  it('fails the invocation, counted in GateErrors and logged with the event\'s id', async () => {
    const missing = Object.assign(new Error("Cannot find module './chunk-run-task.js'"), { code: 'MODULE_NOT_FOUND' });
    jest.doMock('../../functions/core/events/cloudtrail-run-task', () => {
      throw missing;
    });
    const { createGate } = await import('../../functions/handlers/gate');
    const { createLogger } = await import('../../functions/handlers/logger');
    const lines: Record<string, unknown>[] = [];
    const destination: LogDestination = { write: (line: string) => void lines.push(JSON.parse(line)) };
    const world = createWorld();
    const gate = createGate({ ...world.deps(policyOf()), logger: createLogger({ destination }) });
    const call = JSON.parse(readFileSync(join(__dirname, '../fixtures/events/cloudtrail-runtask-fargate.json'), 'utf8')) as { id: string };

    await expect(gate.handleEvent(call)).rejects.toBe(missing);
    expect(world.metrics.total('GateErrors', { failure: 'unknown' })).toBe(1);
    expect(lines).toEqual([expect.objectContaining({ level: 'error', eventId: call.id, failure: 'unknown', msg: 'event could not be read; Lambda will retry it', err: expect.objectContaining({ message: missing.message }) })]);
  });
});
