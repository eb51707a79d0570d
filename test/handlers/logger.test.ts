import { Writable } from 'node:stream';
import { childBinding, createLogger } from '../../functions/handlers/logger';

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
