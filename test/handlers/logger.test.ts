import { Writable } from 'node:stream';
import { childBinding, createLogger, silentLogger } from '../../functions/handlers/logger';

function capture(level?: string, now?: () => Date) {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      raw.push(chunk.toString());
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { logger: createLogger({ level, destination, ...(now ? { now } : {}) }), lines, raw };
}

describe('createLogger', () => {
  it('writes JSON lines with the level as a word, the service and a child\'s fields', () => {
    const { logger, lines } = capture();
    logger.child({ taskArn: 't', digest: 'sha256:x' }).warn({ buildId: 'b' }, 'task stopped');
    expect(lines[0]).toMatchObject({ level: 'warn', service: 'fargate-gate', taskArn: 't', digest: 'sha256:x', buildId: 'b', msg: 'task stopped' });
    expect(typeof lines[0].time).toBe('string');
  });

  it('never writes environment values or raw overrides', () => {
    const { logger, lines } = capture();
    logger.info({ spec: { environment: [{ name: 'TOKEN', value: 's3cr3t' }] }, overrides: { containerOverrides: [{ environment: [{ name: 'A', value: 'b' }] }] } }, 'x');
    expect(JSON.stringify(lines[0])).not.toContain('s3cr3t');
    expect(lines[0].overrides).toBe('[redacted]');
  });

  it('falls back to info for an unknown level', () => {
    const { logger, lines } = capture('chatty');
    logger.debug('hidden');
    logger.info('shown');
    expect(lines.map((l) => l.msg)).toEqual(['shown']);
  });

  it('stamps lines with the clock it is given (simulate: simulated time)', () => {
    const { logger, lines } = capture(undefined, () => new Date('2026-01-05T09:15:00Z'));
    logger.info('at the deadline');
    expect(lines[0].time).toBe('2026-01-05T09:15:00.000Z');
  });
});

describe('createLogger: the line pino wrote, field for field', () => {
  it('orders level, time, service, bindings, fields and msg, and leaves out undefined fields', () => {
    const { logger, raw } = capture(undefined, () => new Date('2026-01-05T09:15:00Z'));
    logger.child({ taskArn: 't' }).info({ digest: 'sha256:x', skipped: undefined }, 'm');
    expect(raw[0]).toBe('{"level":"info","time":"2026-01-05T09:15:00.000Z","service":"fargate-gate","taskArn":"t","digest":"sha256:x","msg":"m"}\n');
  });

  it('writes an err field as type, message and stack with its causes, plus the error\'s own properties', () => {
    const { logger, lines } = capture();
    const cause = new TypeError('socket hang up');
    const error = Object.assign(new Error('GetObject failed', { cause }), { code: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
    logger.error({ err: error, digest: 'sha256:a' }, 'report unreadable');
    const err = lines[0].err as Record<string, unknown>;
    expect(err).toMatchObject({ type: 'Error', message: 'GetObject failed: socket hang up', code: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
    expect(err.stack).toEqual(expect.stringContaining('\ncaused by: TypeError: socket hang up'));
    expect(err).not.toHaveProperty('cause');
    expect(lines[0].msg).toBe('report unreadable');
  });

  it("takes the message from the error when none is given, and an Error as the first argument becomes err", () => {
    const { logger, lines } = capture();
    logger.warn({ err: new RangeError('out of range') });
    logger.error(new Error('boom'));
    expect(lines[0]).toMatchObject({ msg: 'out of range', err: { type: 'RangeError' } });
    expect(lines[1]).toMatchObject({ msg: 'boom', err: { type: 'Error', message: 'boom' } });
  });

  it('never throws on a value JSON cannot write: a cycle and a BigInt are written safely', () => {
    const { logger, lines } = capture();
    const loop: Record<string, unknown> = { name: 'loop' };
    loop.self = loop;
    logger.info({ loop, big: 2n ** 70n }, 'odd values');
    expect(lines[0]).toMatchObject({ loop: { name: 'loop', self: '[Circular]' }, big: '1180591620717411303424', msg: 'odd values' });
  });

  it('redacts environment values and overrides in bindings and under any field, and the detail of a logged event', () => {
    const { logger, lines } = capture();
    const container = { name: 'app', environment: [{ name: 'TOKEN', value: 's3cr3t' }], overrides: { x: 1 } };
    logger.child({ container }).info({ event: { id: 'e', detail: { token: 's3cr3t' } }, task: { overrides: { taskRoleArn: 'r' } } }, 'x');
    expect(JSON.stringify(lines[0])).not.toContain('s3cr3t');
    expect(lines[0]).toMatchObject({
      container: { name: 'app', environment: [{ name: 'TOKEN', value: '[redacted]' }], overrides: '[redacted]' },
      event: { id: 'e', detail: '[redacted]' },
      task: { overrides: '[redacted]' },
    });
    // The caller's objects are left as they were.
    expect(container.environment[0].value).toBe('s3cr3t');
  });

  it('answers isLevelEnabled by its level, and bindings() with the service and what children bound', () => {
    const { logger } = capture('warn');
    expect([logger.isLevelEnabled('error'), logger.isLevelEnabled('warn'), logger.isLevelEnabled('info'), logger.isLevelEnabled('nonsense')]).toEqual([true, true, false, false]);
    expect(logger.child({ digest: 'd' }).bindings()).toEqual({ service: 'fargate-gate', digest: 'd' });
  });

  it('writes nothing at level silent, nor from silentLogger', () => {
    const { logger, lines } = capture('silent');
    logger.fatal('x');
    silentLogger().error('y');
    expect(lines).toEqual([]);
  });
});

describe('childBinding', () => {
  it('binds only what the logger does not bind yet, so no key is written twice', () => {
    const { logger, raw, lines } = capture();
    const scanLog = logger.child({ digest: 'sha256:a', buildId: 'b' });
    childBinding(scanLog, { digest: 'sha256:a', scanId: 's', buildId: 'b', taskArn: undefined }).info('scan started');
    expect(raw[0].match(/"digest"/g)).toHaveLength(1);
    expect(raw[0].match(/"buildId"/g)).toHaveLength(1);
    expect(lines[0]).toMatchObject({ digest: 'sha256:a', buildId: 'b', scanId: 's' });
    expect(lines[0]).not.toHaveProperty('taskArn');
  });

  it('a plain child would have written the key twice (why the helper exists)', () => {
    const { logger, raw } = capture();
    logger.child({ digest: 'sha256:a' }).child({ digest: 'sha256:a' }).info('x');
    expect(raw[0].match(/"digest"/g)).toHaveLength(2);
  });
});
